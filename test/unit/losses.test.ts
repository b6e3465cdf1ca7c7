import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/main/recommender/backend';
import { listSoftmax, mixedSoftmax, sampledSoftmax } from '../../src/main/recommender/training/losses';
import { batchMix, batchSoftmax } from '../../src/main/recommender/training/trainer';
import '../helpers/env';

/** −log softmax(z − logQ)[target], averaged with weights: the loss written out by hand. */
function byHand(z: number[][], target: number[], logQ: number[], w: number[]): number {
  let sum = 0;
  z.forEach((row, i) => {
    const c = row.map((x, j) => x - logQ[j]);
    const m = Math.max(...c);
    const lse = m + Math.log(c.reduce((s, x) => s + Math.exp(x - m), 0));
    sum += w[i] * (lse - c[target[i]]);
  });
  return sum / w.reduce((s, x) => s + x, 0);
}

describe('the towers’ softmax over a batch (retrieval_loss: softmax)', () => {
  beforeAll(() => initBackend('auto'));

  it('is the weighted cross-entropy of the log-Q corrected scores', () => {
    const z = [[2, 0, 1], [0, 1, 0.5]];
    const logQ = [0, Math.log(2), -1];
    const got = tf.tidy(() => mixedSoftmax(tf.tensor2d(z), tf.tensor1d([0, 1], 'int32'), tf.tensor1d(logQ), tf.tensor1d([1, 3])).dataSync()[0]);
    expect(got).toBeCloseTo(byHand(z, [0, 1], logQ, [1, 3]), 5);
    // The correction matters: without it the loss differs.
    expect(got).not.toBeCloseTo(byHand(z, [0, 1], [0, 0, 0], [1, 3]), 3);
  });

  it('in-batch sampled softmax (loss: sampled_softmax) ranks each row’s item against the other rows’ items', () => {
    const u = [[1, 0], [0, 1], [0.6, 0.8]];
    const v = [[0.8, 0.6], [0, 1], [1, 0]];
    const logQ = [-1, -2, -0.5];
    const T = 0.5;
    const got = tf.tidy(() => sampledSoftmax(tf.tensor2d(u), tf.tensor2d(v), tf.tensor1d(logQ), tf.tensor1d([1, 2, 1]), T).dataSync()[0]);
    const z = u.map((uu) => v.map((vv) => (uu[0] * vv[0] + uu[1] * vv[1]) / T));
    expect(got).toBeCloseTo(byHand(z, [0, 1, 2], logQ, [1, 2, 1]), 5);
  });

  it('the head’s listwise loss reads the first column as the positive', () => {
    const z = [[1, 2, 0], [3, -1, 0.5]];
    const got = tf.tidy(() => listSoftmax(tf.tensor2d(z), tf.tensor1d([2, 1])).dataSync()[0]);
    expect(got).toBeCloseTo(byHand(z, [0, 0], [0, 0, 0], [2, 1]), 5);
  });

  it('ranks each positive against the batch’s distinct items, corrected by how they come into a batch', () => {
    // Rows: (user 0, item 5, +), (user 1, item 7, +), (user 0, item 7, −), (user 1, item 2, −), (user 1, item 5, −).
    const ex = {
      user: Int32Array.from([0, 1, 0, 1, 1]), item: Int32Array.from([5, 7, 7, 2, 5]), label: Float32Array.from([1, 1, 0, 0, 0]),
      weight: Float32Array.from([1, 2, 1, 1, 1]), discoverWeight: new Float32Array(5),
    };
    // Positives: item 5 three times as often as item 7; negatives uniform over 10 items.
    const mix = batchMix({ item: [5, 5, 5, 7, 1], label: [1, 1, 1, 1, 0] }, new Float32Array(10).fill(Math.log(0.1)));
    expect(mix.positive[5]).toBeCloseTo(0.75, 9);
    expect(mix.negative[2]).toBeCloseTo(0.1, 6);
    const u = [[1, 0], [0, 1], [1, 0], [0, 1], [0, 1]];
    const v = [[1, 0], [0.5, 0.5], [0.5, 0.5], [0, -1], [1, 0]];
    const T = 0.5;
    const got = tf.tidy(() => batchSoftmax(tf.tensor2d(u), tf.tensor2d(v), ex, 0, 5, mix, T).dataSync()[0]);
    // Candidates in order of first appearance: 5, 7, 2. Two positives, three negatives in the batch.
    const cand = [v[0], v[1], v[3]];
    const logQ = [5, 7, 2].map((t) => Math.log(2 * mix.positive[t] + 3 * mix.negative[t]));
    const z = [u[0], u[1]].map((uu) => cand.map((vv) => (uu[0] * vv[0] + uu[1] * vv[1]) / T));
    expect(got).toBeCloseTo(byHand(z, [0, 1], logQ, [1, 2]), 4);
    // A batch with one positive has nothing to contrast it with.
    expect(tf.tidy(() => batchSoftmax(tf.tensor2d(u), tf.tensor2d(v), ex, 1, 5, mix, T).dataSync()[0])).toBe(0);
  });
});
