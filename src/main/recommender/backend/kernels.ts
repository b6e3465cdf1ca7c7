/**
 * Kernels the project registers over tfjs's own:
 * - a linear-time UnsortedSegmentSum — the gradient of an embedding lookup (tf.gather) — for the
 *   backends that lack one (wasm: tensorflow/tfjs#8082) or whose version is quadratic (cpu);
 * - on wasm, a row Gather (axis 0) that copies whole rows inside the heap: tfjs's generic C++
 *   Gather walks strides element by element (≈ 46 ns per float; 831 ms for 141k × 128 rows);
 * - on wasm, BatchMatMul with a transposed operand: XNNPACK only serves the plain layout and the
 *   fallback loop is ~10× slower (128×128 · (17632×128)ᵀ: 243 ms transposed vs 29 ms with the
 *   transpose done first), and every Dense layer's backward pass multiplies transposed operands.
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

interface WasmHeapBackend extends WasmBackendLike {
  readSync(id: tf.DataId): Float32Array | Int32Array;
  disposeData(id: tf.DataId): void;
}

function wasmGatherKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { inputs, attrs, backend } = args;
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
    const rank = x.shape.length;
    if ((axis !== 0 && axis !== -rank) || batchDims !== 0 || rank < 1 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return original(args) as tf.TensorInfo;
    const b = backend as unknown as WasmHeapBackend;
    const rows = x.shape[0];
    const inner = x.shape.slice(1).reduce((a, c) => a * c, 1);
    const outShape = [...indices.shape, ...x.shape.slice(1)];
    const out = b.makeOutput(outShape, x.dtype);
    // Views taken after the allocation (which may grow the heap); all three share one buffer.
    const idx = b.typedArrayFromHeap(indices);
    const xs = b.typedArrayFromHeap(x);
    const os = b.typedArrayFromHeap(out);
    const heap = x.dtype === 'int32' ? new Int32Array(xs.buffer) : new Float32Array(xs.buffer);
    const xBase = xs.byteOffset >> 2;
    const oBase = os.byteOffset >> 2;
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i];
      if (!(r >= 0 && r < rows)) {
        b.disposeData(out.dataId);
        throw new Error(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
      }
      if (inner === 1) heap[oBase + i] = heap[xBase + r];
      else heap.copyWithin(oBase + i * inner, xBase + r * inner, xBase + (r + 1) * inner);
    }
    return out;
  };
}

function wasmMatMulKernel(original: tf.KernelFunc, transpose: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { inputs, attrs, backend } = args;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original(args) as tf.TensorInfo;
    const wb = backend as unknown as WasmHeapBackend;
    const flip = (t: tf.TensorInfo) => {
      const r = t.shape.length;
      const perm = [...Array(r - 2).keys(), r - 1, r - 2];
      return transpose({ inputs: { x: t }, backend, attrs: { perm } as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
    };
    const at = transposeA ? flip(a) : a;
    const bt = transposeB ? flip(b) : b;
    try {
      return original({ inputs: { a: at, b: bt }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
    } finally {
      if (at !== a) wb.disposeData(at.dataId);
      if (bt !== b) wb.disposeData(bt.dataId);
    }
  };
}

/** Replaces a kernel, keeping the original's setup (wasm kernels bind their C++ entry there). */
function replace(kernelName: string, backendName: string, make: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const original = tf.getKernel(kernelName, backendName);
  if (!original) return;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc: make(original.kernelFunc) });
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
  replace('GatherV2', 'wasm', (original) => wasmGatherKernel(original) as unknown as tf.KernelFunc);
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (transpose) replace('BatchMatMul', 'wasm', (original) => wasmMatMulKernel(original, transpose.kernelFunc) as unknown as tf.KernelFunc);
}
