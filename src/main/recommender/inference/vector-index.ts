/**
 * Exact top-K inner-product search over item vectors: an int8 SIMD scan in WebAssembly picks the
 * candidates, float re-ranking orders them, and an error bound on the quantisation makes the
 * result exact (the same top K as a float scan, up to float rounding ties).
 *
 * Why: a float32 scan in JavaScript reads 4 bytes per dimension and runs one scalar multiply-add
 * each (6.7 ms for 100k × 64, 66 ms for 1M); the int8 scan reads a quarter of the memory and does
 * 16 multiply-adds per instruction.
 *
 * Quantisation: per dimension d, codes x̂ = round(x / s_d) with s_d = max|x_d| / 63 (63, not
 * 127, so eight products summed in an i16 lane cannot overflow). A query q becomes q' = q ⊙ s,
 * quantised with its own scale s_q. Then for every item
 *   |x·q − s_q·(x̂·q̂)| ≤ B = ½ Σ_d |q_d| s_d + ½ s_q · max_i ‖x̂_i‖₁,
 * so an item can only be in the true top K if its approximate score is within 2B of the K-th
 * best approximate score. Those candidates (a few hundred for 1M random unit vectors) are scored
 * in float and sorted.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { WA, instantiate, lazyModule, type WasmMemory } from '../../util/wasm';
import { WASM_BASE64 } from './wasm/scan-wasm';

interface ScanExports {
  scan_i8(items: number, n: number, dim: number, q: number, out: number): void;
  filter_ge(scores: number, n: number, thr: number, idx: number, cap: number): number;
}

const scanModule = lazyModule(WASM_BASE64);

/** True where this JavaScript engine runs WebAssembly SIMD (Node ≥ 16.4, every current browser). */
export function wasmSimdAvailable(): boolean {
  try {
    scanModule();
    return true;
  } catch {
    return false;
  }
}

/**
 * A helper thread that scans its share of the items when told to: control words are
 * [generation, items, n, dim, query, out, done]; the main thread bumps the generation and
 * notifies, the helper scans and stores done = generation. An eval'd worker needs no file, so it
 * works the same from the CLIs, the tests and the bundled Electron main process.
 */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(c, 0, seen);
  seen = Atomics.load(c, 0);
  if (seen < 0) break;
  ex.scan_i8(c[1], c[2], c[3], c[4], c[5]);
  Atomics.store(c, 6, seen);
  Atomics.notify(c, 6);
}
`;

class ScanHelper {
  private readonly control = new Int32Array(new SharedArrayBuffer(7 * 4));
  private readonly worker: Worker;
  private gen = 0;
  constructor(module: object, memory: WasmMemory) {
    this.worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory, control: this.control.buffer } });
    this.worker.unref();
  }
  start(items: number, n: number, dim: number, q: number, out: number): void {
    const c = this.control;
    c[1] = items;
    c[2] = n;
    c[3] = dim;
    c[4] = q;
    c[5] = out;
    Atomics.store(c, 0, ++this.gen);
    Atomics.notify(c, 0);
  }
  wait(): void {
    const c = this.control;
    while (Atomics.load(c, 6) !== this.gen) Atomics.wait(c, 6, Atomics.load(c, 6), 1000);
  }
  close(): void {
    Atomics.store(this.control, 0, -1);
    Atomics.notify(this.control, 0);
    void this.worker.terminate();
  }
}

export interface IndexOptions {
  /**
   * Threads that scan (this one included). `auto`: two from 200,000 items on a machine with at
   * least two cores — the int8 scan of 1M × 64 reads 64 MB, and one core cannot pull that
   * through in the 5 ms a query may take — otherwise one.
   */
  threads?: number | 'auto';
}

export interface SearchOptions {
  /** Only items with allow[i] ≠ 0 are returned. */
  allow?: Uint8Array;
}

export interface SearchResult {
  /** Item rows, best first. */
  ids: Int32Array;
  /** Their exact inner products with the query. */
  scores: Float32Array;
  /** How many items were scored in float (a measure of the bound's tightness). */
  candidates: number;
}

const QMAX = 63;

export class VectorIndex {
  /** Number of items. */
  readonly n: number;
  private readonly wasm: ScanExports;
  private readonly memory: WasmMemory;
  private readonly helpers: ScanHelper[] = [];
  private readonly dimPadded: number;
  private readonly scale: Float32Array;
  private readonly maxL1: number;
  private readonly qOff: number;
  private readonly codesOff: number;
  private readonly scoresOff: number;
  private readonly idxOff: number;

  /**
   * @param vectors n × dim float32 rows (kept by reference for the exact re-ranking)
   */
  constructor(readonly vectors: Float32Array, readonly dim: number, opts: IndexOptions = {}) {
    if (!Number.isInteger(dim) || dim <= 0 || vectors.length % dim !== 0) throw new Error(`VectorIndex: ${vectors.length} values are not rows of ${dim}`);
    const n = vectors.length / dim;
    this.n = n;
    this.dimPadded = Math.ceil(dim / 64) * 64;
    const P = this.dimPadded;
    this.scale = new Float32Array(dim);
    for (let i = 0, o = 0; i < n; i++, o += dim) {
      for (let d = 0; d < dim; d++) {
        const a = Math.abs(vectors[o + d]);
        if (a > this.scale[d]) this.scale[d] = a;
      }
    }
    for (let d = 0; d < dim; d++) this.scale[d] = this.scale[d] > 0 ? this.scale[d] / QMAX : 1;
    // Memory: query codes | item codes | scores (int32) | candidate rows (int32).
    this.qOff = 0;
    this.codesOff = P;
    this.scoresOff = this.codesOff + n * P;
    this.idxOff = this.scoresOff + n * 4;
    const pages = Math.max(1, Math.ceil((this.idxOff + n * 4) / 65536));
    this.memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
    this.wasm = instantiate<ScanExports>(scanModule(), this.memory);
    const threads = opts.threads === undefined || opts.threads === 'auto' ? (n >= 200_000 && os.cpus().length >= 2 ? 2 : 1) : Math.max(1, Math.floor(opts.threads));
    for (let t = 1; t < threads; t++) this.helpers.push(new ScanHelper(scanModule(), this.memory));
    const codes = new Int8Array(this.memory.buffer, this.codesOff, n * P);
    const inv = Float32Array.from(this.scale, (s) => 1 / s);
    let maxL1 = 0;
    for (let i = 0, o = 0; i < n; i++, o += dim) {
      let l1 = 0;
      for (let d = 0; d < dim; d++) {
        const c = Math.max(-QMAX, Math.min(QMAX, Math.round(vectors[o + d] * inv[d])));
        codes[i * P + d] = c;
        l1 += Math.abs(c);
      }
      if (l1 > maxL1) maxL1 = l1;
    }
    this.maxL1 = maxL1;
  }

  /** Bytes of WebAssembly memory the index holds (codes, scores, candidate rows). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Threads scanning (this one included). */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Stops the helper threads; the index still answers, on this thread alone. */
  close(): void {
    for (const h of this.helpers.splice(0)) h.close();
  }

  /** Integer scores of every item into the scores region, split across the threads. */
  private scanAll(): void {
    const { n, dimPadded: P } = this;
    const parts = this.helpers.length + 1;
    const per = Math.ceil(n / parts);
    this.helpers.forEach((h, j) => {
      const s = (j + 1) * per;
      const e = Math.min(n, s + per);
      if (e > s) h.start(this.codesOff + s * P, e - s, P, this.qOff, this.scoresOff + s * 4);
    });
    this.wasm.scan_i8(this.codesOff, Math.min(n, per), P, this.qOff, this.scoresOff);
    this.helpers.forEach((h, j) => {
      if ((j + 1) * per < n) h.wait();
    });
  }

  private exactDot(q: Float32Array, row: number): number {
    const D = this.dim;
    const v = this.vectors;
    let s = 0;
    for (let d = 0, o = row * D; d < D; d++) s += q[d] * v[o + d];
    return s;
  }

  /** The k items with the largest inner product with q (fewer when fewer are allowed). */
  search(q: Float32Array, k: number, opts: SearchOptions = {}): SearchResult {
    const { n, dim } = this;
    if (q.length !== dim) throw new Error(`VectorIndex.search: query has ${q.length} values, the index ${dim}`);
    const allow = opts.allow;
    k = Math.max(0, Math.min(k, n));
    if (k === 0 || n === 0) return { ids: new Int32Array(0), scores: new Float32Array(0), candidates: 0 };
    const buf = this.memory.buffer;
    // Quantise the query (q ⊙ s) and bound the error.
    const qs = new Float32Array(dim);
    let qMax = 0;
    let errQ = 0;
    for (let d = 0; d < dim; d++) {
      qs[d] = q[d] * this.scale[d];
      qMax = Math.max(qMax, Math.abs(qs[d]));
      errQ += Math.abs(q[d]) * this.scale[d];
    }
    const sq = qMax > 0 ? qMax / QMAX : 1;
    const qCodes = new Int8Array(buf, this.qOff, this.dimPadded);
    qCodes.fill(0);
    for (let d = 0; d < dim; d++) qCodes[d] = Math.round(qs[d] / sq);
    const bound = 0.5 * errQ + 0.5 * sq * this.maxL1;
    // In integer score units, with a unit of slack for the float rounding of the bound itself.
    const margin = Math.ceil((2 * bound) / sq) + 1;
    this.scanAll();
    const scores = new Int32Array(buf, this.scoresOff, n);
    const idx = new Int32Array(buf, this.idxOff, n);

    // A first threshold from a sample: the score that about 4k allowed items reach, less the
    // margin. The sample is large enough for that rank to be ≥ 8 in it, so that one item far
    // above the rest (the query's own vector, say) cannot set it.
    const allowed = allow ? countAllowed(allow) : n;
    if (allowed === 0) return { ids: new Int32Array(0), scores: new Float32Array(0), candidates: 0 };
    const want = Math.max(4096, Math.ceil((8 * allowed) / (4 * k)));
    const stride = Math.max(1, Math.floor(n / want));
    const sample = new Int32Array(Math.ceil(n / stride));
    let m = 0;
    for (let i = 0; i < n; i += stride) if (!allow || allow[i]) sample[m++] = scores[i];
    let thr = m === 0 ? -0x7fffffff : kthLargest(sample.subarray(0, m), Math.min(m, 1 + Math.floor((4 * k * m) / allowed))) - margin;
    let widen = margin;
    for (;;) {
      const count = this.wasm.filter_ge(this.scoresOff, n, thr, this.idxOff, n);
      // Keep the allowed ones (in place) with their approximate scores.
      let c = 0;
      for (let j = 0; j < count; j++) {
        const i = idx[j];
        if (!allow || allow[i]) idx[c++] = i;
      }
      if (c < k && thr > -0x7fffffff && c < allowed) {
        // Too few: widen (the sample was unlucky or the allowed items score low).
        thr -= widen;
        widen *= 2;
        if (thr < -0x40000000) thr = -0x7fffffff;
        continue;
      }
      const approx = this.scratchInt(c);
      for (let j = 0; j < c; j++) approx[j] = scores[idx[j]];
      // The k-th best approximate score among the allowed candidates decides who can still win.
      const needed = kthLargest(approx, Math.min(k, c)) - margin;
      if (c >= k && needed < thr) {
        thr = needed;
        continue;
      }
      return this.rerank(q, idx, c, scores, needed, k);
    }
  }

  private intScratch = new Int32Array(0);
  private floatScratch = new Float64Array(0);
  private scratchInt(size: number): Int32Array {
    if (this.intScratch.length < size) this.intScratch = new Int32Array(Math.max(size, 2 * this.intScratch.length));
    return this.intScratch.subarray(0, size);
  }

  /** Exact scores for the candidates whose approximate score reaches `needed`; the best k, sorted. */
  private rerank(q: Float32Array, idx: Int32Array, c: number, approx: Int32Array, needed: number, k: number): SearchResult {
    const D = this.dim;
    const v = this.vectors;
    if (this.floatScratch.length < 2 * c) this.floatScratch = new Float64Array(Math.max(2 * c, 2 * this.floatScratch.length));
    const exact = this.floatScratch.subarray(0, c);
    const work = this.floatScratch.subarray(c, 2 * c);
    let m = 0;
    for (let j = 0; j < c; j++) {
      const i = idx[j];
      if (approx[i] < needed) continue;
      let s = 0;
      for (let d = 0, o = i * D; d < D; d++) s += q[d] * v[o + d];
      idx[m] = i;
      exact[m] = s;
      work[m] = s;
      m++;
    }
    const take = Math.min(k, m);
    const cut = take ? kthLargestFloat(work.subarray(0, m), take) : Infinity;
    const rows: number[] = [];
    for (let j = 0; j < m; j++) if (exact[j] >= cut) rows.push(j);
    rows.sort((a, b) => exact[b] - exact[a] || idx[a] - idx[b]);
    rows.length = Math.min(rows.length, take);
    return { ids: Int32Array.from(rows, (j) => idx[j]), scores: Float32Array.from(rows, (j) => exact[j]), candidates: m };
  }
}

function countAllowed(allow: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < allow.length; i++) if (allow[i]) c++;
  return c;
}

/** The k-th largest value (1-based) of a, by quickselect; a is reordered. */
function kthLargest(a: Int32Array, k: number): number {
  return select(a, k);
}

function kthLargestFloat(a: Float64Array, k: number): number {
  return select(a, k);
}

function select(a: Int32Array | Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}
