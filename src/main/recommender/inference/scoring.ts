/** Tower outputs for the whole catalogue and for people, and the concat head's re-ranking. */
import { tf } from '../backend';
import type { FeatureTensors } from '../data/tensors';
import { INFERENCE, type Output, type TwoTowerModel } from '../models/two-tower';

export function itemVectors(model: TwoTowerModel, ft: FeatureTensors, batch = 8192): Float32Array {
  const n = ft.items.n;
  const D = model.vectorDim;
  const out = new Float32Array(n * D);
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const v = tf.tidy(() => model.itemVector(ft.itemBatch(tf.range(s, e, 1, 'int32') as tf.Tensor1D), INFERENCE));
    out.set(v.dataSync(), s * D);
    v.dispose();
  }
  return out;
}

export function userVectors(model: TwoTowerModel, ft: FeatureTensors, users: number[]): Float32Array {
  if (!users.length) return new Float32Array(0);
  const v = tf.tidy(() => model.userVector(ft.userBatch(tf.tensor1d(users, 'int32')), INFERENCE));
  const out = Float32Array.from(v.dataSync());
  v.dispose();
  return out;
}

/** Retrieval logits (similarity / temperature + bias) of every item for each user: users × items. */
export function dotScores(model: TwoTowerModel, userVecs: Float32Array, itemVecsT: tf.Tensor2D, users: number): Float32Array {
  const D = model.vectorDim;
  const { scale, bias } = model.dotTransform();
  const m = tf.tidy(() => tf.add(tf.mul(tf.matMul(tf.tensor2d(userVecs, [users, D]), itemVecsT), scale), bias));
  const out = m.dataSync() as Float32Array;
  m.dispose();
  return out;
}

/** The full prediction logits of the head for (user, item) pairs. */
export function pairLogits(model: TwoTowerModel, ft: FeatureTensors, users: Int32Array, items: Int32Array, output: Output = 'all'): Float32Array {
  const out = tf.tidy(() => {
    const uIdx = tf.tensor1d(users, 'int32');
    const iIdx = tf.tensor1d(items, 'int32');
    const u = model.userVector(ft.userBatch(uIdx), INFERENCE);
    const v = model.itemVector(ft.itemBatch(iIdx), INFERENCE);
    return model.logits(u, v, ft.pairBatch(uIdx, iIdx, users, items), INFERENCE, output);
  });
  const data = Float32Array.from(out.dataSync());
  out.dispose();
  return data;
}
