import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VectorIndex } from '../../src/main/recommender/inference/vector-index';
import { Rng } from '../../src/main/util/random';
import { compileWat, generatedPath, moduleSource } from '../../scripts/build-wasm';

/** Brute force in float64: the rows of the k best inner products (ties by lower row). */
function bruteForce(v: Float32Array, dim: number, q: Float32Array, k: number, allow?: Uint8Array): { ids: number[]; scores: number[] } {
  const n = v.length / dim;
  const all: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    if (allow && !allow[i]) continue;
    let s = 0;
    for (let d = 0; d < dim; d++) s += v[i * dim + d] * q[d];
    all.push([i, s]);
  }
  all.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const top = all.slice(0, k);
  return { ids: top.map((x) => x[0]), scores: top.map((x) => x[1]) };
}

function vectors(rng: Rng, n: number, dim: number, opts: { unit?: boolean; skew?: boolean } = {}): Float32Array {
  const v = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      // Skewed: dimensions with very different ranges, and rows of different norms.
      const x = rng.normal() * (opts.skew ? (d % 7 === 0 ? 5 : 0.2) * (1 + (i % 5)) : 1);
      v[i * dim + d] = x;
      s += x * x;
    }
    if (opts.unit) for (let d = 0; d < dim; d++) v[i * dim + d] /= Math.sqrt(s);
  }
  return v;
}

const open: VectorIndex[] = [];
afterAll(() => open.forEach((x) => x.close()));

function expectSame(got: { ids: Int32Array; scores: Float32Array }, want: { ids: number[]; scores: number[] }) {
  expect(got.ids.length).toBe(want.ids.length);
  // The same items; positions may only differ between items whose scores tie in float32.
  for (let j = 0; j < want.ids.length; j++) {
    expect(Math.abs(got.scores[j] - want.scores[j])).toBeLessThan(1e-5 * Math.max(1, Math.abs(want.scores[j])));
  }
  const kth = want.scores[want.scores.length - 1];
  const strict = want.ids.filter((_, j) => want.scores[j] > kth + 1e-5 * Math.max(1, Math.abs(kth)));
  const gotSet = new Set(got.ids);
  for (const i of strict) expect(gotSet.has(i)).toBe(true);
}

describe('VectorIndex (int8 scan + bound + float re-rank)', () => {
  it.each([
    ['unit vectors, dim 64', 20000, 64, { unit: true }],
    ['dim 32 (padded to 64)', 8000, 32, { unit: true }],
    ['dim 37, unnormalised, skewed ranges and norms', 6000, 37, { skew: true }],
    ['dim 128 (two groups)', 5000, 128, {}],
  ] as const)('returns exactly the brute-force top k: %s', (_, n, dim, opts) => {
    const rng = new Rng(n + dim);
    const v = vectors(rng, n, dim, opts);
    const index = new VectorIndex(v, dim, { threads: 1 });
    open.push(index);
    for (let t = 0; t < 25; t++) {
      const q = t === 0 ? v.slice(0, dim) : vectors(rng, 1, dim, opts); // the first query is an item itself
      for (const k of [1, 10, 50]) expectSame(index.search(q, k), bruteForce(v, dim, q, k));
    }
  });

  it('respects an allow mask, including one that leaves fewer than k items or items that score low', () => {
    const rng = new Rng(5);
    const dim = 64;
    const n = 30000;
    const v = vectors(rng, n, dim, { unit: true });
    const index = new VectorIndex(v, dim, { threads: 1 });
    open.push(index);
    const q = vectors(rng, 1, dim, { unit: true });
    // Only the items the query likes least are allowed: the sample threshold is far too high.
    const order = bruteForce(v, dim, q, n).ids;
    const worst = new Uint8Array(n);
    for (const i of order.slice(-300)) worst[i] = 1;
    expectSame(index.search(q, 50, { allow: worst }), bruteForce(v, dim, q, 50, worst));
    const few = new Uint8Array(n);
    [3, 77, 12345].forEach((i) => (few[i] = 1));
    const r = index.search(q, 50, { allow: few });
    expect([...r.ids].sort((a, b) => a - b)).toEqual([3, 77, 12345]);
    expect(index.search(q, 50, { allow: new Uint8Array(n) }).ids.length).toBe(0);
    const half = Uint8Array.from({ length: n }, (_, i) => i % 2);
    expectSame(index.search(q, 100, { allow: half }), bruteForce(v, dim, q, 100, half));
  });

  it('gives the same answers with a helper thread as without', () => {
    const rng = new Rng(8);
    const dim = 64;
    const v = vectors(rng, 50001, dim, { unit: true });
    const one = new VectorIndex(v, dim, { threads: 1 });
    const two = new VectorIndex(v, dim, { threads: 2 });
    open.push(one, two);
    expect(two.threads).toBe(2);
    for (let t = 0; t < 10; t++) {
      const q = vectors(rng, 1, dim, { unit: true });
      const a = one.search(q, 50);
      const b = two.search(q, 50);
      expect(Array.from(b.ids)).toEqual(Array.from(a.ids));
    }
    two.close();
    expect(two.search(v.slice(0, dim), 1).ids[0]).toBe(0); // still answers on its own thread
  });

  it('rejects rows and queries of the wrong shape', () => {
    expect(() => new VectorIndex(new Float32Array(10), 3)).toThrow(/not rows of 3/);
    const index = new VectorIndex(new Float32Array(12), 3, { threads: 1 });
    expect(() => index.search(new Float32Array(4), 1)).toThrow(/query has 4 values, the index 3/);
  });

  it('ships the binaries compiled from their WebAssembly text (scan.wat, train.wat)', async () => {
    const root = path.join(__dirname, '../../src/main/recommender');
    for (const wat of [path.join(root, 'inference/wasm/scan.wat'), path.join(root, 'backend/wasm/train.wat')]) {
      const bytes = await compileWat(wat);
      expect(fs.readFileSync(generatedPath(wat), 'utf8')).toBe(moduleSource(path.basename(wat), bytes));
    }
  });
});
