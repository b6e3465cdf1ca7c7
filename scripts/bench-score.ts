/**
 * W-SCORE of ../shared/bench/REFERENCE.md: 200 single queries, top-50 over N unit vectors
 * (dim 64, float32, seeded). Measures the recommender's retrieval (VectorIndex: int8 SIMD scan
 * with a quantisation bound, float re-ranking — exact) and, for reference, the plain float32 scan
 * in JavaScript it replaced; recall@50 is checked against that exact scan for every query.
 *   npm run bench:score -- [--n 100000,1000000] [--queries 200] [--baseline]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { VectorIndex } from '../src/main/recommender/inference/vector-index';
import { Rng } from '../src/main/util/random';
import { topN } from '../src/main/recommender/evaluation/ranking';
import { percentile } from './lib/stats';

const { values } = parseArgs({
  options: { n: { type: 'string', default: '100000,1000000' }, queries: { type: 'string', default: '200' }, baseline: { type: 'boolean', default: false } },
});
const D = 64;
const K = 50;

function unitVectors(n: number, rng: Rng): Float32Array {
  const v = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < D; d++) {
      const x = rng.normal();
      v[i * D + d] = x;
      s += x * x;
    }
    const inv = 1 / Math.sqrt(s);
    for (let d = 0; d < D; d++) v[i * D + d] *= inv;
  }
  return v;
}

/** The exact float32 scan in plain JavaScript (the reference and the old method). */
function scan(items: Float32Array, n: number, q: Float32Array, out: Float32Array): void {
  for (let i = 0, o = 0; i < n; i++, o += D) {
    let s = 0;
    for (let d = 0; d < D; d++) s += items[o + d] * q[d];
    out[i] = s;
  }
}

const Q = Number(values.queries);
for (const n of values.n!.split(',').map(Number)) {
  const rng = new Rng(n);
  const items = unitVectors(n, rng);
  const queries = unitVectors(Q, rng);
  const tBuild = performance.now();
  const index = new VectorIndex(items, D);
  const buildMs = performance.now() - tBuild;
  const scores = new Float32Array(n);
  const times: number[] = [];
  const baseTimes: number[] = [];
  let hits = 0;
  let candidates = 0;
  const results: Int32Array[] = [];
  for (let q = 0; q < Q; q++) {
    const qv = queries.subarray(q * D, (q + 1) * D);
    const t0 = performance.now();
    const got = index.search(qv, K);
    times.push(performance.now() - t0);
    candidates += got.candidates;
    results.push(got.ids);
  }
  // The exact JavaScript scan after the timed loop, so that its garbage does not land in it.
  for (let q = 0; q < Q; q++) {
    const qv = queries.subarray(q * D, (q + 1) * D);
    const got = results[q];
    const t1 = performance.now();
    scan(items, n, qv, scores);
    const want = topN(scores, K);
    baseTimes.push(performance.now() - t1);
    const set = new Set(want);
    for (const i of got) if (set.has(i)) hits++;
  }
  const line = {
    workload: 'W-SCORE', n, k: K,
    p50_ms: +percentile(times, 0.5).toFixed(3), p99_ms: +percentile(times, 0.99).toFixed(3), recall: +(hits / (Q * K)).toFixed(4),
    method: 'int8 SIMD scan (wasm) + quantisation bound + float re-rank', threads: index.threads,
    mean_candidates: Math.round(candidates / Q), build_ms: Math.round(buildMs), index_mb: Math.round(index.memoryBytes / 2 ** 20),
    js_float_scan_p50_ms: +percentile(baseTimes, 0.5).toFixed(3),
    node: process.version, cpus: os.cpus().length,
  };
  index.close();
  console.log(JSON.stringify(line));
}
