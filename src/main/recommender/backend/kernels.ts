/**
 * A linear-time UnsortedSegmentSum — the gradient of an embedding lookup (tf.gather) — for the
 * backends that lack one (wasm: tensorflow/tfjs#8082) or whose version is quadratic (cpu).
 */
import { tf } from './tf';

type KernelArgs = Parameters<tf.KernelFunc>[0];

function segmentSum(x: ArrayLike<number>, ids: ArrayLike<number>, inner: number, numSegments: number, out: Float32Array | Int32Array): void {
  out.fill(0);
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const xi = i * inner;
    for (let j = 0; j < inner; j++) out[o + j] += x[xi + j];
  }
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
}

interface CpuBackendLike {
  data: { get(id: tf.DataId): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array): tf.TensorInfo;
}

function shapes(x: tf.TensorInfo, segmentIds: tf.TensorInfo, numSegments: number) {
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
  const inner = rows === 0 ? 0 : x.shape.reduce((a, b) => a * b, 1) / rows;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  return { inner, outShape };
}

function wasmKernel({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const b = backend as unknown as WasmBackendLike;
  const { inner, outShape } = shapes(x, segmentIds, numSegments);
  // Allocate first: growing the wasm heap invalidates earlier views of it.
  const out = b.makeOutput(outShape, x.dtype);
  const outV = b.typedArrayFromHeap(out);
  segmentSum(b.typedArrayFromHeap(x), b.typedArrayFromHeap(segmentIds), inner, numSegments, outV);
  return out;
}

function cpuKernel({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const b = backend as unknown as CpuBackendLike;
  const { inner, outShape } = shapes(x, segmentIds, numSegments);
  const size = outShape.reduce((a, c) => a * c, 1);
  const out = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  segmentSum(b.data.get(x.dataId).values, b.data.get(segmentIds.dataId).values, inner, numSegments, out);
  return b.makeTensorInfo(outShape, x.dtype, out);
}

let registered = false;
/** Registers the fast kernel on wasm and cpu (replacing cpu's quadratic one). Idempotent. */
export function registerFastKernels(): void {
  if (registered) return;
  registered = true;
  for (const [backendName, kernelFunc] of [['wasm', wasmKernel], ['cpu', cpuKernel]] as const) {
    if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
}
