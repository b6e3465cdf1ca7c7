import { describe, expect, it } from 'vitest';
import { ensureGradients, initBackend, tf } from '../../src/main/recommender/backend';
import { useOriginalKernels } from '../../src/main/recommender/backend/kernels';

ensureGradients();
import { Rng } from '../../src/main/util/random';
import '../helpers/env';

/** Reference gradient of sum(w ⊙ gather(params, idx)) with respect to params, by hand. */
function reference(rows: number, dim: number, idx: number[], w: Float32Array): Float32Array {
  const g = new Float32Array(rows * dim);
  idx.forEach((r, i) => {
    for (let d = 0; d < dim; d++) g[r * dim + d] += w[i * dim + d];
  });
  return g;
}

describe.each(['wasm', 'cpu'] as const)('embedding gradients on the %s backend', (backend) => {
  it('equal the reference computation (repeated indices accumulate)', async () => {
    const info = await initBackend(backend, true);
    expect(info.name).toBe(backend);
    const rng = new Rng(3);
    const rows = 500;
    const dim = 8;
    const idx = Array.from({ length: 300 }, () => rng.int(rows));
    idx.push(7, 7, 7); // duplicates must add up
    const w = Float32Array.from({ length: idx.length * dim }, () => rng.normal());
    const params = tf.variable(tf.randomNormal([rows, dim], 0, 1, 'float32', 1));
    const idxT = tf.tensor1d(idx, 'int32');
    const wT = tf.tensor2d(w, [idx.length, dim]);
    const grad = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, idxT), wT)))(params);
    const got = grad.dataSync();
    const want = reference(rows, dim, idx, w);
    let maxErr = 0;
    for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    expect(maxErr).toBeLessThan(1e-4);
    // A gathered 3-D lookup (the history input) goes through the same kernel.
    const idx2 = tf.tensor2d([[1, 2], [2, 3]], [2, 2], 'int32');
    const g2 = tf.grad((p: tf.Tensor) => tf.sum(tf.gather(p, tf.reshape(idx2, [4]))))(params).dataSync();
    expect(g2[2 * dim]).toBeCloseTo(2, 5);
    expect(g2[0]).toBe(0);
    tf.dispose([params, idxT, wT, grad]);
  });
});

describe('the wasm kernels that replace tfjs own (row Gather, transposed BatchMatMul)', () => {
  /** Runs f on wasm and on cpu with tfjs's own kernels (the reference). */
  async function onBoth(f: () => tf.Tensor): Promise<[ArrayLike<number>, ArrayLike<number>, number[]]> {
    await initBackend('cpu', true);
    useOriginalKernels('cpu', true);
    let wantV: ArrayLike<number>;
    let want: tf.Tensor;
    try {
      want = f();
      wantV = want.dataSync().slice();
    } finally {
      useOriginalKernels('cpu', false);
    }
    await initBackend('wasm', true);
    const got = f();
    const shape = got.shape;
    expect(shape).toEqual(want.shape);
    return [got.dataSync().slice(), wantV, shape];
  }

  it('gathers rows (float and int, 1-D and 2-D indices, vectors) exactly like the reference', async () => {
    const rng = new Rng(11);
    const table = Array.from({ length: 40 * 6 }, () => rng.normal());
    const ints = Array.from({ length: 40 * 3 }, () => rng.int(1000));
    const idx = Array.from({ length: 25 }, () => rng.int(40));
    for (const f of [
      () => tf.gather(tf.tensor2d(table, [40, 6]), tf.tensor1d(idx, 'int32')),
      () => tf.gather(tf.tensor3d(table, [40, 3, 2]), tf.tensor2d(idx.slice(0, 24), [4, 6], 'int32')),
      () => tf.gather(tf.tensor2d(ints, [40, 3], 'int32'), tf.tensor1d(idx, 'int32')),
      () => tf.gather(tf.tensor1d(table.slice(0, 40)), tf.tensor1d(idx, 'int32')),
      () => tf.gather(tf.tensor2d(table, [40, 6]), tf.tensor1d([0, 3, 5], 'int32'), 1), // not axis 0: tfjs's own kernel
    ]) {
      const [got, want] = await onBoth(f);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
    await initBackend('wasm', true);
    expect(() => tf.gather(tf.tensor2d(table, [40, 6]), tf.tensor1d([3, 40], 'int32'))).toThrow(/index value 40/);
  });

  it('slices, reduces over leading axes and tiles like the reference', async () => {
    const rng = new Rng(13);
    const vals = Array.from({ length: 6 * 5 * 4 }, () => rng.normal());
    const ints = Array.from({ length: 6 * 5 }, () => rng.int(100));
    const cases: (() => tf.Tensor)[] = [
      () => tf.slice(tf.tensor2d(vals, [30, 4]), [7, 0], [11, -1]), // rows: the fast path
      () => tf.slice(tf.tensor2d(ints, [6, 5], 'int32'), [2, 0], [3, 5]),
      () => tf.slice(tf.tensor1d(vals), [13], [50]),
      () => tf.slice(tf.tensor3d(vals, [6, 5, 4]), [1, 0, 0], [-1, -1, -1]),
      () => tf.slice(tf.tensor2d(vals, [30, 4]), [3, 1], [5, 2]), // not whole rows: tfjs's own
      () => tf.sum(tf.tensor2d(vals, [30, 4]), 0),
      () => tf.sum(tf.tensor2d(vals, [20, 6]), 0), // rows not a multiple of 4 wide: the JS loop
      () => tf.mean(tf.tensor2d(vals, [20, 6]), 0),
      () => tf.sum(tf.tensor3d(vals, [6, 5, 4]), [0, 1], true),
      () => tf.sum(tf.tensor3d(vals, [6, 5, 4]), [1, 0]),
      () => tf.sum(tf.tensor2d(vals, [30, 4]), 1), // innermost: tfjs's own
      () => tf.sum(tf.tensor2d(ints, [6, 5], 'int32'), 0),
      () => tf.mean(tf.tensor2d(vals, [30, 4]), 0, true),
      () => tf.mean(tf.tensor3d(vals, [6, 5, 4]), -3),
      () => tf.tile(tf.tensor2d(vals.slice(0, 8), [1, 8]), [5, 1]),
      () => tf.tile(tf.tensor2d(vals.slice(0, 6), [2, 3]), [3, 4]),
      () => tf.tile(tf.tensor3d(vals.slice(0, 12), [2, 3, 2]), [2, 1, 3]),
      () => tf.tile(tf.tensor1d(ints.slice(0, 4), 'int32'), [3]),
      () => tf.tile(tf.tensor2d([true, false, true, true], [2, 2], 'bool'), [2, 2]), // bool: tfjs's own
      ...[0, 1, 2].map((part) => () => tf.split(tf.tensor3d(vals, [6, 5, 4]), [1, 3, 1], 1)[part]),
      ...[0, 1].map((part) => () => tf.split(tf.tensor2d(vals, [30, 4]), 2, 0)[part]),
      ...[0, 1].map((part) => () => tf.split(tf.tensor2d(ints, [6, 5], 'int32'), [2, 3], -1)[part]),
    ];
    for (const f of cases) {
      const [got, want] = await onBoth(f);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
    }
    // Gradients that go through them (batch-norm-like statistics).
    const [got, want] = await onBoth(() => {
      const X = tf.tensor2d(vals, [30, 4]);
      return tf.grad((x: tf.Tensor) => {
        const m = tf.mean(x, 0, true);
        return tf.sum(tf.square(tf.sub(x, m)));
      })(X);
    });
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
  });

  it('multiplies transposed operands (2-D and batched) like the reference, gradients included', async () => {
    const rng = new Rng(12);
    const a = Array.from({ length: 2 * 5 * 7 }, () => rng.normal());
    const b = Array.from({ length: 2 * 7 * 4 }, () => rng.normal());
    for (const [ta, tb] of [[false, true], [true, false], [true, true], [false, false]] as const) {
      for (const batched of [false, true]) {
        const [got, want] = await onBoth(() => {
          const A = batched ? tf.tensor3d(a, ta ? [2, 7, 5] : [2, 5, 7]) : tf.tensor2d(a.slice(0, 35), ta ? [7, 5] : [5, 7]);
          const B = batched ? tf.tensor3d(b, tb ? [2, 4, 7] : [2, 7, 4]) : tf.tensor2d(b.slice(0, 28), tb ? [4, 7] : [7, 4]);
          return tf.matMul(A, B, ta, tb);
        });
        for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
      }
    }
    // Dense backward (Xᵀ·G and G·Wᵀ) through tf.grad.
    const [got, want] = await onBoth(() => {
      const X = tf.tensor2d(a.slice(0, 35), [5, 7]);
      const W = tf.tensor2d(b.slice(0, 28), [7, 4]);
      const [gx, gw] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, w))))([X, W]);
      return tf.concat([tf.reshape(gx, [-1]), tf.reshape(gw, [-1])]);
    });
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 3);
  });
});

describe('the cpu kernels that replace tfjs own (broadcast arithmetic, leading reductions, Tile, SplitV, BatchMatMul)', () => {
  it('compute what tfjs-backend-cpu computes, for every broadcast shape, transposed and batched products, and through gradients', async () => {
    await initBackend('cpu', true);
    const rng = new Rng(17);
    const t = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, c) => a * c, 1) }, () => rng.normal() + 3), shape);
    const pairs: [number[], number[]][] = [
      [[6, 5], [6, 5]], [[6, 5], [5]], [[6, 5], [6, 1]], [[6, 5], []], [[5], [6, 5]], [[6, 1], [6, 5]], [[1, 5], [6, 1]],
      [[2, 3, 4], [3, 4]], [[2, 3, 4], [2, 1, 1]], [[2, 3, 4], [2, 3, 1]], [[2, 1, 4], [3, 1]], [[2, 3, 4], [1, 3, 1]], [[0, 5], [5]],
    ];
    const cases: [string, () => tf.Tensor][] = [];
    for (const [sa, sb] of pairs) {
      const a = t(sa);
      const b = t(sb);
      cases.push([`mul ${sa}×${sb}`, () => tf.mul(a, b)], [`add ${sa}+${sb}`, () => tf.add(a, b)], [`sub ${sa}−${sb}`, () => tf.sub(a, b)], [`div ${sa}÷${sb}`, () => tf.div(a, b)]);
    }
    const ints = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const x3 = t([6, 5, 4]);
    const x23 = t([2, 3]);
    const x232 = t([2, 3, 2]);
    const x65 = t([6, 5]);
    const mats: [number[], number[], boolean, boolean][] = [
      [[7, 5], [5, 9], false, false], [[5, 7], [5, 9], true, false], [[7, 5], [9, 5], false, true], [[5, 7], [9, 5], true, true],
      [[2, 3, 6], [2, 6, 5], false, false], [[2, 3, 6], [1, 6, 5], false, false], [[1, 6, 3], [4, 5, 6], true, true],
      [[8, 1], [1, 8], false, false], [[3, 0], [0, 4], false, false], [[2, 2, 3, 4], [2, 2, 4, 3], false, false],
    ];
    for (const [sa, sb, ta, tb] of mats) {
      const a = t(sa);
      const b = t(sb);
      cases.push([`matmul ${sa}${ta ? 'ᵀ' : ''}·${sb}${tb ? 'ᵀ' : ''}`, () => tf.matMul(a, b, ta, tb)]);
    }
    cases.push(['transpose', () => tf.transpose(x65)], ['transpose identity', () => tf.transpose(x3, [0, 1, 2])], ['transpose 3d', () => tf.transpose(x3, [2, 0, 1])], ['transpose int', () => tf.transpose(ints)]);
    const w = t([5, 7]);
    cases.push(['dense gradient', () => tf.grad((x: tf.Tensor) => tf.sum(tf.square(tf.matMul(tf.relu(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D)), w as tf.Tensor2D, false, true))))(x65)]);
    cases.push(
      ['int add', () => tf.add(ints, tf.tensor1d([1, 2, 3], 'int32'))],
      ['sum 0', () => tf.sum(x3, 0)], ['sum 0,1 keep', () => tf.sum(x3, [0, 1], true)], ['sum 2', () => tf.sum(x3, 2)],
      ['mean 0', () => tf.mean(x3, 0)], ['mean -3 keep', () => tf.mean(x3, -3, true)], ['int sum', () => tf.sum(ints, 0)],
      ['tile', () => tf.tile(x23, [3, 4])], ['tile 3d', () => tf.tile(x232, [2, 1, 3])], ['tile int', () => tf.tile(ints, [2, 1])],
      ...[0, 1, 2].map((k): [string, () => tf.Tensor] => [`split ${k}`, () => tf.split(x3, [1, 3, 1], 1)[k]]),
      ...[0, 1].map((k): [string, () => tf.Tensor] => [`split int ${k}`, () => tf.split(ints, [1, 2], -1)[k]]),
      // A training step's shapes: Dense bias, batch-norm statistics, L2 normalisation, their gradients.
      ['grad', () => tf.grad((x: tf.Tensor) => {
        const m = tf.mean(x, 0, true);
        const c = tf.sub(x, m);
        const n = tf.div(c, tf.sqrt(tf.add(tf.mean(tf.square(c), 0, true), 1e-3)));
        const y = tf.mul(n, tf.rsqrt(tf.sum(tf.square(n), 1, true)));
        return tf.sum(tf.mul(tf.add(y, tf.tensor1d([1, 2, 3, 4, 5])), 2));
      })(x65)],
    );
    for (const [name, f] of cases) {
      useOriginalKernels('cpu', true);
      const want = f();
      const wantV = want.dataSync().slice();
      useOriginalKernels('cpu', false);
      const got = f();
      expect(got.shape, name).toEqual(want.shape);
      expect(got.dtype, name).toBe(want.dtype);
      const gotV = got.dataSync();
      for (let i = 0; i < wantV.length; i++) expect(Math.abs(gotV[i] - wantV[i]), `${name} [${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(wantV[i])));
    }
  });
});
