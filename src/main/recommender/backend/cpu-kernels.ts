/**
 * Kernels the project registers over tfjs-backend-cpu's (the fallback when WebAssembly cannot
 * load): its element-wise Multiply / Add / Sub / RealDiv take a generic path for any broadcast —
 * an index conversion per element, ~30× slower than a loop — and every Dense, batch-norm and
 * L2-normalisation step broadcasts a row or a column; Sum and Mean over leading axes transpose
 * first; Tile, SplitV and Transpose (even the identity permutation that every embedding gradient asks for) walk element by element; BatchMatMul runs at 0.5–1 GFLOP/s. Each is
 * replaced by plain loops (the row / column / scalar / same-shape broadcasts; matrix products
 * blocked in registers); everything else goes to the original kernel.
 */
import { tf } from './tf';
import type { CpuBackendLike, KernelArgs } from './kernel-types';

type Values = Float32Array | Int32Array;

const sizeOf = (shape: number[]) => shape.reduce((a, c) => a * c, 1);
const valuesOf = (b: CpuBackendLike, t: tf.TensorInfo) => b.data.get(t.dataId).values as Values;

/**
 * How an input of shape `p` (left-padded to the output's rank) is read for an output viewed as
 * [outer, inner] split at axis `s`: stride per outer index and per inner index, or null when the
 * broadcast is not one of full / row (varies with the inner axes only) / column (outer only) / scalar.
 */
function strides(p: number[], o: number[], s: number, inner: number): [number, number] | null {
  const size = sizeOf(p);
  if (size === 1) return [0, 0];
  const same = (a: number, b: number) => p.slice(a, b).every((d, i) => d === o[a + i]);
  const ones = (a: number, b: number) => p.slice(a, b).every((d) => d === 1);
  if (same(0, o.length)) return [inner, 1];
  if (ones(0, s) && same(s, o.length)) return [0, 1];
  if (same(0, s) && ones(s, o.length)) return [1, 0];
  return null;
}

type Op = 'Multiply' | 'Add' | 'Sub' | 'RealDiv';

function binaryLoop(op: Op, A: Values, B: Values, out: Float32Array, outer: number, inner: number, as: [number, number], bs: [number, number]): void {
  const [aO, aI] = as;
  const [bO, bI] = bs;
  let k = 0;
  for (let o = 0; o < outer; o++) {
    let ai = o * aO;
    let bi = o * bO;
    switch (op) {
      case 'Multiply':
        for (let i = 0; i < inner; i++, ai += aI, bi += bI) out[k++] = A[ai] * B[bi];
        break;
      case 'Add':
        for (let i = 0; i < inner; i++, ai += aI, bi += bI) out[k++] = A[ai] + B[bi];
        break;
      case 'Sub':
        for (let i = 0; i < inner; i++, ai += aI, bi += bI) out[k++] = A[ai] - B[bi];
        break;
      case 'RealDiv':
        for (let i = 0; i < inner; i++, ai += aI, bi += bI) out[k++] = A[ai] / B[bi];
        break;
    }
  }
}

function cpuBinaryKernel(op: Op, original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args) as tf.TensorInfo;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const rank = outShape.length;
    const pad = (s: number[]) => [...Array(rank - s.length).fill(1), ...s];
    const pa = pad(a.shape);
    const pb = pad(b.shape);
    const total = sizeOf(outShape);
    // The first split that fits gives the longest inner loop (s = 0: same shape or a scalar).
    for (let s = 0; s <= rank; s++) {
      const inner = sizeOf(outShape.slice(s));
      const as = strides(pa, outShape, s, inner);
      const bs = as && strides(pb, outShape, s, inner);
      if (!as || !bs) continue;
      const cb = args.backend as unknown as CpuBackendLike;
      const out = new Float32Array(total);
      if (total > 0) binaryLoop(op, valuesOf(cb, a), valuesOf(cb, b), out, total / inner || 0, inner, as, bs);
      return cb.makeTensorInfo(outShape, 'float32', out);
    }
    return original(args) as tf.TensorInfo;
  };
}

/**
 * A float32 Sum / Mean over the leading axes only (the first k of a rank ≥ 2 tensor, not all of
 * them) as `rows` × `inner` values, with the output shape; null for any other reduction.
 */
export function leadingReduction(args: KernelArgs): { x: tf.TensorInfo; rows: number; inner: number; outShape: number[] } | null {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, c) => a - c);
  const k = axes.length;
  if (x.dtype !== 'float32' || rank < 2 || k === 0 || k === rank || axes.some((a, i) => a !== i)) return null;
  const rows = sizeOf(x.shape.slice(0, k));
  const rest = x.shape.slice(k);
  if (rows === 0) return null;
  return { x, rows, inner: sizeOf(rest), outShape: keepDims ? [...Array(k).fill(1), ...rest] : rest };
}

/** Sum / Mean over leading axes (bias gradients, batch statistics) as one pass over the rows. */
function cpuLeadingReduceKernel(original: tf.KernelFunc, mean: boolean) {
  return (args: KernelArgs): tf.TensorInfo => {
    const r = leadingReduction(args);
    if (!r) return original(args) as tf.TensorInfo;
    const { x, rows, inner, outShape } = r;
    const cb = args.backend as unknown as CpuBackendLike;
    const xs = valuesOf(cb, x);
    const acc = new Float64Array(inner);
    for (let r = 0, o = 0; r < rows; r++, o += inner) for (let j = 0; j < inner; j++) acc[j] += xs[o + j];
    const out = new Float32Array(inner);
    const div = mean ? rows : 1;
    for (let j = 0; j < inner; j++) out[j] = acc[j] / div;
    return cb.makeTensorInfo(outShape, 'float32', out);
  };
}

/**
 * Tile into `out` (at `oBase`), innermost axis first: `copyRow(r, dst)` places input row r at
 * `dst`; every level then repeats the blocks below it in place. Shared with the wasm kernel.
 */
export function tileInPlace(out: Values, oBase: number, shape: number[], reps: number[], copyRow: (r: number, dst: number) => void): void {
  const rank = shape.length;
  const last = shape[rank - 1];
  const outer = sizeOf(shape.slice(0, -1));
  const rowOut = last * reps[rank - 1];
  for (let r = 0; r < outer; r++) {
    const dst = oBase + r * rowOut;
    copyRow(r, dst);
    for (let k = 1; k < reps[rank - 1]; k++) out.copyWithin(dst + k * last, dst, dst + last);
  }
  // Levels rank-2 … 0: blocks of `block` values, `count` of them, each repeated reps[d] times;
  // processed from the end so that expanded blocks never overwrite unread ones.
  let block = rowOut;
  let count = outer;
  for (let d = rank - 2; d >= 0; d--) {
    count /= shape[d];
    const group = shape[d] * block; // one run of axis d, already laid out
    for (let g = count - 1; g >= 0; g--) {
      const src = oBase + g * group;
      const dst = oBase + g * group * reps[d];
      if (dst !== src) out.copyWithin(dst, src, src + group);
      for (let k = 1; k < reps[d]; k++) out.copyWithin(dst + k * group, dst, dst + group);
    }
    block = group * reps[d];
  }
}

function cpuTileKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length === 0) return original(args) as tf.TensorInfo;
    const cb = args.backend as unknown as CpuBackendLike;
    const xs = valuesOf(cb, x);
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const out = x.dtype === 'int32' ? new Int32Array(sizeOf(outShape)) : new Float32Array(sizeOf(outShape));
    const last = x.shape[x.shape.length - 1];
    if (out.length > 0) tileInPlace(out, 0, x.shape, reps, (r, dst) => out.set(xs.subarray(r * last, (r + 1) * last), dst));
    return cb.makeTensorInfo(outShape, x.dtype, out);
  };
}

function cpuSplitVKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return original(args) as tf.TensorInfo[];
    const rank = x.shape.length;
    const ax = axis < 0 ? axis + rank : axis;
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
    const cb = args.backend as unknown as CpuBackendLike;
    const xs = valuesOf(cb, x);
    const outer = sizeOf(x.shape.slice(0, ax));
    const inner = sizeOf(x.shape.slice(ax + 1));
    const dim = x.shape[ax];
    let off = 0;
    return sizes.map((sz) => {
      const run = sz * inner;
      const out = x.dtype === 'int32' ? new Int32Array(outer * run) : new Float32Array(outer * run);
      for (let o = 0; o < outer; o++) {
        const src = (o * dim + off) * inner;
        out.set(xs.subarray(src, src + run), o * run);
      }
      off += sz;
      return cb.makeTensorInfo(x.shape.map((d, i) => (i === ax ? sz : d)), x.dtype, out);
    });
  };
}

/**
 * C[m×n] = A[m×k] · Btᵀ with Bt stored n×k: every output is a dot product of two contiguous rows,
 * computed two rows × four columns at a time so the eight sums stay in registers (≈ 4 GFLOP/s
 * here against tfjs-backend-cpu's 0.5–1: it reloads and stores C for every multiply-add).
 * Sums are in double precision, as tfjs's are, and rounded to float32 once.
 */
export function matMulRows(A: Values, aOff: number, Bt: Values, bOff: number, m: number, k: number, n: number, C: Float32Array, cOff: number): void {
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = aOff + i * k;
    const a1 = a0 + k;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p];
        const x1 = A[a1 + p];
        const y0 = Bt[b0 + p];
        const y1 = Bt[b1 + p];
        const y2 = Bt[b2 + p];
        const y3 = Bt[b3 + p];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
      }
      const o0 = cOff + i * n + j;
      const o1 = o0 + n;
      C[o0] = c00; C[o0 + 1] = c01; C[o0 + 2] = c02; C[o0 + 3] = c03;
      C[o1] = c10; C[o1 + 1] = c11; C[o1 + 2] = c12; C[o1 + 3] = c13;
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let c0 = 0, c1 = 0;
      for (let p = 0; p < k; p++) {
        c0 += A[a0 + p] * Bt[b0 + p];
        c1 += A[a1 + p] * Bt[b0 + p];
      }
      C[cOff + i * n + j] = c0;
      C[cOff + (i + 1) * n + j] = c1;
    }
  }
  for (; i < m; i++) {
    const a0 = aOff + i * k;
    for (let j = 0; j < n; j++) {
      const b0 = bOff + j * k;
      let c = 0;
      for (let p = 0; p < k; p++) c += A[a0 + p] * Bt[b0 + p];
      C[cOff + i * n + j] = c;
    }
  }
}

/** `count` matrices of rows × cols, each transposed (cols × rows), in a new array. */
function transposeBatch(src: Values, count: number, rows: number, cols: number): Float32Array {
  const dst = new Float32Array(count * rows * cols);
  for (let b = 0; b < count; b++) {
    const o = b * rows * cols;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[o + c * rows + r] = src[o + r * cols + c];
  }
  return dst;
}

function cpuMatMulKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return original(args) as tf.TensorInfo;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchA = a.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    const nA = sizeOf(batchA);
    const nB = sizeOf(batchB);
    const sameBatch = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
    if (!sameBatch && nA !== 1 && nB !== 1) return original(args) as tf.TensorInfo;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb) return original(args) as tf.TensorInfo; // tfjs's error message
    const batch = Math.max(nA, nB);
    const outShape = [...(nA >= nB ? batchA : batchB), m, n];
    const cb = args.backend as unknown as CpuBackendLike;
    const av = valuesOf(cb, a);
    const bv = valuesOf(cb, b);
    const A = transposeA ? transposeBatch(av, nA, k, m) : av; // rows of A: m × k
    const Bt = transposeB ? bv : transposeBatch(bv, nB, k, n); // rows of Bᵀ: n × k
    const out = new Float32Array(batch * m * n);
    for (let i = 0; i < batch; i++) {
      matMulRows(A, (nA === 1 ? 0 : i) * m * k, Bt, (nB === 1 ? 0 : i) * n * k, m, k, n, out, i * m * n);
    }
    return cb.makeTensorInfo(outShape, 'float32', out);
  };
}

/** Transpose: the identity permutation (every embedding gradient asks for one) is a copy; 2-D a plain loop. */
function cpuTransposeKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return original(args) as tf.TensorInfo;
    const cb = args.backend as unknown as CpuBackendLike;
    const xs = valuesOf(cb, x);
    if (perm.every((p, i) => p === i)) return cb.makeTensorInfo(x.shape, x.dtype, xs.slice());
    if (x.dtype === 'float32' && perm.length === 2) return cb.makeTensorInfo([x.shape[1], x.shape[0]], 'float32', transposeBatch(xs, 1, x.shape[0], x.shape[1]));
    return original(args) as tf.TensorInfo;
  };
}

/** The replacements, by kernel name, each built over the original kernel it falls back to. */
export const CPU_REPLACEMENTS: Record<string, (original: tf.KernelFunc) => tf.KernelFunc> = {
  Multiply: (o) => cpuBinaryKernel('Multiply', o),
  Add: (o) => cpuBinaryKernel('Add', o),
  Sub: (o) => cpuBinaryKernel('Sub', o),
  RealDiv: (o) => cpuBinaryKernel('RealDiv', o),
  Sum: (o) => cpuLeadingReduceKernel(o, false),
  Mean: (o) => cpuLeadingReduceKernel(o, true),
  Tile: (o) => cpuTileKernel(o) as unknown as tf.KernelFunc,
  SplitV: (o) => cpuSplitVKernel(o) as unknown as tf.KernelFunc,
  BatchMatMul: (o) => cpuMatMulKernel(o),
  Transpose: (o) => cpuTransposeKernel(o),
};
