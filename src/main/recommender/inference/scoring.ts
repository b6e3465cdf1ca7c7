/** Tower outputs for the whole catalogue and for people, and the concat head's re-ranking. */
import fs from 'node:fs';
import path from 'node:path';
import { getLogger } from '../../logging';
import { tf } from '../backend';
import type { ItemFeatures } from '../data/features';
import type { FeatureTensors } from '../data/loader';
import { INFERENCE, type TwoTowerModel } from '../models/two-tower';

export function itemVectors(model: TwoTowerModel, ft: FeatureTensors, batch = 8192): Float32Array {
  const n = ft.items.n;
  const D = model.cfg.embedding_dim;
  const out = new Float32Array(n * D);
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const v = tf.tidy(() => model.itemVector(ft.itemBatch(tf.range(s, e, 1, 'int32') as tf.Tensor1D), INFERENCE));
    out.set(v.dataSync(), s * D);
    v.dispose();
  }
  return out;
}

/** A 64-bit hash (two 32-bit lanes, hex) of the words of some typed arrays. */
function fingerprint(arrays: (Float32Array | Int32Array)[]): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (const arr of arrays) {
    const w = new Int32Array(arr.buffer, arr.byteOffset, arr.length);
    a = Math.imul(a ^ w.length, 0x01000193);
    for (let i = 0; i < w.length; i++) {
      a = Math.imul(a ^ w[i], 0x01000193);
      b = Math.imul(b + w[i], 0x5bd1e995) ^ (b >>> 15);
    }
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * itemVectors, kept in the model's folder under a hash of exactly what the item tower reads, so
 * that opening a model again over the same catalogue reads 116k × 64 floats instead of running the
 * tower (≈ 0.7 s). A catalogue change gives another hash; the old file is replaced.
 */
export function cachedItemVectors(model: TwoTowerModel, ft: FeatureTensors, items: ItemFeatures, modelDir: string): Float32Array {
  const D = model.cfg.embedding_dim;
  const key = fingerprint([items.numeric, items.artist, items.track, items.genre, items.yearBucket]);
  const file = path.join(modelDir, `item-vectors-${key}.f32`);
  try {
    const buf = fs.readFileSync(file);
    if (buf.byteLength === items.n * D * 4) return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  } catch {
    // not cached yet
  }
  const v = itemVectors(model, ft);
  try {
    for (const f of fs.readdirSync(modelDir)) if (/^item-vectors-.*\.f32(\.tmp)?$/.test(f)) fs.rmSync(path.join(modelDir, f), { force: true });
    fs.writeFileSync(`${file}.tmp`, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    fs.renameSync(`${file}.tmp`, file);
  } catch (e) {
    getLogger('recommender').warning(`could not cache item vectors in ${modelDir}: ${(e as Error).message}`);
  }
  return v;
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
  const D = model.cfg.embedding_dim;
  const { scale, bias } = model.dotTransform();
  const m = tf.tidy(() => tf.add(tf.mul(tf.matMul(tf.tensor2d(userVecs, [users, D]), itemVecsT), scale), bias));
  const out = m.dataSync() as Float32Array;
  m.dispose();
  return out;
}

/** The full prediction logits of the head for (user, item) pairs. */
export function pairLogits(model: TwoTowerModel, ft: FeatureTensors, users: Int32Array, items: Int32Array): Float32Array {
  const out = tf.tidy(() => {
    const uIdx = tf.tensor1d(users, 'int32');
    const iIdx = tf.tensor1d(items, 'int32');
    const u = model.userVector(ft.userBatch(uIdx), INFERENCE);
    const v = model.itemVector(ft.itemBatch(iIdx), INFERENCE);
    return model.logits(u, v, ft.pairBatch(uIdx, iIdx, users, items), INFERENCE);
  });
  const data = Float32Array.from(out.dataSync());
  out.dispose();
  return data;
}
