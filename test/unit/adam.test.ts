import { describe, expect, it } from 'vitest';
import { ensureGradients, initBackend, tf } from '../../src/main/recommender/backend';
import { FusedAdam } from '../../src/main/recommender/training/adam';
import { Rng } from '../../src/main/util/random';
import '../helpers/env';

ensureGradients();

/** Trains a small model with an embedding for some steps with `opt`; returns the final parameters. */
function train(opt: tf.Optimizer, seed: number, steps: number): Float32Array[] {
  const rng = new Rng(seed);
  const x = tf.tensor2d(Float32Array.from({ length: 64 * 6 }, () => rng.normal()), [64, 6]);
  const y = tf.tensor2d(Float32Array.from({ length: 64 }, () => rng.normal()), [64, 1]);
  // 30 × 6 = 180 values: a multiple of 4 (the SIMD body); the 7-value bias exercises the tail.
  const emb = tf.variable(tf.tensor2d(Float32Array.from({ length: 30 * 6 }, () => rng.normal() * 0.1), [30, 6]));
  const w = tf.variable(tf.tensor2d(Float32Array.from({ length: 6 }, () => rng.normal()), [6, 1]));
  const bias = tf.variable(tf.tensor1d(Float32Array.from({ length: 7 }, () => rng.normal())));
  const idx = tf.tensor1d(Int32Array.from({ length: 64 }, () => rng.int(30)), 'int32');
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      opt.minimize(() => {
        const pred = tf.add(tf.matMul(tf.add(x, tf.gather(emb, idx)), w), tf.sum(bias));
        return tf.mean(tf.square(tf.sub(pred, y))) as tf.Scalar;
      }, false, [emb, w, bias]);
    });
  }
  const out = [emb, w, bias].map((v) => v.dataSync().slice() as Float32Array);
  tf.dispose([x, y, emb, w, bias, idx]);
  return out;
}

describe.each(['wasm', 'cpu'] as const)('FusedAdam on %s', (backend) => {
  it("follows tfjs's Adam step for step, and its state round-trips through getWeights/setWeights", async () => {
    await initBackend(backend, true);
    const ref = train(tf.train.adam(0.01), 1, 40);
    const fused = new FusedAdam(0.01);
    const got = train(fused, 1, 40);
    const start = train(tf.train.adam(0.01), 1, 0);
    for (let k = 0; k < ref.length; k++) {
      for (let i = 0; i < ref[k].length; i++) expect(Math.abs(got[k][i] - ref[k][i])).toBeLessThan(1e-5);
    }
    // The parameters moved (the comparison is not between two untouched tensors).
    expect(Math.abs(got[1][0] - start[1][0])).toBeGreaterThan(1e-3);
    expect(Math.abs(got[2][6] - start[2][6])).toBeGreaterThan(1e-3);
    const weights = await fused.getWeights();
    expect(weights.map((w) => w.name)).toEqual(expect.arrayContaining(['iter']));
    const again = new FusedAdam(0.01);
    await again.setWeights(weights);
    expect((await again.getWeights()).map((w) => w.name)).toEqual(weights.map((w) => w.name));
  });
});
