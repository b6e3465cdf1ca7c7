/**
 * W-SCORE of ../shared/bench/REFERENCE.md: 200 single queries, top-50 over N unit vectors
 * (dim 64, float32, seeded), with the exact scan the recommender uses today.
 *   npm run bench:score -- [--n 100000,1000000]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Rng } from '../src/main/recommender/random';
import { topN } from '../src/main/recommender/training/evaluate';
import { percentile } from './lib/stats';

const { values } = parseArgs({ options: { n: { type: 'string', default: '100000,1000000' }, queries: { type: 'string', default: '200' } } });
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

function scan(items: Float32Array, n: number, q: Float32Array, out: Float32Array): void {
  for (let i = 0, o = 0; i < n; i++, o += D) {
    let s = 0;
    for (let d = 0; d < D; d++) s += items[o + d] * q[d];
    out[i] = s;
  }
}

const pct = percentile;

for (const n of values.n!.split(',').map(Number)) {
  const rng = new Rng(n);
  const items = unitVectors(n, rng);
  const queries = unitVectors(Number(values.queries), rng);
  const scores = new Float32Array(n);
  const times: number[] = [];
  for (let q = 0; q < Number(values.queries); q++) {
    const qv = queries.subarray(q * D, (q + 1) * D);
    const t0 = performance.now();
    scan(items, n, qv, scores);
    topN(scores, K);
    times.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ workload: 'W-SCORE', n, k: K, p50_ms: +pct(times, 0.5).toFixed(3), p99_ms: +pct(times, 0.99).toFixed(3), recall: 1, method: 'exact float32 scan (JS)', node: process.version, cpus: os.cpus().length }));
}
