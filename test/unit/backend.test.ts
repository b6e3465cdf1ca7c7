import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/main/recommender/backend';
import { Rng } from '../../src/main/recommender/random';
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
