/**
 * W-TRAIN of ../shared/bench/REFERENCE.md, built from the app's own layers and training step:
 * user tower (20 numeric; country 60×8, gender 3×2, top_genre 120×8), item tower (16 numeric;
 * artist 30,000×32, main_genre 120×8), each concat → Dense 128 → BatchNorm → ReLU → Dense 64;
 * score = Dense(1)(cosine of the two vectors) → sigmoid; BCE; Adam 1e-3.
 */
import { ensureGradients, initBackend, tf, type BackendChoice } from '../../src/main/recommender/backend';
import { BnUpdates, ParamStore } from '../../src/main/recommender/models/params';
import { Rng } from '../../src/main/util/random';
import { adam } from '../../src/main/recommender/training/adam';
import { weightedBce } from '../../src/main/recommender/training/losses';

export interface WTrainOptions {
  backend: BackendChoice;
  batch: number;
  steps: number;
  warmup: number;
  reps: number;
  seed: number;
}

export interface WTrainResult {
  workload: 'W-TRAIN';
  backend: string;
  batch: number;
  examples_per_s: number;
  ms_per_step: number;
  steps: number;
  reps: number;
  rep_examples_per_s: number[];
}

export async function runWTrain(o: WTrainOptions): Promise<WTrainResult> {
  const info = await initBackend(o.backend, true);
  ensureGradients();
  const rng = new Rng(o.seed);
  const p = new ParamStore(rng);
  const country = p.embedding('country', 60, 8);
  const gender = p.embedding('gender', 3, 2);
  const topGenre = p.embedding('top_genre', 120, 8);
  const artist = p.embedding('artist', 30000, 32);
  const mainGenre = p.embedding('main_genre', 120, 8);
  const uIn = 20 + 8 + 2 + 8;
  const iIn = 16 + 32 + 8;
  const u1 = p.dense('user/dense', uIn, 128);
  const ubn = p.batchNorm('user/bn', 128);
  const u2 = p.dense('user/out', 128, 64);
  const i1 = p.dense('item/dense', iIn, 128);
  const ibn = p.batchNorm('item/bn', 128);
  const i2 = p.dense('item/out', 128, 64);
  const head = p.dense('score', 1, 1);
  const varList = p.trainable();

  // Inputs: seeded, generated (and placed on the device) before timing.
  const B = o.batch;
  const total = B * (o.steps + o.warmup);
  const gen = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const genInt = (n: number, k: number) => Int32Array.from({ length: n }, () => rng.int(k));
  const data = {
    uNum: tf.tensor2d(gen(total * 20, () => rng.normal()), [total, 20]),
    iNum: tf.tensor2d(gen(total * 16, () => rng.normal()), [total, 16]),
    country: tf.tensor1d(genInt(total, 60), 'int32'),
    gender: tf.tensor1d(genInt(total, 3), 'int32'),
    topGenre: tf.tensor1d(genInt(total, 120), 'int32'),
    artist: tf.tensor1d(genInt(total, 30000), 'int32'),
    mainGenre: tf.tensor1d(genInt(total, 120), 'int32'),
    label: tf.tensor1d(gen(total, () => (rng.next() < 0.5 ? 1 : 0))),
  };
  const ones = tf.ones([B]) as tf.Tensor1D;
  const optimizer = adam(1e-3);
  const l2n = (x: tf.Tensor2D) => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-6))) as tf.Tensor2D;

  const step = (s: number) => {
    const bn = new BnUpdates();
    const loss = tf.tidy(() => {
      const at = s * B;
      const sl2 = (t: tf.Tensor2D) => tf.slice(t, [at, 0], [B, -1]) as tf.Tensor2D;
      const sl1 = (t: tf.Tensor1D) => tf.slice(t, [at], [B]) as tf.Tensor1D;
      return optimizer.minimize(() => {
        const ux = tf.concat([sl2(data.uNum), tf.gather(country, sl1(data.country)), tf.gather(gender, sl1(data.gender)), tf.gather(topGenre, sl1(data.topGenre))], 1) as tf.Tensor2D;
        const ix = tf.concat([sl2(data.iNum), tf.gather(artist, sl1(data.artist)), tf.gather(mainGenre, sl1(data.mainGenre))], 1) as tf.Tensor2D;
        const u = l2n(u2.apply(tf.relu(ubn.apply(u1.apply(ux), bn))));
        const v = l2n(i2.apply(tf.relu(ibn.apply(i1.apply(ix), bn))));
        const cos = tf.reshape(tf.sum(tf.mul(u, v), 1), [B, 1]) as tf.Tensor2D;
        const logit = tf.reshape(head.apply(cos), [B]) as tf.Tensor1D;
        return weightedBce(logit, sl1(data.label), ones);
      }, true, varList) as tf.Scalar;
    });
    bn.apply();
    return loss;
  };

  const reps: number[] = [];
  for (let r = 0; r < o.reps; r++) {
    for (let s = 0; s < o.warmup; s++) step(s).dispose();
    await tf.ready();
    const t0 = performance.now();
    let last: tf.Scalar | null = null;
    for (let s = 0; s < o.steps; s++) {
      last?.dispose();
      last = step(o.warmup + s);
    }
    last?.dataSync(); // wait for the device
    last?.dispose();
    reps.push((B * o.steps) / ((performance.now() - t0) / 1000));
  }
  tf.dispose([...Object.values(data), ones]);
  p.dispose();
  optimizer.dispose();
  const median = [...reps].sort((a, b) => a - b)[Math.floor(reps.length / 2)];
  return {
    workload: 'W-TRAIN', backend: info.name, batch: B, examples_per_s: Math.round(median),
    ms_per_step: +((B / median) * 1000).toFixed(2), steps: o.steps, reps: o.reps, rep_examples_per_s: reps.map(Math.round),
  };
}
