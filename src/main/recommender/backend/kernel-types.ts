/** What the project's kernels need of tfjs's backends (shared by kernels.ts and cpu-kernels.ts). */
import type { tf } from './tf';

export type KernelArgs = Parameters<tf.KernelFunc>[0];

export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
}

export interface CpuBackendLike {
  data: { get(id: tf.DataId): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array): tf.TensorInfo;
}
