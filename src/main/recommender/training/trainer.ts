/**
 * Training: epochs of mini-batches with Adam and a learning-rate schedule, validation ranking
 * metrics each epoch, early stopping, atomic checkpoints of the best and the last model, resume,
 * cancel, seeded determinism, per-epoch logs and TensorBoard event files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../../../shared/config-schema';
import type { TrainProgress } from '../../../shared/types';
import { getLogger } from '../../logging';
import { ensureGradients, initBackend, tf, type BackendInfo } from '../backend';
import { epochExamples, negativeSampler, positiveExamples, type EpochExamples, type HardNegatives } from '../data/examples';
import { dimsOf } from '../data/features';
import { FeatureTensors } from '../data/tensors';
import { chooseWeights, COLISTEN_SHARES, meanSpread, type FusionFallback } from '../inference/fusion';
import { ModelRanker } from '../inference/model-ranker';
import { chooseSetting, MAX_NEIGHBOURHOOD_PEOPLE, NEIGHBOURHOOD_BLIND, NEIGHBOURHOOD_SETTINGS, positivesWithStrength, type Neighbourhood, type NeighbourhoodSetting } from '../inference/neighbourhood';
import { loadModel, readManifest, restoreOptimizer, saveModel } from '../models/io';
import { TwoTowerModel, type FusionWeights, type Output } from '../models/two-tower';
import type { Prepared } from '../data/pipeline';
import { Rng } from '../../util/random';
import { evaluateRanker, hitsAtK, meanNdcg, type EvalOptions, type EvalTask, type Ranker } from '../evaluation/ranking';
import { listSoftmax, mixedSoftmax, sampledSoftmax, weightedBce } from './losses';
import { EventWriter } from './tensorboard';
import { adam } from './adam';

const log = getLogger('trainer');

export class CancelledError extends Error {
  constructor() {
    super('training was cancelled; the last good model is unchanged');
    this.name = 'CancelledError';
  }
}

export type { TrainProgress } from '../../../shared/types';

export interface EpochLog {
  epoch: number;
  loss: number;
  lr: number;
  seconds: number;
  examplesPerS: number;
  valid: Record<string, number>;
}

export interface TrainOptions {
  config: AppConfig;
  prepared: Prepared;
  /** Folder for this run: best/, last/, tensorboard/ and train.log.jsonl are written inside. */
  runDir: string;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** Continue from this run folder's last/ checkpoint. */
  resume?: boolean;
  /** Start from this saved model's weights (a warm start; `prepared` must use its feature space). */
  initFrom?: string;
}

export interface TrainResult {
  runDir: string;
  bestDir: string;
  lastDir: string;
  /** Index in `epochs` of the saved model's entry (an ensemble's: the put-together model's, after its members' epochs). */
  bestEpoch: number;
  /** An ensemble's members' own best epochs (0-based, each in its own run). */
  memberBestEpochs?: number[];
  bestMetric: number;
  epochs: EpochLog[];
  backend: BackendInfo;
  /**
   * The best model's item vectors over the whole catalogue, as its validation computed them (kept
   * in memory only, when this process computed them): what serving would compute again on opening
   * the model, so the caller can save them with it (inference/serving-snapshot.ts).
   */
  itemVecs?: Float32Array;
}

/** The best epoch to report, 1-based: the network's, or each member's of an ensemble (not its place in the combined log). */
export function reportedBestEpoch(r: Pick<TrainResult, 'bestEpoch' | 'memberBestEpochs'>): number | number[] {
  return r.memberBestEpochs ? r.memberBestEpochs.map((e) => e + 1) : r.bestEpoch + 1;
}

function learningRate(cfg: AppConfig['training'], epoch: number): number {
  const s = cfg.lr_schedule;
  let lr = cfg.learning_rate;
  if (s.type === 'exponential') lr *= Math.pow(s.decay_rate, epoch);
  else if (s.type === 'cosine') lr *= 0.5 * (1 + Math.cos((Math.PI * epoch) / Math.max(1, cfg.epochs)));
  if (s.warmup_epochs > 0 && epoch < s.warmup_epochs) lr *= (epoch + 1) / (s.warmup_epochs + 1);
  return lr;
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Trains the configured model. An ensemble (`model.ensemble` > 1) is its members trained one after
 * another as separate networks — each its own seed, initialisation, shuffles, negatives and best
 * epoch, in `member-<m>/` of the run folder — then put together as one model whose scores are
 * their mean, with its own validation metrics and blend.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const n = opts.config.model.ensemble ?? 1;
  return n > 1 ? trainEnsemble(opts, n) : trainNetwork(opts);
}

async function trainEnsemble(opts: TrainOptions, n: number): Promise<TrainResult> {
  const { config: cfg, prepared: prep, runDir } = opts;
  const tc = cfg.training;
  const t0 = performance.now();
  const epochs: EpochLog[] = [];
  const members: TrainResult[] = [];
  if (opts.initFrom) log.info('an ensemble trains its members afresh (a warm start applies to single networks)');
  for (let m = 0; m < n; m++) {
    const config: AppConfig = { ...cfg, model: { ...cfg.model, ensemble: 1 }, training: { ...tc, seed: (tc.seed + 7919 * m) % 2 ** 31 } };
    const memberDir = path.join(runDir, `member-${m + 1}`);
    const doneFile = path.join(memberDir, 'done.json');
    // Resuming an ensemble keeps the members that had finished (early stopping included).
    let r: TrainResult;
    if (opts.resume && fs.existsSync(doneFile)) r = JSON.parse(fs.readFileSync(doneFile, 'utf8')) as TrainResult;
    else {
      log.info(`ensemble member ${m + 1}/${n} (seed ${config.training.seed})`);
      r = await trainNetwork({
        ...opts, config, initFrom: undefined, runDir: memberDir,
        onProgress: opts.onProgress && ((p) => opts.onProgress!({ ...p, epoch: m * tc.epochs + p.epoch, epochs: n * tc.epochs, phase: p.phase === 'done' ? 'train' : p.phase })),
      });
      fs.writeFileSync(doneFile, JSON.stringify({ ...r, itemVecs: undefined }));
    }
    members.push(r);
    for (const e of r.epochs) epochs.push({ ...e, epoch: epochs.length });
  }
  const model = new TwoTowerModel(dimsOf(prep.featureSpace), cfg.model, tc.seed);
  const vars = model.params.all();
  members.forEach((r, m) => {
    const { model: member } = loadModel(r.bestDir);
    for (const [name, v] of member.params.all()) vars.get(m === 0 ? name : `m${m}/${name}`)!.assign(v);
    member.dispose();
  });
  const ftValid = new FeatureTensors(prep.users, prep.items);
  const ranker = new ModelRanker(model, ftValid, undefined, undefined, validationNeighbourhood(prep, cfg));
  const { metrics: valid, fusion } = validationMetrics(ranker, prep, cfg.evaluation.threshold, cfg.model.head.fusion_weights, cfg.model.head.fusion_fallback, cfg.model.head.novelty_weights, cfg.model.head.content_weights);
  ranker.dispose();
  ftValid.dispose();
  const itemVecs = ranker.itemVecs;
  const bestDir = path.join(runDir, 'best');
  const backend = members[0].backend;
  const seconds = (performance.now() - t0) / 1000;
  const entry: EpochLog = { epoch: epochs.length, loss: NaN, lr: 0, seconds, examplesPerS: 0, valid };
  epochs.push(entry);
  await saveModel(bestDir, model, { epoch: entry.epoch, seed: tc.seed, backend: backend.name, config: cfg, featureSpace: prep.featureSpace, metrics: valid, fusion });
  model.dispose();
  const metricName = tc.early_stopping.metric;
  log.info(`ensemble of ${n} finished in ${seconds.toFixed(1)} s: valid ${metricName} ${fmt(valid[metricName])} (members ${members.map((r) => fmt(r.bestMetric)).join(', ')})`);
  opts.onProgress?.({ phase: 'done', epoch: entry.epoch, epochs: n * tc.epochs, step: 0, steps: 0, loss: null, etaS: 0, examplesPerS: null });
  return { runDir, bestDir, lastDir: bestDir, bestEpoch: entry.epoch, memberBestEpochs: members.map((r) => r.bestEpoch), bestMetric: valid[metricName] ?? NaN, epochs, backend, itemVecs };
}

async function trainNetwork(opts: TrainOptions): Promise<TrainResult> {
  const { config: cfg, prepared: prep, runDir } = opts;
  const tc = cfg.training;
  const backend = await initBackend(tc.backend);
  ensureGradients();
  fs.mkdirSync(runDir, { recursive: true });
  const bestDir = path.join(runDir, 'best');
  const lastDir = path.join(runDir, 'last');
  const epochLogFile = path.join(runDir, 'train.log.jsonl');

  const optimizer = adam(tc.learning_rate);
  const { model, startEpoch, epochs } = await startModel(opts, optimizer, { bestDir, lastDir, epochLogFile });
  let { bestMetric, bestEpoch } = startEpoch > 0 ? startBest(opts, bestDir) : { bestMetric: -Infinity, bestEpoch: -1 };

  // Training rows are listening states along each person's timeline; validation ranks from each
  // person's state at the start of the validation period.
  const ft = new FeatureTensors(prep.stateUsers, prep.items);
  const ftValid = new FeatureTensors(prep.users, prep.items);
  // A quick retraining keeps the serving model's λ (choosing it again would cost a few seconds).
  const nbrValid = validationNeighbourhood(prep, cfg, opts.initFrom ? readManifest(opts.initFrom).fusion?.neighbours : undefined);
  const neg = tc.negatives;
  const hard: HardNegatives | undefined = neg.history_fraction + neg.artist_fraction > 0
    ? { historyTracks: prep.states.historyTracks, historyArtists: prep.states.historyArtists, tracksByArtist: tracksByArtist(prep.data.catalog.artistId), historyFraction: neg.history_fraction, artistFraction: neg.artist_fraction }
    : undefined;
  const varList = model.params.trainable();
  const tb = cfg.logging.tensorboard ? new EventWriter(path.join(runDir, 'tensorboard')) : null;
  const { sampler, logQ } = negativeSampler(prep.itemCounts, tc.negatives.strategy, tc.negatives.popularity_alpha);
  const logQT = tf.tensor1d(logQ);
  const mix = tc.retrieval_loss === 'softmax' ? batchMix(prep.states.inter, logQ) : undefined;
  const metricName = tc.early_stopping.metric;
  const sign = tc.early_stopping.mode === 'max' ? 1 : -1;
  let byLoss = false;
  const best = () => (byLoss ? `training loss ${fmt(-bestMetric)} (no validation period to choose by)` : `${metricName} ${fmt(sign * bestMetric)}`);
  let patience = 0;
  // The item vectors of the best and of the last epoch's model (from their validation).
  let bestVecs: Float32Array | undefined;
  let lastVecs: Float32Array | undefined;
  const t0 = performance.now();
  let examplesDone = 0;
  const totalEpochs = tc.epochs;

  try {
    for (let epoch = startEpoch; epoch < totalEpochs; epoch++) {
      // A fresh, seeded stream per epoch: resuming at epoch e draws what a straight run would.
      const rng = new Rng((tc.seed * 1000003 + epoch * 7919) >>> 0);
      const lr = learningRate(tc, epoch);
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const ex: EpochExamples =
        tc.loss === 'sampled_softmax'
          ? positiveExamples(prep.states.inter, rng)
          : epochExamples(prep.states.inter, sampler, neg.per_positive, rng, hard, tc.max_positives_per_epoch, tc.new_track_weight, tc.head_listwise > 0 && model.hasHead);
      const B = tc.batch_size;
      const steps = Math.ceil(ex.user.length / B);
      const te = performance.now();
      let lossSum = tf.scalar(0);
      let lastLoss: number | null = null;
      for (let step = 0; step < steps; step++) {
        if (opts.signal?.aborted) throw new CancelledError();
        const s = step * B;
        const e = Math.min(ex.user.length, s + B);
        if (tc.loss === 'sampled_softmax' && e - s < 2) continue;
        const loss = trainStep({ model, optimizer, ft, logQT, varList, cfg, mix }, ex, s, e, rng.int(1 << 30));
        const next = tf.add(lossSum, loss);
        lossSum.dispose();
        loss.dispose();
        lossSum = tf.keep(next) as tf.Scalar;
        examplesDone += e - s;
        if (step % 25 === 0 || step === steps - 1) {
          lastLoss = lossSum.dataSync()[0] / (step + 1);
          const elapsed = (performance.now() - te) / 1000;
          const perStep = elapsed / (step + 1);
          const remainingSteps = steps - step - 1 + (totalEpochs - epoch - 1) * steps;
          opts.onProgress?.({
            phase: 'train', epoch, epochs: totalEpochs, step: step + 1, steps, loss: lastLoss,
            etaS: perStep * remainingSteps, examplesPerS: (e === ex.user.length ? ex.user.length : (step + 1) * B) / elapsed,
          });
          await tick();
        }
      }
      const epochLoss = lossSum.dataSync()[0] / Math.max(1, steps);
      lossSum.dispose();
      if (!Number.isFinite(epochLoss)) {
        throw new Error(`training diverged in epoch ${epoch + 1} (the loss is not a number); try a lower learning rate. The last good model is unchanged`);
      }
      const seconds = (performance.now() - te) / 1000;

      opts.onProgress?.({ phase: 'validate', epoch, epochs: totalEpochs, step: steps, steps, loss: epochLoss, etaS: null, examplesPerS: ex.user.length / seconds });
      const ranker = new ModelRanker(model, ftValid, undefined, undefined, nbrValid);
      const { metrics: valid, fusion } = validationMetrics(ranker, prep, cfg.evaluation.threshold, cfg.model.head.fusion_weights, cfg.model.head.fusion_fallback, cfg.model.head.novelty_weights, cfg.model.head.content_weights);
      ranker.dispose();
      lastVecs = ranker.itemVecs;
      valid.loss = epochLoss;
      const entry: EpochLog = { epoch, loss: epochLoss, lr, seconds, examplesPerS: ex.user.length / seconds, valid };
      epochs.push(entry);
      fs.appendFileSync(epochLogFile, JSON.stringify(entry) + '\n');
      if (cfg.logging.per_epoch) for (const line of epochLines(epoch + 1, totalEpochs, entry)) log.info(line);
      tb?.scalars(epoch + 1, {
        'train/loss': epochLoss, 'train/learning_rate': lr, 'train/examples_per_s': entry.examplesPerS,
        ...Object.fromEntries(Object.entries(valid).map(([k, v]) => [`valid/${k}`, v])),
      });

      // Without a validation period (a few listens) the epoch with the lowest training loss is kept.
      byLoss = metricName !== 'loss' && valid[metricName] === undefined && !prep.valid.users.length;
      const metric = metricName === 'loss' ? epochLoss : valid[metricName] ?? NaN;
      const value = byLoss ? -epochLoss : Number.isFinite(metric) ? sign * metric : -Infinity;
      const saveOpts = { epoch, seed: tc.seed, backend: backend.name, config: cfg, featureSpace: prep.featureSpace, metrics: valid, fusion };
      const improved = value > bestMetric + tc.early_stopping.min_delta || bestEpoch < 0;
      if (improved) {
        bestMetric = value;
        bestEpoch = epoch;
        patience = 0;
        if (tc.checkpoints.keep_best) await saveModel(bestDir, model, saveOpts);
        bestVecs = lastVecs;
      } else patience++;
      if (tc.checkpoints.keep_last || !tc.checkpoints.keep_best) await saveModel(lastDir, model, { ...saveOpts, optimizer });
      opts.onProgress?.({ phase: 'train', epoch, epochs: totalEpochs, step: steps, steps, loss: epochLoss, etaS: null, examplesPerS: entry.examplesPerS, metrics: valid });
      if (tc.early_stopping.enabled && patience > tc.early_stopping.patience) {
        log.info(`early stopping after epoch ${epoch + 1}: ${byLoss ? 'the training loss' : metricName} has not improved for ${patience} epochs (best ${best()} at epoch ${bestEpoch + 1})`);
        break;
      }
    }
  } finally {
    tb?.close();
    logQT.dispose();
    ft.dispose();
    ftValid.dispose();
    model.dispose();
    optimizer.dispose();
  }
  if (!tc.checkpoints.keep_best) fs.cpSync(lastDir, bestDir, { recursive: true });
  const seconds = (performance.now() - t0) / 1000;
  log.info(`training finished in ${seconds.toFixed(1)} s on ${backend.description}: best ${best()} at epoch ${bestEpoch + 1}; ${Math.round(examplesDone / seconds)} examples/s overall`);
  opts.onProgress?.({ phase: 'done', epoch: bestEpoch, epochs: totalEpochs, step: 0, steps: 0, loss: null, etaS: 0, examplesPerS: examplesDone / seconds });
  return { runDir, bestDir, lastDir, bestEpoch, bestMetric: byLoss ? NaN : sign * bestMetric, epochs, backend, itemVecs: tc.checkpoints.keep_best ? bestVecs : lastVecs };
}

/** A new model, or (resuming) the last checkpoint with its optimizer state and the epochs logged before it. */
async function startModel(opts: TrainOptions, optimizer: tf.Optimizer, files: { bestDir: string; lastDir: string; epochLogFile: string }): Promise<{ model: TwoTowerModel; startEpoch: number; epochs: EpochLog[] }> {
  const { config: cfg, prepared: prep, runDir } = opts;
  const epochs: EpochLog[] = [];
  if (opts.resume && fs.existsSync(path.join(files.lastDir, 'manifest.json'))) {
    const model = loadModel(files.lastDir).model;
    await restoreOptimizer(files.lastDir, optimizer);
    const startEpoch = readManifest(files.lastDir).epoch + 1;
    if (fs.existsSync(files.epochLogFile)) {
      for (const line of fs.readFileSync(files.epochLogFile, 'utf8').split('\n')) if (line.trim()) epochs.push(JSON.parse(line) as EpochLog);
      epochs.splice(startEpoch);
    }
    log.info(`resuming ${runDir} at epoch ${startEpoch + 1}`);
    return { model, startEpoch, epochs };
  }
  fs.rmSync(files.epochLogFile, { force: true });
  if (opts.initFrom) {
    const { model, manifest } = loadModel(opts.initFrom);
    if (JSON.stringify(manifest.config.model) === JSON.stringify(cfg.model) && JSON.stringify(dimsOf(manifest.featureSpace)) === JSON.stringify(dimsOf(prep.featureSpace))) {
      log.info(`warm start from ${opts.initFrom}`);
      return { model, startEpoch: 0, epochs };
    }
    model.dispose();
    log.warning(`${opts.initFrom}: another model configuration or feature space, so training starts afresh`);
  }
  return { model: new TwoTowerModel(dimsOf(prep.featureSpace), cfg.model, cfg.training.seed), startEpoch: 0, epochs };
}

/** The best checkpoint's epoch and early-stopping value so far (resuming), signed so that higher is better. */
function startBest(opts: TrainOptions, bestDir: string): { bestMetric: number; bestEpoch: number } {
  const es = opts.config.training.early_stopping;
  if (!fs.existsSync(path.join(bestDir, 'manifest.json'))) return { bestMetric: -Infinity, bestEpoch: -1 };
  const b = readManifest(bestDir);
  const v = b.metrics[es.metric] ?? -Infinity;
  return { bestEpoch: b.epoch, bestMetric: es.mode === 'min' ? -v : v };
}

interface StepContext {
  model: TwoTowerModel;
  optimizer: tf.Optimizer;
  ft: FeatureTensors;
  logQT: tf.Tensor1D;
  varList: tf.Variable[];
  cfg: AppConfig;
  /** For `retrieval_loss: softmax`: how items come into a batch, as positives and as sampled negatives. */
  mix?: BatchMix;
}

/** Per catalogue row: the probability of being drawn as a positive (training frequency) and as a sampled negative. */
export interface BatchMix {
  positive: Float64Array;
  negative: Float64Array;
}

/** Batch-relative rows of the lists (a positive and its negatives) wholly inside rows [s, e); null when none. */
export function completeGroups(ex: EpochExamples, s: number, e: number): Int32Array | null {
  if (!ex.groupStart || !ex.groupSize) return null;
  const k = ex.groupSize;
  const rows: number[] = [];
  for (let r = s; r + k <= e; r++) if (ex.groupStart[r]) for (let j = 0; j < k; j++) rows.push(r - s + j);
  return rows.length ? Int32Array.from(rows) : null;
}

/** `k` catalogue rows drawn uniformly (with replacement) from a seed. */
function uniformItems(n: number, k: number, seed: number): Int32Array {
  const rng = new Rng(seed ^ 0x5bd1e995);
  return Int32Array.from({ length: k }, () => rng.int(n));
}

/** How items come into a batch: positives as often as they are trained on, negatives as the sampler draws them. */
export function batchMix(inter: { item: ArrayLike<number>; label: ArrayLike<number> }, logQ: Float32Array): BatchMix {
  const positive = new Float64Array(logQ.length);
  let n = 0;
  for (let i = 0; i < inter.label.length; i++) {
    if (inter.label[i] !== 1) continue;
    positive[inter.item[i]]++;
    n++;
  }
  if (n) for (let t = 0; t < positive.length; t++) positive[t] /= n;
  return { positive, negative: Float64Array.from(logQ, Math.exp) };
}

/**
 * The towers' softmax over the batch's distinct items (training/losses.ts mixedSoftmax): each
 * positive row against every item of the batch, corrected by the log of each item's expected
 * count in a batch of this many positives and negatives.
 */
export function batchSoftmax(
  u: tf.Tensor2D, v: tf.Tensor2D, ex: EpochExamples, s: number, e: number, mix: BatchMix, temperature: number,
  extra?: { items: Int32Array; vectors: (rows: Int32Array) => tf.Tensor2D },
): tf.Scalar {
  const pos: number[] = [];
  for (let r = s; r < e; r++) if (ex.label[r] === 1) pos.push(r - s);
  if (pos.length < 2) return tf.scalar(0);
  const { unique, inverse } = uniqueIndex(ex.item.subarray(s, e));
  const first = new Int32Array(unique.length).fill(-1);
  inverse.forEach((c, r) => {
    if (first[c] < 0) first[c] = r;
  });
  // Extra catalogue items drawn uniformly (once each, none already in the batch: an item twice
  // among the candidates would count its own positive as a negative).
  let more = new Int32Array(0);
  if (extra) {
    const inBatch = new Set(unique);
    more = Int32Array.from(new Set(Array.from(extra.items).filter((t) => !inBatch.has(t))));
  }
  const nNeg = e - s - pos.length;
  const nExtra = extra?.items.length ?? 0;
  const q = (t: number) => Math.log(pos.length * mix.positive[t] + nNeg * mix.negative[t] + nExtra / mix.positive.length + 1e-12);
  const logQ = Float32Array.from([...unique, ...more], q);
  const uP = tf.gather(u, tf.tensor1d(pos, 'int32')) as tf.Tensor2D;
  let vC = tf.gather(v, tf.tensor1d(first, 'int32')) as tf.Tensor2D;
  if (more.length) vC = tf.concat([vC, extra!.vectors(more)], 0) as tf.Tensor2D;
  const logits = tf.div(tf.matMul(uP, vC, false, true), temperature) as tf.Tensor2D;
  const target = tf.tensor1d(pos.map((r) => inverse[r]), 'int32');
  return mixedSoftmax(logits, target, tf.tensor1d(logQ), tf.tensor1d(pos.map((r) => ex.weight[s + r])));
}

/** One optimiser step on examples [s, e) of the epoch; the batch's loss (kept, the caller disposes it). */
function trainStep({ model, optimizer, ft, logQT, varList, cfg, mix }: StepContext, ex: EpochExamples, s: number, e: number, dropoutSeed: number): tf.Scalar {
  const tc = cfg.training;
  const bn = model.newBnUpdates();
  // The user tower runs once per distinct person in the batch (a batch of 1,024 examples
  // holds a few hundred people at most), then its rows are gathered per example.
  const { unique, inverse } = uniqueIndex(ex.user.subarray(s, e));
  const loss = tf.tidy(() => {
    const uIdx = tf.tensor1d(ex.user.subarray(s, e), 'int32');
    const uUnique = tf.tensor1d(unique, 'int32');
    const uInverse = tf.tensor1d(inverse, 'int32');
    const iIdx = tf.tensor1d(ex.item.subarray(s, e), 'int32');
    const w = tf.tensor1d(ex.weight.subarray(s, e));
    const ctx = { training: true, bn, dropoutSeed };
    return optimizer.minimize(() => {
      const u = tf.gather(model.userVector(ft.userBatch(uUnique), ctx), uInverse) as tf.Tensor2D;
      const v = model.itemVector(ft.itemBatch(iIdx), ctx);
      let l: tf.Scalar;
      if (tc.loss === 'sampled_softmax') {
        l = sampledSoftmax(u, v, tf.gather(logQT, iIdx) as tf.Tensor1D, w, cfg.model.temperature);
      } else {
        const y = tf.tensor1d(ex.label.subarray(s, e));
        const both = model.logitsBoth(u, v, ft.pairBatch(uIdx, iIdx, ex.user.subarray(s, e), ex.item.subarray(s, e)), ctx);
        const col = (k: number) => tf.reshape(tf.slice(both, [0, k], [-1, 1]), [-1]) as tf.Tensor1D;
        // "all" learns from every example; "discover" with discoveries weighted up and no
        // "other tracks by your artists" negatives (what one discovers next is often one of them).
        const dw = tf.tensor1d(ex.discoverWeight.subarray(s, e));
        l = tf.add(weightedBce(col(0), y, w), weightedBce(col(1), y, dw)) as tf.Scalar;
        // Listwise too: each positive against its own sampled negatives (log-Q corrected).
        const lists = tc.head_listwise > 0 ? completeGroups(ex, s, e) : null;
        if (lists) {
          const idx = tf.tensor2d(lists, [lists.length / ex.groupSize!, ex.groupSize!], 'int32');
          const logQ = tf.gather(tf.gather(logQT, iIdx), idx) as unknown as tf.Tensor2D;
          const at = (x: tf.Tensor1D) => tf.gather(x, idx) as unknown as tf.Tensor2D;
          const head = (k: number) => tf.sub(at(col(k)), logQ) as tf.Tensor2D;
          const first = (x: tf.Tensor1D) => tf.reshape(tf.slice(at(x), [0, 0], [-1, 1]), [-1]) as tf.Tensor1D;
          // "discover" leaves out the negatives it does not learn from (weight 0), as its BCE does.
          const discover = tf.add(head(1), tf.mul(tf.sub(tf.onesLike(at(dw)), tf.sign(at(dw))), -1e4)) as tf.Tensor2D;
          const listwise = tf.add(listSoftmax(head(0), first(w)), listSoftmax(discover, first(dw)));
          l = tf.add(l, tf.mul(listwise, tc.head_listwise)) as tf.Scalar;
        }
        // Keep the towers good at retrieval too when a head sits on top of them.
        if (tc.retrieval_loss === 'softmax' && mix) {
          const extra = tc.retrieval_negatives > 0
            ? { items: uniformItems(ft.items.n, tc.retrieval_negatives, dropoutSeed), vectors: (rows: Int32Array) => model.itemVector(ft.itemBatch(tf.tensor1d(rows, 'int32')), ctx) }
            : undefined;
          l = tf.add(l, batchSoftmax(u, v, ex, s, e, mix, cfg.model.temperature, extra)) as tf.Scalar;
        } else if (model.hasHead) l = tf.add(l, tf.mul(weightedBce(model.dotLogits(u, v), y, w), 0.5)) as tf.Scalar;
      }
      if (tc.weight_decay > 0) l = tf.add(l, tf.mul(model.l2(), tc.weight_decay)) as tf.Scalar;
      return l;
    }, true, varList) as tf.Scalar;
  });
  bn.apply();
  return loss;
}

const neighbourhoods = new WeakMap<Prepared, { key: string; nb: Neighbourhood | null }>();

/**
 * The library's neighbourhood score as of the start of validation (training-period plays), its
 * regularisation `setting` if given (a warm start keeps the serving model's), else the one among
 * NEIGHBOURHOOD_SETTINGS that ranks the validation period's discoveries best on its own (none finds
 * any: NEIGHBOURHOOD_BLIND, play-weighted) — or none: switched off,
 * one person (no neighbours), too many people, or no validation to choose with. Computed once per
 * prepared data and setting (an ensemble's members share it).
 */
export function validationNeighbourhood(prep: Prepared, cfg: AppConfig, setting?: NeighbourhoodSetting): Neighbourhood | undefined {
  const given = setting && { lambda: setting.lambda, dropout: setting.dropout ?? 0, weighted: !!setting.weighted };
  const key = JSON.stringify([cfg.model.head.neighbourhood, cfg.model.head.fusion_weights.length > 1, given ?? null]);
  const hit = neighbourhoods.get(prep);
  if (hit?.key === key) return hit.nb ?? undefined;
  const people = prep.data.profiles.length;
  let nb: Neighbourhood | null = null;
  if (cfg.model.head.neighbourhood && cfg.model.head.fusion_weights.length > 1 && people >= 2 && people <= MAX_NEIGHBOURHOOD_PEOPLE && prep.valid.users.length) {
    const t0 = performance.now();
    const best = chooseSetting(positivesWithStrength(prep.train, people), prep.items.n, prep.valid, given ? [given] : NEIGHBOURHOOD_SETTINGS, given ? undefined : NEIGHBOURHOOD_BLIND);
    nb = best.nb;
    log.info(`neighbourhood score over ${people} people: ${best.setting.weighted ? 'play-weighted' : '0/1'}, λ ${best.setting.lambda}, dropout emphasis ${best.setting.dropout ?? 0} (validation NDCG@10 ${fmt(best.v)} on its own), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  neighbourhoods.set(prep, { key, nb });
  return nb ?? undefined;
}

/** How many more people the content term must find validation discoveries for than it loses them for (validationMetrics). */
export const CONTENT_MIN_PEOPLE = 2;

/**
 * Validation metrics: discovery (what was first played in the validation period, without what was
 * played before) under the plain names, all plays as `all_plays/…`, and `mean_ndcg@10` of the two.
 * Each output's fusion weight (`grid`, see inference/fusion.ts) is chosen here on its own task's
 * NDCG@10, and the metrics are those of the chosen blend — the ranking the app would serve.
 */
export function validationMetrics(
  ranker: ModelRanker, prep: Prepared, threshold: number, grid: number[] = [], fallback: FusionFallback = { all: 0, discover: 0 }, noveltyGrid: number[] = [],
  contentGrid: number[] = [],
): { metrics: Record<string, number>; fusion: FusionWeights } {
  const weights = [...new Set([0, ...grid])];
  // Without a grid the blend is off; with one, an output validation cannot judge takes its fallback.
  const fusion: FusionWeights = weights.length > 1 ? { all: fallback.all, discover: fallback.discover } : { all: 0, discover: 0 };
  if (!prep.valid.users.length && !prep.validAll.users.length) {
    ranker.fusion = fusion;
    return { metrics: {}, fusion };
  }
  const nbr = ranker.neighbourhood;
  const network: Partial<Record<Output, number>> = {};
  const blended = (output: Output, task: EvalTask, opts: EvalOptions) => {
    ranker.as(output);
    const cands = new Map(ranker.candidates(task.users, task.exclude).map((c) => [c.user, c]));
    // The weights are chosen with each person's neighbourhood score standardised by its own spread
    // (`nbrScale` unset); the library-wide spread (fusion.ts meanSpread) is then tried with the
    // chosen weights and kept where validation finds more with it (`scale` below).
    const blend = (w: number, wn = 0, wv = 0, wc = 0, wt = 0, nbrScale?: number): Ranker => ({ name: 'two_tower', score: (users) => users.map((u) => ranker.compose(cands.get(u)!, w, wn, wv, wc, wt, nbrScale)), probabilities: (u, items) => ranker.probabilities(u, items) });
    // Each weight judged by NDCG@10 alone (cheap), the chosen one then measured in full. Discovery
    // with a neighbourhood score tries each pair of weights (own listening, neighbourhood), each
    // with every novelty weight (model.head.novelty_weights; [0] by default).
    // A neighbourhood that on its own finds none of validation's discoveries cannot be judged by
    // it (a few people, a discovery or two each): its weight is then the fallback's.
    const withNbr = output === 'discover' && !!nbr && weights.length > 1;
    const blind = withNbr && nbr!.validation === 0 && fallback.neighbours !== undefined;
    const nbrWeights = withNbr ? (blind ? [fallback.neighbours!] : weights) : [0];
    // With the neighbourhood, the novelty term's weight is chosen with the other two.
    const noveltyWeights = withNbr ? [...new Set([0, ...noveltyGrid])] : [0];
    // With community data, discovery's co-listening share too (none where validation cannot tell).
    const colistenShares = output === 'discover' && weights.length > 1 && [...cands.values()].some((c) => c.colisten) ? [...COLISTEN_SHARES] : [0];
    // Where the catalogue has tags, the content term's weight too (model.head.content_weights).
    const contentWeights = output === 'discover' && weights.length > 1 && [...cands.values()].some((c) => c.content) ? [...new Set([0, ...contentGrid])] : [0];
    const tried = weights.flatMap((w) => nbrWeights.flatMap((wn) => noveltyWeights.flatMap((wv) => colistenShares.flatMap((wc) => contentWeights.map((wt) => ({
      w, wn, wv, wc, wt, value: weights.length === 1 && nbrWeights.length === 1 ? 0 : meanNdcg(blend(w, wn, wv, wc, wt), task, 10),
    }))))));
    let best = weights.length === 1 ? { w: 0, wn: 0, wv: 0, wc: 0, wt: 0 } : chooseWeights(tried, { w: fallback[output], wn: blind ? fallback.neighbours! : 0 });
    // The content term joins only on evidence from more than one person: its blend must put more
    // of validation's discoveries in the top 10 than the best blend without it, for at least
    // CONTENT_MIN_PEOPLE more people than it puts fewer. One person's validation weeks hold a
    // discovery or two the blends can reach; chosen on them the term cost the unseen five alone
    // with HetRec's tags most of their discovery (0.0743 → 0.0133; with more hits required of it
    // still 0.0266 — docs/EVALUATION.md).
    if ((best.wt ?? 0) > 0) {
      const without = chooseWeights(tried.filter((c) => !c.wt), { w: fallback[output], wn: blind ? fallback.neighbours! : 0 });
      const hits = (c: { w: number; wn: number; wv?: number; wc?: number; wt?: number }) => hitsAtK(blend(c.w, c.wn, c.wv ?? 0, c.wc ?? 0, c.wt ?? 0), task, 10);
      const [a, b] = [hits(best), hits(without)];
      const sum = (x: number[]) => x.reduce((s, v) => s + v, 0);
      const gained = a.filter((x, i) => x > b[i]).length - a.filter((x, i) => x < b[i]).length;
      if (!(sum(a) > sum(b) && gained >= CONTENT_MIN_PEOPLE)) best = without;
    }
    const novelty = best.wv ?? 0;
    // One scale for the neighbourhood score across the library, where validation prefers it: a
    // person the library barely overlaps is then moved by it little (fusion.ts meanSpread). On the
    // unseen five together validation preferred it and test discovery rose over five seeds (mean
    // 0.0761 → 0.0894, one seed lower); on the shared twenty with community data it preferred each
    // person's own, and so did test (docs/EVALUATION.md, eighteenth session).
    const chosen = (nbrScale?: number) => blend(best.w, best.wn, novelty, best.wc ?? 0, best.wt ?? 0, nbrScale);
    let scale: number | undefined;
    if (output === 'discover' && nbr && best.wn > 0 && weights.length > 1) {
      const library = meanSpread([...cands.values()].map((c) => c.nbr));
      if (library && meanNdcg(chosen(library), task, 10) > meanNdcg(chosen(), task, 10) + 1e-12) scale = library;
    }
    fusion[output] = best.w;
    if (colistenShares.length > 1) fusion.colisten = best.wc ?? 0;
    if (contentWeights.length > 1) fusion.content = best.wt ?? 0;
    if (output === 'discover' && nbr) fusion.neighbours = { weight: best.wn, lambda: nbr.lambda, dropout: nbr.dropout, novelty, weighted: nbr.weighted, ...(scale ? { scale } : {}) };
    // The network on its own (no blend), for early stopping on it (training.early_stopping.metric: network/ndcg@10).
    // (Measured on its own where the blind neighbourhood's fixed weight left it out of the pairs.)
    if (weights.length > 1) network[output] = tried.find((c) => c.w === 0 && c.wn === 0 && c.wv === 0 && c.wc === 0 && c.wt === 0)?.value ?? meanNdcg(blend(0, 0), task, 10);
    return evaluateRanker(chosen(scale), task, opts).metrics;
  };
  const valid = prep.valid.users.length ? blended('discover', prep.valid, { ks: [10, 50], threshold }) : {};
  if (prep.validAll.users.length) {
    const all = blended('all', prep.validAll, { ks: [10], threshold });
    for (const k of ['ndcg@10', 'hit_rate@10', 'mrr']) valid[`all_plays/${k}`] = all[k];
    valid['mean_ndcg@10'] = ((valid['ndcg@10'] ?? 0) + all['ndcg@10']) / 2;
  }
  if (network.discover !== undefined) valid['network/ndcg@10'] = network.discover;
  if (weights.length > 1) {
    valid['fusion/discover'] = fusion.discover;
    valid['fusion/all'] = fusion.all;
    if (fusion.colisten) valid['fusion/colisten'] = fusion.colisten;
    if (fusion.content !== undefined) valid['fusion/content'] = fusion.content;
    if (fusion.neighbours) {
      valid['fusion/neighbours'] = fusion.neighbours.weight;
      valid['fusion/novelty'] = fusion.neighbours.novelty ?? 0;
      valid['fusion/library_scale'] = fusion.neighbours.scale ? 1 : 0;
    }
  }
  ranker.fusion = fusion;
  return { metrics: valid, fusion };
}

/** Catalogue rows by database artist id. */
export function tracksByArtist(artistId: Int32Array): Map<number, Int32Array> {
  const lists = new Map<number, number[]>();
  artistId.forEach((a, t) => {
    if (a >= 0) (lists.get(a) ?? lists.set(a, []).get(a)!).push(t);
  });
  return new Map([...lists].map(([a, l]) => [a, Int32Array.from(l)]));
}

/** Distinct values in first-seen order, and for each input its position among them. */
export function uniqueIndex(xs: Int32Array): { unique: Int32Array; inverse: Int32Array } {
  const pos = new Map<number, number>();
  const inverse = new Int32Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    let j = pos.get(xs[i]);
    if (j === undefined) {
      j = pos.size;
      pos.set(xs[i], j);
    }
    inverse[i] = j;
  }
  return { unique: Int32Array.from(pos.keys()), inverse };
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));

/**
 * An epoch in the log: the training figures and validation's, then (with a blend) the weights
 * validation chose — two lines a terminal shows whole, where one ran past 300 characters.
 */
export function epochLines(epoch: number, total: number, e: EpochLog): string[] {
  const v = e.valid;
  const lines = [
    `epoch ${epoch}/${total}: loss ${e.loss.toFixed(4)}, lr ${e.lr.toExponential(2)}, ${Math.round(e.examplesPerS)} examples/s; ` +
      `validation: new tracks NDCG@10 ${fmt(v['ndcg@10'])}${v['network/ndcg@10'] !== undefined ? ` (network alone ${fmt(v['network/ndcg@10'])})` : ''}, ` +
      `hit rate@10 ${fmt(v['hit_rate@10'])}, recall@50 ${fmt(v['recall@50'])}; all plays NDCG@10 ${fmt(v['all_plays/ndcg@10'])}`,
  ];
  if (v['fusion/all'] !== undefined) {
    const parts = [`discover ${v['fusion/discover']}${v['fusion/colisten'] ? ` with co-listening ${v['fusion/colisten']}` : ''}`, `all plays ${v['fusion/all']}`];
    if (v['fusion/neighbours'] !== undefined) parts.push(`neighbourhood ${v['fusion/neighbours']}${v['fusion/library_scale'] ? ' (on the library’s scale)' : ''}`, `novelty ${v['fusion/novelty']}`);
    if (v['fusion/content'] !== undefined) parts.push(`content ${v['fusion/content']}`);
    lines.push(`epoch ${epoch}/${total}: blend chosen on validation — own listening ${parts.join(', ')}`);
  }
  return lines;
}
