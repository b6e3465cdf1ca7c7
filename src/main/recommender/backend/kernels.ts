/**
 * Kernels the project registers over tfjs's own:
 * - a linear-time UnsortedSegmentSum — the gradient of an embedding lookup (tf.gather) — for the
 *   backends that lack one (wasm: tensorflow/tfjs#8082) or whose version is quadratic (cpu);
 * - on wasm, a row Gather (axis 0) that copies whole rows inside the heap: tfjs's generic C++
 *   Gather walks strides element by element (≈ 46 ns per float; 831 ms for 141k × 128 rows);
 * - on wasm, Slice, SplitV, Sum / Mean over leading axes and Tile without detours: tfjs's Slice copies
 *   the whole input out of the heap (readSync) to take a batch of rows from it; Sum and Mean over
 *   axis 0 (every bias gradient, every batch-norm statistic) transpose first; Tile (batch-norm's
 *   gradient) walks elements one by one in C++ at ~65 ns each. Together ~45 % of a W-TRAIN step.
 * - on wasm, Identity sharing its input's memory (as Reshape does) instead of copying it: the
 *   engine clones every tensor a gradient will need, ~100 copies per training step.
 * - on wasm, BatchMatMul with a transposed operand: XNNPACK only serves the plain layout and the
 *   fallback loop is ~10× slower (128×128 · (17632×128)ᵀ: 243 ms transposed vs 29 ms with the
 *   transpose done first), and every Dense layer's backward pass multiplies transposed operands.
 * - on cpu, the kernels of ./cpu-kernels (broadcast arithmetic, leading reductions, Tile, SplitV,
 *   Transpose, register-blocked BatchMatMul).
 */
import { tf } from './tf';
import { instantiate, lazyModule } from '../../util/wasm';
import { WASM_BASE64 as TRAIN_WASM } from './wasm/train-wasm';
import { CPU_REPLACEMENTS, leadingReduction, tileInPlace } from './cpu-kernels';
import type { CpuBackendLike, KernelArgs, WasmBackendLike } from './kernel-types';

export type { CpuBackendLike, WasmBackendLike };


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

type Heap = Float32Array | Int32Array;
function heapOf(b: WasmHeapBackend, t: tf.TensorInfo): Heap {
  const v = b.typedArrayFromHeap(t);
  return t.dtype === 'int32' ? new Int32Array(v.buffer) : new Float32Array(v.buffer);
}
const numeric = (t: tf.TensorInfo) => t.dtype === 'float32' || t.dtype === 'int32';
const sizeOf = (shape: number[]) => shape.reduce((a, c) => a * c, 1);

function wasmSliceKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { inputs, attrs, backend } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
    const rank = x.shape.length;
    if (!numeric(x) || rank === 0) return original(args) as tf.TensorInfo;
    const b0 = typeof begin === 'number' ? [begin, ...Array(rank - 1).fill(0)] : [...begin, ...Array(rank - begin.length).fill(0)];
    const s0 = typeof size === 'number' ? [size, ...Array(rank - 1).fill(-1)] : [...size, ...Array(rank - size.length).fill(-1)];
    const sz = s0.map((v, d) => (v === -1 ? x.shape[d] - b0[d] : v));
    // Rows of the leading axis with everything else whole: one contiguous range.
    for (let d = 1; d < rank; d++) if (b0[d] !== 0 || sz[d] !== x.shape[d]) return original(args) as tf.TensorInfo;
    if (b0[0] < 0 || b0[0] + sz[0] > x.shape[0]) return original(args) as tf.TensorInfo;
    const wb = backend as unknown as WasmHeapBackend;
    const out = wb.makeOutput(sz, x.dtype);
    const inner = sizeOf(x.shape.slice(1));
    const heap = heapOf(wb, x);
    const xBase = wb.typedArrayFromHeap(x).byteOffset >> 2;
    const oBase = wb.typedArrayFromHeap(out).byteOffset >> 2;
    heap.copyWithin(oBase, xBase + b0[0] * inner, xBase + (b0[0] + sz[0]) * inner);
    return out;
  };
}

interface TrainExports {
  adam(p: number, g: number, m: number, v: number, op: number, om: number, ov: number, n: number,
    b1: number, k1: number, b2: number, k2: number, nlr: number, eps: number, c1: number, c2: number): void;
  sum_rows(x: number, rows: number, inner: number, out: number): void;
}
const trainInstances = new WeakMap<object, TrainExports | null>();
const trainModule = lazyModule(TRAIN_WASM);
/**
 * The project's SIMD kernels (wasm/train.wat) instantiated over tfjs-backend-wasm's own memory,
 * so they read and write tensors in place; null if that memory is not reachable.
 */
export function trainKernels(backend: unknown): TrainExports | null {
  const b = backend as { wasm?: { asm?: { memory?: unknown } } };
  if (trainInstances.has(b)) return trainInstances.get(b)!;
  let ex: TrainExports | null = null;
  try {
    const memory = b.wasm?.asm?.memory;
    if (memory) ex = instantiate<TrainExports>(trainModule(), memory);
  } catch {
    ex = null;
  }
  trainInstances.set(b, ex);
  return ex;
}

/** Sum or Mean over the leading axes [0, k) of a float tensor, row by row (SIMD); else tfjs's own. */
function wasmLeadingReduceKernel(original: tf.KernelFunc, mean: boolean) {
  return (args: KernelArgs): tf.TensorInfo => {
    const r = leadingReduction(args);
    if (!r) return original(args) as tf.TensorInfo;
    const { x, rows, inner, outShape } = r;
    const { backend } = args;
    const wb = backend as unknown as WasmHeapBackend;
    const out = wb.makeOutput(outShape, 'float32');
    const simd = inner % 4 === 0 ? trainKernels(backend) : null;
    if (simd) {
      simd.sum_rows(wb.typedArrayFromHeap(x).byteOffset, rows, inner, wb.typedArrayFromHeap(out).byteOffset);
      if (mean) {
        const os = wb.typedArrayFromHeap(out);
        for (let j = 0; j < inner; j++) os[j] /= rows;
      }
      return out;
    }
    const acc = new Float64Array(inner);
    const xs = wb.typedArrayFromHeap(x);
    for (let r = 0, o = 0; r < rows; r++, o += inner) for (let j = 0; j < inner; j++) acc[j] += xs[o + j];
    const os = wb.typedArrayFromHeap(out);
    const div = mean ? rows : 1;
    for (let j = 0; j < inner; j++) os[j] = acc[j] / div;
    return out;
  };
}

function wasmTileKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { inputs, attrs, backend } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    const { reps } = attrs as unknown as { reps: number[] };
    if (!numeric(x)) return original(args) as tf.TensorInfo;
    const wb = backend as unknown as WasmHeapBackend;
    const rank = x.shape.length;
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const out = wb.makeOutput(outShape, x.dtype);
    const heap = heapOf(wb, x);
    const xBase = wb.typedArrayFromHeap(x).byteOffset >> 2;
    const oBase = wb.typedArrayFromHeap(out).byteOffset >> 2;
    if (sizeOf(outShape) === 0) return out;
    if (rank === 0) {
      heap[oBase] = heap[xBase];
      return out;
    }
    const last = x.shape[rank - 1];
    tileInPlace(heap, oBase, x.shape, reps, (r, dst) => heap.copyWithin(dst, xBase + r * last, xBase + (r + 1) * last));
    return out;
  };
}

/** SplitV (the gradient of concat) by block copies inside the heap; tfjs's slices each part via a copy of the whole input. */
function wasmSplitVKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const { inputs, attrs, backend } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    if (!numeric(x)) return original(args) as tf.TensorInfo[];
    const rank = x.shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
    const wb = backend as unknown as WasmHeapBackend;
    const outer = sizeOf(x.shape.slice(0, ax));
    const inner = sizeOf(x.shape.slice(ax + 1));
    const dim = x.shape[ax];
    const outs = sizes.map((sz) => wb.makeOutput(x.shape.map((d, i) => (i === ax ? sz : d)), x.dtype));
    // Views after every allocation (which may grow the heap).
    const heap = heapOf(wb, x);
    const xBase = wb.typedArrayFromHeap(x).byteOffset >> 2;
    let off = 0;
    outs.forEach((out, k) => {
      const sz = sizes[k];
      const oBase = wb.typedArrayFromHeap(out).byteOffset >> 2;
      const run = sz * inner;
      for (let o = 0; o < outer; o++) {
        const src = xBase + (o * dim + off) * inner;
        heap.copyWithin(oBase + o * run, src, src + run);
      }
      off += sz;
    });
    return outs;
  };
}

function wasmIdentityKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return original(args) as tf.TensorInfo;
    (args.backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

const replaced: { original: tf.KernelConfig; fast: tf.KernelConfig }[] = [];

/** Replaces a kernel, keeping the original's setup (wasm kernels bind their C++ entry there). */
function replace(kernelName: string, backendName: string, make: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const original = tf.getKernel(kernelName, backendName);
  if (!original) return;
  tf.unregisterKernel(kernelName, backendName);
  const fast = { ...original, kernelFunc: make(original.kernelFunc) };
  tf.registerKernel(fast);
  replaced.push({ original, fast });
}

/**
 * Puts tfjs's own kernels back on `backendName` (or the project's again): tests compare the
 * replacements with the originals they replace.
 */
export function useOriginalKernels(backendName: string, original: boolean): void {
  for (const r of replaced) {
    if (r.original.backendName !== backendName) continue;
    tf.unregisterKernel(r.original.kernelName, backendName);
    tf.registerKernel(original ? r.original : r.fast);
  }
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
  replace('Identity', 'wasm', (original) => wasmIdentityKernel(original) as unknown as tf.KernelFunc);
  replace('SplitV', 'wasm', (original) => wasmSplitVKernel(original) as unknown as tf.KernelFunc);
  replace('Slice', 'wasm', (original) => wasmSliceKernel(original) as unknown as tf.KernelFunc);
  replace('Sum', 'wasm', (original) => wasmLeadingReduceKernel(original, false) as unknown as tf.KernelFunc);
  replace('Mean', 'wasm', (original) => wasmLeadingReduceKernel(original, true) as unknown as tf.KernelFunc);
  replace('Tile', 'wasm', (original) => wasmTileKernel(original) as unknown as tf.KernelFunc);
  for (const [name, make] of Object.entries(CPU_REPLACEMENTS)) replace(name, 'cpu', make);
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (transpose) replace('BatchMatMul', 'wasm', (original) => wasmMatMulKernel(original, transpose.kernelFunc) as unknown as tf.KernelFunc);
}
