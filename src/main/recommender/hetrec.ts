/**
 * The public benchmark: HetRec 2011 Last.fm 2k (1,892 people × 17,632 artists, play counts; tags
 * as item features) under RecBole's protocol — each person's interactions split at random 8:1:1
 * into train / validation / test, every artist not seen in training (and validation, for test)
 * ranked (full sort), Recall@10, MRR@10, NDCG@10, Hit@10, Precision@10 averaged over people.
 *
 * The model is the app's two-tower family at artist level: the user tower pools the embeddings
 * of the artists in the person's training history (weighted by log play count, the target
 * itself masked out during training); the item tower combines the artist embedding with the mean
 * embedding of its top tags; score = cosine / τ + a per-artist bias + a learned weight × the
 * co-listening compatibility feature; sampled softmax over the batch's artists plus uniformly
 * drawn ones, log-Q corrected for that mixture. Three networks from different initialisations are
 * averaged, and the neighbourhood signals fused with weights chosen on validation. Further options
 * (friends, co-listening neighbours in the item tower, per-person embedding, dropout, L2) are off.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureGradients, tf } from './backend';
import { ParamStore } from './models/params';
import { Rng } from '../util/random';
import { ndcgAtK, precisionAtK, recallAtK, reciprocalRank, hitAtK } from './evaluation/metrics';
import { adam } from './training/adam';
import { topN } from './evaluation/ranking';
import { getLogger } from '../logging';

const log = getLogger('hetrec');

export interface HetrecData {
  users: number;
  items: number;
  /** Per user: interactions (item index, weight). */
  inter: { item: number; weight: number }[][];
  /** Per item: tag indexes (0 = none). */
  itemTags: Int32Array; // items × T
  tagsPerItem: number;
  tagVocab: number;
  /** Per user: friends (user indexes), from data_user_friends.dat when present. */
  friends: number[][];
}

function readTsv(file: string): string[][] {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split('\t'));
}

export function loadHetrec(dir: string, tagsPerItem = 8, minTagUses = 5): HetrecData {
  const ua = readTsv(path.join(dir, 'data_user_artists.dat'));
  const userIdx = new Map<string, number>();
  const itemIdx = new Map<string, number>();
  for (const [, a] of ua) if (!itemIdx.has(a)) itemIdx.set(a, itemIdx.size);
  for (const [u] of ua) if (!userIdx.has(u)) userIdx.set(u, userIdx.size);
  const inter: HetrecData['inter'] = Array.from({ length: userIdx.size }, () => []);
  for (const [u, a, w] of ua) inter[userIdx.get(u)!].push({ item: itemIdx.get(a)!, weight: Number(w) });
  // Tags: how often each tag was applied to each artist, over both parts of the tagging file.
  const tagFiles = ['data_user_taggedartists.dat', 'data_user_taggedartists_2.dat'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
  const perArtist = new Map<number, Map<string, number>>();
  const tagUses = new Map<string, number>();
  for (const f of tagFiles) {
    for (const [, a, tag] of readTsv(f)) {
      const i = itemIdx.get(a);
      if (i === undefined) continue;
      const m = perArtist.get(i) ?? perArtist.set(i, new Map()).get(i)!;
      m.set(tag, (m.get(tag) ?? 0) + 1);
      tagUses.set(tag, (tagUses.get(tag) ?? 0) + 1);
    }
  }
  const tagIdx = new Map<string, number>();
  for (const [t, n] of tagUses) if (n >= minTagUses) tagIdx.set(t, tagIdx.size + 1);
  const itemTags = new Int32Array(itemIdx.size * tagsPerItem);
  for (const [i, m] of perArtist) {
    const top = [...m].filter(([t]) => tagIdx.has(t)).sort((a, b) => b[1] - a[1]).slice(0, tagsPerItem);
    top.forEach(([t], k) => (itemTags[i * tagsPerItem + k] = tagIdx.get(t)!));
  }
  const friends: number[][] = Array.from({ length: userIdx.size }, () => []);
  const friendFile = path.join(dir, 'data_user_friends.dat');
  if (fs.existsSync(friendFile)) {
    for (const [a, b] of readTsv(friendFile)) {
      const x = userIdx.get(a);
      const y = userIdx.get(b);
      if (x !== undefined && y !== undefined && x !== y && !friends[x].includes(y)) friends[x].push(y);
    }
  }
  return { users: userIdx.size, items: itemIdx.size, inter, itemTags, tagsPerItem, tagVocab: tagIdx.size + 1, friends };
}

export interface HetrecSplit {
  train: { item: number; weight: number }[][];
  valid: Set<number>[];
  test: Set<number>[];
}

/** RecBole's random ordering split, ratio 8:1:1 per user. */
export function splitHetrec(d: HetrecData, seed: number): HetrecSplit {
  const rng = new Rng(seed);
  const train: HetrecSplit['train'] = [];
  const valid: Set<number>[] = [];
  const test: Set<number>[] = [];
  for (const list of d.inter) {
    const l = rng.shuffle([...list]);
    const n = l.length;
    const nTrain = Math.floor(n * 0.8);
    const nValid = Math.floor(n * 0.1);
    train.push(l.slice(0, nTrain));
    valid.push(new Set(l.slice(nTrain, nTrain + nValid).map((x) => x.item)));
    test.push(new Set(l.slice(nTrain + nValid).map((x) => x.item)));
  }
  return { train, valid, test };
}

export interface HetrecConfig {
  dim: number;
  hidden: number;
  epochs: number;
  batch: number;
  lr: number;
  temperature: number;
  historyLength: number;
  seed: number;
  /** Seed of the initialisation and sampling, when it should differ from the split's (ensembles). */
  initSeed?: number;
  /**
   * Networks trained from different initialisations on the same split, their scores averaged
   * (each picks its own best epoch on validation).
   */
  members: number;
  /**
   * After training: add the two neighbourhood signals — the item-based co-listening score and a
   * person-based one (what the 50 most similar listeners play) — to the networks' scores, with
   * weights chosen from a small grid on validation NDCG@10 (test untouched by the choice).
   */
  fusion: boolean;
  /** A per-person embedding beside the pooled history. */
  userId: boolean;
  /** L2 penalty on the embeddings used in each batch. */
  l2: number;
  /** Probability of hiding each history artist in a training example (regularises the pooling). */
  historyDropout: number;
  /**
   * Negatives drawn uniformly from the whole catalogue per batch, beside the in-batch ones
   * (mixed negative sampling, Yang et al. 2020): in-batch negatives are all popular artists.
   */
  uniformNegatives: number;
  /**
   * A third user-tower input: the artists the person's friends play (their training interactions
   * only), pooled like the history — the social signal MHCN uses.
   */
  friends: boolean;
  /**
   * A third item-tower input: the K artists most co-listened with this one in the training
   * interactions (cosine of co-occurrence), pooled over the history embeddings — the item-item
   * neighbourhood that ItemKNN and graph models use. 0 = off.
   */
  neighbours: number;
  /** A learned per-artist bias added to the scaled cosine (room for a popularity prior). */
  itemBias: boolean;
  /**
   * A person × artist compatibility feature added to the logit with a learned weight (Koren's
   * integrated factor + neighbourhood model, 2008): how strongly the artist is co-listened with the
   * person's training artists, Σ_j co(j,i) / (deg_j^α · deg_i^(1−α)), scaled to [0, 1] per person.
   * Counted on training interactions only, and leave-one-out for a person's own training artists
   * (their own co-listening is taken out), so training sees it as evaluation will. 0 = off; else α.
   */
  coListening: number;
}

/**
 * The configuration of the documented run (docs/EVALUATION.md): the co-listening feature, three
 * networks, fusion weights chosen on validation; 5 epochs (members peak at epochs 2–5).
 */
export const HETREC_DEFAULTS: HetrecConfig = { dim: 128, hidden: 256, epochs: 5, batch: 512, lr: 0.003, temperature: 0.07, historyLength: 50, seed: 1, userId: false, l2: 0, historyDropout: 0, uniformNegatives: 2048, friends: false, neighbours: 0, itemBias: true, coListening: 0.7, members: 3, fusion: true };

export interface HetrecMetrics {
  'ndcg@10': number;
  'recall@10': number;
  'hit@10': number;
  'mrr@10': number;
  'precision@10': number;
}

export interface HetrecResult {
  valid: HetrecMetrics;
  test: HetrecMetrics;
  /** Per member: the epoch chosen on validation (1-based). */
  bestEpochs: number[];
  /** Per member: its own test metrics (before averaging). */
  memberTest: HetrecMetrics[];
  /** The networks' mean alone, before any fusion. */
  networks: { valid: HetrecMetrics; test: HetrecMetrics };
  /** Fusion weights chosen on validation (item co-listening, similar listeners), when `fusion`. */
  fusionWeights: [number, number] | null;
}

type Which = 'valid' | 'test';

/** Trains `cfg.members` networks and scores with the mean of their outputs. */
export async function runHetrec(d: HetrecData, cfg: HetrecConfig, onEpoch?: (member: number, e: number, valid: HetrecMetrics) => void): Promise<HetrecResult> {
  const split = splitHetrec(d, cfg.seed);
  const members = Math.max(1, cfg.members);
  const N = d.items;
  const mean = { valid: new Float32Array(d.users * N), test: new Float32Array(d.users * N) };
  const bestEpochs: number[] = [];
  const memberTest: HetrecMetrics[] = [];
  // Computed once for every member and the fusion (it depends on the split alone).
  const co = cfg.coListening > 0 || cfg.fusion ? coListening(d, split, cfg.coListening > 0 ? cfg.coListening : 0.7) : null;
  for (let m = 0; m < members; m++) {
    const memberCfg = { ...cfg, initSeed: members === 1 ? cfg.initSeed : cfg.seed * 1000 + m };
    const r = await trainMember(d, split, memberCfg, cfg.coListening > 0 ? co : null, (e, v) => onEpoch?.(m, e, v), (which, u, row) => {
      const out = mean[which].subarray(u * N, (u + 1) * N);
      for (let k = 0; k < N; k++) out[k] += row[k] / members;
    });
    bestEpochs.push(r.bestEpoch);
    memberTest.push(r.test);
    if (members > 1) log.info(`member ${m + 1}/${members}: test ndcg@10 ${r.test['ndcg@10'].toFixed(4)} (epoch ${r.bestEpoch})`);
  }
  const metrics = (which: Which, extra?: (u: number, row: Float32Array) => void) => {
    const acc = new RankingMetrics();
    for (let u = 0; u < d.users; u++) {
      const row = mean[which].subarray(u * N, (u + 1) * N).slice();
      extra?.(u, row);
      acc.add(split, which, u, row);
    }
    return acc.mean();
  };
  const networks = { valid: metrics('valid'), test: metrics('test') };
  if (!cfg.fusion) return { ...networks, bestEpochs, memberTest, networks, fusionWeights: null };
  const itemCo = co!.full;
  const userCo = similarListeners(d, split, 50);
  const add = (a: number, b: number) => (u: number, row: Float32Array) => {
    const o = u * N;
    for (let k = 0; k < N; k++) row[k] += a * itemCo[o + k] + b * userCo[o + k];
  };
  let best: { w: [number, number]; ndcg: number } = { w: [0, 0], ndcg: networks.valid['ndcg@10'] };
  for (const a of [0, 0.5, 1, 2, 3]) {
    for (const b of [0, 0.5, 1, 2]) {
      if (a === 0 && b === 0) continue;
      const v = metrics('valid', add(a, b))['ndcg@10'];
      if (v > best.ndcg) best = { w: [a, b], ndcg: v };
    }
  }
  log.info(`fusion weights chosen on validation: co-listening ${best.w[0]}, similar listeners ${best.w[1]} (valid ndcg@10 ${networks.valid['ndcg@10'].toFixed(4)} → ${best.ndcg.toFixed(4)})`);
  return { valid: metrics('valid', add(...best.w)), test: metrics('test', add(...best.w)), bestEpochs, memberTest, networks, fusionWeights: best.w };
}

/**
 * What similar listeners play: for each person, the 50 people whose training artists overlap most
 * with theirs (cosine of the artist sets), each of their training artists weighted by that
 * similarity, scaled to [0, 1] per person. Training interactions only.
 */
export function similarListeners(d: HetrecData, split: HetrecSplit, k: number): Float32Array {
  const N = d.items;
  const byItem: number[][] = Array.from({ length: N }, () => []);
  split.train.forEach((l, u) => l.forEach((x) => byItem[x.item].push(u)));
  const out = new Float32Array(d.users * N);
  const overlap = new Float64Array(d.users);
  for (let u = 0; u < d.users; u++) {
    overlap.fill(0);
    for (const x of split.train[u]) for (const v of byItem[x.item]) if (v !== u) overlap[v]++;
    const sims: [number, number][] = [];
    for (let v = 0; v < d.users; v++) if (overlap[v] > 0) sims.push([v, overlap[v] / Math.sqrt(split.train[u].length * split.train[v].length)]);
    sims.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const row = out.subarray(u * N, (u + 1) * N);
    for (const [v, w] of sims.slice(0, k)) for (const x of split.train[v]) row[x.item] += w;
    let mx = 0;
    for (let i = 0; i < N; i++) if (row[i] > mx) mx = row[i];
    if (mx > 0) for (let i = 0; i < N; i++) row[i] /= mx;
  }
  return out;
}

/** RecBole's full-sort metrics at 10, averaged over people with a non-empty target set. */
class RankingMetrics {
  private sums: HetrecMetrics = { 'ndcg@10': 0, 'recall@10': 0, 'hit@10': 0, 'mrr@10': 0, 'precision@10': 0 };
  private n = 0;
  /** `row` (scores over all artists, modified here): training artists, and validation ones for test, are excluded. */
  add(split: HetrecSplit, which: Which, u: number, row: Float32Array): void {
    const target = which === 'valid' ? split.valid[u] : split.test[u];
    if (!target.size) return;
    for (const x of split.train[u]) row[x.item] = -Infinity;
    if (which === 'test') for (const x of split.valid[u]) row[x] = -Infinity;
    const top = topN(row, 10);
    this.sums['ndcg@10'] += ndcgAtK(top, target, 10);
    this.sums['recall@10'] += recallAtK(top, target, 10);
    this.sums['hit@10'] += hitAtK(top, target, 10);
    this.sums['mrr@10'] += reciprocalRank(top, target, 10);
    this.sums['precision@10'] += precisionAtK(top, target, 10);
    this.n++;
  }
  mean(): HetrecMetrics {
    return Object.fromEntries(Object.entries(this.sums).map(([k, v]) => [k, v / Math.max(1, this.n)])) as unknown as HetrecMetrics;
  }
}

type CoListening = ReturnType<typeof coListening>;

async function trainMember(
  d: HetrecData,
  split: HetrecSplit,
  cfg: HetrecConfig,
  /** The co-listening feature when the model uses it (cfg.coListening > 0). */
  co: CoListening | null,
  onEpoch: (e: number, valid: HetrecMetrics) => void,
  capture: (which: Which, u: number, scores: Float32Array) => void,
): Promise<{ valid: HetrecMetrics; test: HetrecMetrics; bestEpoch: number }> {
  ensureGradients();
  const rng = new Rng((cfg.initSeed ?? cfg.seed) * 7 + 1);
  const p = new ParamStore(rng);
  const D = cfg.dim;
  const H = cfg.historyLength;
  const T = d.tagsPerItem;
  const itemEmb = p.embedding('item/artist', d.items, D);
  const histEmb = p.embedding('user/history', d.items, D);
  const userEmb = p.embedding('user/id', d.users, D);
  const tagEmb = p.embedding('item/tags', d.tagVocab, D);
  const biasEmb = cfg.itemBias ? p.embedding('item/bias', d.items, 1) : null;
  const u1 = p.dense('user/dense', (cfg.friends ? 3 : 2) * D, cfg.hidden);
  const u2 = p.dense('user/out', cfg.hidden, D);
  const i1 = p.dense('item/dense', (cfg.neighbours > 0 ? 3 : 2) * D, cfg.hidden);
  const i2 = p.dense('item/out', cfg.hidden, D);
  const varList = p.trainable();

  // Histories: the training artists by play count, weights ∝ log(1 + plays).
  const histIdx = new Int32Array(d.users * H);
  const histW = new Float32Array(d.users * H);
  const histPos = new Map<number, number>(); // user*items+item → slot
  split.train.forEach((l, u) => {
    const top = [...l].sort((a, b) => b.weight - a.weight).slice(0, H);
    const total = top.reduce((s, x) => s + Math.log1p(x.weight), 0) || 1;
    top.forEach((x, h) => {
      histIdx[u * H + h] = x.item;
      histW[u * H + h] = Math.log1p(x.weight) / total;
      histPos.set(u * d.items + x.item, h);
    });
  });
  const histIdxT = tf.tensor2d(histIdx, [d.users, H], 'int32');
  const histWT = tf.tensor2d(histW, [d.users, H]);
  // Friends' artists: log-play weights summed over friends' training interactions, the top H.
  const friendIdx = new Int32Array(d.users * H);
  const friendW = new Float32Array(d.users * H);
  if (cfg.friends) {
    for (let u = 0; u < d.users; u++) {
      const acc = new Map<number, number>();
      for (const f of d.friends[u]) {
        const tot = split.train[f].reduce((t, x) => t + Math.log1p(x.weight), 0) || 1;
        for (const x of split.train[f]) acc.set(x.item, (acc.get(x.item) ?? 0) + Math.log1p(x.weight) / tot);
      }
      const top = [...acc].sort((a, b) => b[1] - a[1]).slice(0, H);
      const total = top.reduce((t, x) => t + x[1], 0) || 1;
      top.forEach(([item, w], h) => {
        friendIdx[u * H + h] = item;
        friendW[u * H + h] = w / total;
      });
    }
  }
  const friendIdxT = tf.tensor2d(friendIdx, [d.users, H], 'int32');
  // Co-listening neighbours of each artist, from the training interactions only.
  const K = Math.max(1, cfg.neighbours);
  const nbrIdx = new Int32Array(d.items * K);
  const nbrW = new Float32Array(d.items * K);
  if (cfg.neighbours > 0) {
    const deg = new Float64Array(d.items);
    const co = new Map<number, number>();
    for (const l of split.train) {
      for (const x of l) deg[x.item]++;
      for (let a = 0; a < l.length; a++) {
        for (let b = a + 1; b < l.length; b++) {
          const i = Math.min(l[a].item, l[b].item);
          const j = Math.max(l[a].item, l[b].item);
          const key = i * d.items + j;
          co.set(key, (co.get(key) ?? 0) + 1);
        }
      }
    }
    const lists: [number, number][][] = Array.from({ length: d.items }, () => []);
    for (const [key, c] of co) {
      const i = Math.floor(key / d.items);
      const j = key - i * d.items;
      const w = c / Math.sqrt(deg[i] * deg[j]);
      lists[i].push([j, w]);
      lists[j].push([i, w]);
    }
    lists.forEach((l, i) => {
      const top = l.sort((a, b) => b[1] - a[1]).slice(0, K);
      const total = top.reduce((t, x) => t + x[1], 0) || 1;
      top.forEach(([j, w], k) => {
        nbrIdx[i * K + k] = j;
        nbrW[i * K + k] = w / total;
      });
    });
  }
  const nbrIdxT = tf.tensor2d(nbrIdx, [d.items, K], 'int32');
  const nbrWT = tf.tensor2d(nbrW, [d.items, K]);
  const friendWT = tf.tensor2d(friendW, [d.users, H]);
  const tagsT = tf.tensor2d(d.itemTags, [d.items, T], 'int32');
  const tagMask = tf.tensor2d(Float32Array.from(d.itemTags, (x) => (x > 0 ? 1 : 0)), [d.items, T]);
  const counts = new Float64Array(d.items);
  const pairs: [number, number][] = [];
  split.train.forEach((l, u) => l.forEach((x) => {
    pairs.push([u, x.item]);
    counts[x.item]++;
  }));
  const total = pairs.length;
  // Weighted on the cosine's scale (÷ τ), so Adam's step size suits it as it suits the towers.
  const coWeight = co ? p.scalar('score/co_listening', 0.15) : null;
  // log of the expected number of times each artist is among a batch's negatives: in-batch ones
  // come by popularity, the uniform ones at M/N each (the sampled-softmax correction).
  const M = cfg.uniformNegatives;
  const logQ = tf.tensor1d(Float32Array.from(counts, (c) => Math.log((cfg.batch * (c + 1)) / total + M / d.items)));

  const l2n = (x: tf.Tensor2D) => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-6))) as tf.Tensor2D;
  const itemTower = (idx: tf.Tensor1D) => {
    const tags = tf.gather(tagsT, idx);
    const mask = tf.gather(tagMask, idx);
    const te = tf.reshape(tf.gather(tagEmb, tf.reshape(tags, [-1])), [-1, T, D]);
    const tagMean = tf.div(tf.sum(tf.mul(te, tf.expandDims(mask, 2)), 1), tf.add(tf.sum(mask, 1, true), 1e-6));
    const parts = [tf.gather(itemEmb, idx) as tf.Tensor2D, tagMean as tf.Tensor2D];
    if (cfg.neighbours > 0) {
      const ne = tf.reshape(tf.gather(histEmb, tf.reshape(tf.gather(nbrIdxT, idx), [-1])), [-1, K, D]);
      parts.push(tf.sum(tf.mul(ne, tf.expandDims(tf.gather(nbrWT, idx), 2)), 1) as tf.Tensor2D);
    }
    const x = tf.concat(parts, 1);
    return l2n(i2.apply(tf.relu(i1.apply(x))));
  };
  const userTower = (uIdx: tf.Tensor1D, weights: tf.Tensor2D) => {
    const he = tf.reshape(tf.gather(histEmb, tf.reshape(tf.gather(histIdxT, uIdx), [-1])), [-1, H, D]);
    const pooled = tf.sum(tf.mul(he, tf.expandDims(weights, 2)), 1) as tf.Tensor2D;
    const parts = [pooled, cfg.userId ? (tf.gather(userEmb, uIdx) as tf.Tensor2D) : tf.zerosLike(pooled)];
    if (cfg.friends) {
      const fe = tf.reshape(tf.gather(histEmb, tf.reshape(tf.gather(friendIdxT, uIdx), [-1])), [-1, H, D]);
      parts.push(tf.sum(tf.mul(fe, tf.expandDims(tf.gather(friendWT, uIdx), 2)), 1) as tf.Tensor2D);
    }
    const x = tf.concat(parts, 1);
    return l2n(u2.apply(tf.relu(u1.apply(x))));
  };

  const optimizer = adam(cfg.lr);
  /** Metrics on validation or test; `final` also hands every person's scores to `capture`. */
  const evaluate = (which: Which, final = false): HetrecMetrics => {
    const itemVecs = tf.tidy(() => itemTower(tf.range(0, d.items, 1, 'int32') as tf.Tensor1D));
    const acc = new RankingMetrics();
    const chunk = 256;
    for (let s = 0; s < d.users; s += chunk) {
      const e = Math.min(d.users, s + chunk);
      const scores = tf.tidy(() => {
        const uIdx = tf.range(s, e, 1, 'int32') as tf.Tensor1D;
        const sims = tf.matMul(userTower(uIdx, tf.slice(histWT, [s, 0], [e - s, H]) as tf.Tensor2D), itemVecs, false, true);
        return biasEmb ? tf.add(tf.div(sims, cfg.temperature), tf.reshape(biasEmb, [1, d.items])) : sims;
      });
      const data = scores.dataSync() as Float32Array;
      scores.dispose();
      if (co) {
        const w = coWeight!.dataSync()[0] / cfg.temperature;
        const c = co.full.subarray(s * d.items, e * d.items);
        for (let k = 0; k < c.length; k++) data[k] += w * c[k];
      }
      for (let u = s; u < e; u++) {
        const row = data.subarray((u - s) * d.items, (u - s + 1) * d.items);
        if (final) capture(which, u, row);
        acc.add(split, which, u, row.slice());
      }
    }
    itemVecs.dispose();
    return acc.mean();
  };

  let best = { valid: null as HetrecMetrics | null, epoch: -1, weights: null as Map<string, Float32Array> | null };
  let patience = 0;
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    (optimizer as unknown as { learningRate: number }).learningRate = cfg.lr * Math.pow(0.95, epoch);
    const order = rng.shuffle(pairs.map((_, i) => i));
    for (let s = 0; s + 2 <= order.length; s += cfg.batch) {
      const idx = order.slice(s, s + cfg.batch);
      const users = Int32Array.from(idx, (i) => pairs[i][0]);
      const items = Int32Array.from(idx, (i) => pairs[i][1]);
      // Leave the target out of the person's history, renormalising the rest.
      const w = new Float32Array(idx.length * H);
      idx.forEach((_, j) => {
        const u = users[j];
        w.set(histW.subarray(u * H, (u + 1) * H), j * H);
        const slot = histPos.get(u * d.items + items[j]);
        if (slot !== undefined) w[j * H + slot] = 0;
        if (cfg.historyDropout > 0) for (let h = 0; h < H; h++) if (rng.next() < cfg.historyDropout) w[j * H + h] = 0;
        let rest = 0;
        for (let h = 0; h < H; h++) rest += w[j * H + h];
        if (rest > 0) for (let h = 0; h < H; h++) w[j * H + h] /= rest;
      });
      const extraIdx = Int32Array.from({ length: M }, () => rng.int(d.items));
      const coFeat = co ? co.batch(users, items, extraIdx) : null;
      const loss = tf.tidy(() => {
        const uT = tf.tensor1d(users, 'int32');
        const iT = tf.tensor1d(items, 'int32');
        const wT = tf.tensor2d(w, [idx.length, H]);
        const extra = M > 0 ? tf.tensor1d(extraIdx, 'int32') : null;
        const coT = coFeat ? tf.tensor2d(coFeat, [idx.length, idx.length + M]) : null;
        return optimizer.minimize(() => {
          const u = userTower(uT, wT);
          const cand = extra ? tf.concat([iT, extra]) : iT;
          const v = itemTower(cand as tf.Tensor1D);
          let scores = tf.div(tf.matMul(u, v, false, true), cfg.temperature);
          if (biasEmb) scores = tf.add(scores, tf.reshape(tf.gather(biasEmb, cand), [1, -1]));
          if (coT) scores = tf.add(scores, tf.mul(tf.div(coWeight!, cfg.temperature), coT));
          const logits = tf.sub(scores, tf.expandDims(tf.gather(logQ, cand), 0));
          // Mask other copies of each example's own artist (they are not negatives).
          const same = tf.equal(tf.expandDims(iT, 1), tf.expandDims(cand, 0));
          const eye = tf.cast(tf.oneHot(tf.range(0, idx.length, 1, 'int32'), idx.length + M), 'bool');
          const masked = tf.where(tf.logicalAnd(same, tf.logicalNot(eye)), tf.fill(logits.shape, -1e9), logits);
          const labels = tf.oneHot(tf.range(0, idx.length, 1, 'int32'), idx.length + M);
          let loss = tf.losses.softmaxCrossEntropy(labels, masked) as tf.Scalar;
          if (cfg.l2 > 0) loss = tf.add(loss, tf.mul(cfg.l2, tf.add(tf.mean(tf.square(tf.gather(itemEmb, iT))), tf.mean(tf.square(tf.gather(userEmb, uT)))))) as tf.Scalar;
          return loss;
        }, true, varList) as tf.Scalar;
      });
      loss.dispose();
    }
    const valid = evaluate('valid');
    onEpoch(epoch, valid);
    log.info(`epoch ${epoch + 1}: valid ndcg@10 ${valid['ndcg@10'].toFixed(4)} recall@10 ${valid['recall@10'].toFixed(4)}`);
    if (!best.valid || valid['ndcg@10'] > best.valid['ndcg@10']) {
      best = { valid, epoch, weights: new Map([...p.all()].map(([k, v]) => [k, Float32Array.from(v.dataSync())])) };
      patience = 0;
    } else if (++patience >= 4) break;
  }
  for (const [k, v] of p.all()) v.assign(tf.tensor(best.weights!.get(k)!, v.shape));
  evaluate('valid', true);
  const test = evaluate('test', true);
  tf.dispose([histIdxT, histWT, tagsT, tagMask, logQ, friendIdxT, friendWT, nbrIdxT, nbrWT]);
  p.dispose();
  optimizer.dispose();
  return { valid: best.valid!, test, bestEpoch: best.epoch + 1 };
}

/**
 * The co-listening feature: `full` holds it for every person × artist (training interactions, as
 * evaluation sees them); `batch` gives a training batch's people × candidates, leave-one-out for
 * candidates the person has in training (their own co-listening removed from the counts).
 */
export function coListening(d: HetrecData, split: HetrecSplit, alpha: number) {
  const N = d.items;
  const deg = new Float64Array(N);
  for (const l of split.train) for (const x of l) deg[x.item]++;
  const co: Map<number, number>[] = Array.from({ length: N }, () => new Map());
  for (const l of split.train) {
    for (const a of l) {
      const m = co[a.item];
      for (const b of l) if (a.item !== b.item) m.set(b.item, (m.get(b.item) ?? 0) + 1);
    }
  }
  const srcNorm = Float64Array.from(deg, (x) => (x > 0 ? Math.pow(x, -alpha) : 0));
  const dstNorm = (n: number) => (n > 0 ? Math.pow(n, alpha - 1) : 0);
  const dst = Float64Array.from(deg, dstNorm);
  const full = new Float32Array(d.users * N);
  const scale = new Float32Array(d.users);
  const own = split.train.map((l) => new Set(l.map((x) => x.item)));
  for (let u = 0; u < d.users; u++) {
    const row = full.subarray(u * N, (u + 1) * N);
    for (const x of split.train[u]) {
      const sj = srcNorm[x.item];
      for (const [k, c] of co[x.item]) row[k] += c * sj * dst[k];
    }
    let mx = 0;
    for (let k = 0; k < N; k++) if (row[k] > mx) mx = row[k];
    scale[u] = mx > 0 ? 1 / mx : 0;
    for (let k = 0; k < N; k++) row[k] *= scale[u];
  }
  /** The feature for person u and their own training artist i, with u taken out of the counts. */
  const leaveOneOut = (u: number, i: number): number => {
    const di = deg[i] - 1;
    if (di <= 0) return 0;
    const dn = dstNorm(di);
    let sum = 0;
    for (const x of split.train[u]) {
      if (x.item === i) continue;
      const c = (co[x.item].get(i) ?? 0) - 1;
      if (c > 0) sum += c * srcNorm[x.item] * dn;
    }
    return sum * scale[u];
  };
  const batch = (users: Int32Array, items: Int32Array, extra: Int32Array): Float32Array => {
    const B = users.length;
    const C = B + extra.length;
    const out = new Float32Array(B * C);
    for (let r = 0; r < B; r++) {
      const u = users[r];
      const row = full.subarray(u * N, (u + 1) * N);
      const mine = own[u];
      for (let c = 0; c < C; c++) {
        const k = c < B ? items[c] : extra[c - B];
        out[r * C + c] = mine.has(k) ? leaveOneOut(u, k) : row[k];
      }
    }
    return out;
  };
  return { full, scale, batch };
}
