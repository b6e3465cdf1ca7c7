/**
 * The evaluation protocols. The held-out protocol every evaluation shares — the CLI's `evaluate`,
 * `evaluate:real` (together and alone), the demo, the app's Evaluation page: the saved model (with
 * its validation-chosen blend) and every configured baseline rank the whole catalogue for the
 * held-out period's two tasks, from each person's state at its start, through one code path.
 * RecBole's protocol (a public dataset's interactions split at random 8:1:1, full sort) trains and
 * ranks the same model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppConfig } from '../../../shared/config-schema';
import type { TrainProgress } from '../../../shared/types';
import type { CommunityKnowledge } from '../../importers/community';
import { Rng } from '../../util/random';
import { initBackend } from '../backend';
import type { LoadedData, Split } from '../data/dataset';
import { prepareFrom, type Prepared } from '../data/pipeline';
import { FeatureTensors } from '../data/tensors';
import { ModelRanker } from '../inference/model-ranker';
import type { FusionWeights } from '../inference/fusion';
import { EaseNeighbourhood, positivesWithStrength } from '../inference/neighbourhood';
import { loadModel, readManifest } from '../models/io';
import { reportedBestEpoch, train } from '../training/trainer';
import { baselineRankers } from './baselines';
import { evaluateRanker, type EvalOptions, type EvalResult, type EvalTask } from './ranking';

export interface HeldOutResult {
  /** People ranked for discovery. */
  users: number;
  /** Discovery (tracks first played in the period, without what was played before): the model first, then the baselines. */
  discovery: EvalResult[];
  /** All plays (everything played in the period). */
  allPlays: EvalResult[];
}

/** Only the listed people of a task (one person's own held-out result). */
export function onlyPeople(t: EvalTask, people: Set<number>): EvalTask {
  const keep = t.users.map((u, i) => (people.has(u) ? i : -1)).filter((i) => i >= 0);
  const pick = <T>(xs: T[] | undefined) => (xs ? keep.map((i) => xs[i]) : undefined);
  return { ...t, users: pick(t.users)!, relevant: pick(t.relevant)!, exclude: pick(t.exclude)!, expected: pick(t.expected)!, tasteGenres: pick(t.tasteGenres) };
}

/**
 * Ranks the test period (or `discovery`, e.g. the validation period) with the model saved in
 * `modelDir` and the configured baselines; `people` restricts both tasks to those profile rows;
 * `allPlays: false` ranks discovery only (a benchmark whose protocol has no other task).
 */
export async function rankHeldOut(
  prep: Prepared, cfg: AppConfig, modelDir: string,
  opts: { eval: EvalOptions; people?: Set<number>; discovery?: EvalTask; onStage?: (stage: string) => void; allPlays?: boolean },
): Promise<HeldOutResult> {
  await initBackend(cfg.training.backend);
  const base = opts.discovery ?? prep.test;
  const discovery = opts.people ? onlyPeople(base, opts.people) : base;
  const allPlays = opts.people ? onlyPeople(prep.testAll, opts.people) : prep.testAll;
  const { model, manifest } = loadModel(modelDir);
  // Each period is ranked from each person's state at its start.
  const ft = new FeatureTensors(base === prep.valid ? prep.users : prep.testUsers, prep.items);
  const modelRanker = new ModelRanker(model, ft, manifest.fusion, undefined, heldOutNeighbourhood(prep, manifest.fusion, base === prep.valid ? 'valid' : 'test'));
  try {
    const rankers = [modelRanker, ...baselineRankers(prep, cfg)];
    const rank = (name: string, task: EvalTask, output: 'discover' | 'all') =>
      task.users.length
        ? rankers.map((r) => {
          opts.onStage?.(`${name}: ${r.name}`);
          return evaluateRanker(r === modelRanker ? modelRanker.as(output) : r, task, opts.eval);
        })
        : [];
    return { users: discovery.users.length, discovery: rank('discovery', discovery, 'discover'), allPlays: opts.allPlays === false ? [] : rank('all_plays', allPlays, 'all') };
  } finally {
    modelRanker.dispose();
    ft.dispose();
    model.dispose();
  }
}

/**
 * The neighbourhood score a model was validated with (`fusion.neighbours`; none: undefined), as of
 * the start of `period`: from training-period plays for validation, from everything before the
 * test period for test — the moment the person's state is taken at.
 */
export function heldOutNeighbourhood(prep: Prepared, fusion: FusionWeights | undefined, period: 'valid' | 'test'): EaseNeighbourhood | undefined {
  const nb = fusion?.neighbours;
  return nb ? new EaseNeighbourhood(positivesWithStrength(period === 'valid' ? prep.train : prep.history, prep.data.profiles.length), prep.items.n, nb) : undefined;
}

/** RecBole's random ordering split of each person's interactions, ratio 8:1:1: [training, validation, test]. */
export function randomSplit<T>(lists: T[][], seed: number): T[][][] {
  const rng = new Rng(seed);
  return lists.map((list) => {
    const l = rng.shuffle([...list]);
    const nTrain = Math.floor(l.length * 0.8);
    const nValid = Math.floor(l.length * 0.1);
    return [l.slice(0, nTrain), l.slice(nTrain, nTrain + nValid), l.slice(nTrain + nValid)];
  });
}

export interface RecboleRun {
  seed: number;
  /** Discovery on the test part (every item outside training and validation ranked): the model, then the baselines. */
  test: EvalResult[];
  /** 1-based epoch chosen on validation — for an ensemble, each member's (its own run's epochs). */
  bestEpoch: number | number[];
  /** The own-listening blend chosen on validation. */
  fusion: FusionWeights | null;
  seconds: number;
}

/**
 * RecBole's protocol with the app's own model: the dataset's interactions split at random 8:1:1 per
 * person (seeded), the adapter's data prepared by the app's pipeline, the model trained by the
 * app's trainer (in a temporary run folder), its best epoch on validation ranking the test part
 * with full-sort masking beside the configured baselines.
 */
export async function recboleRun<T>(
  interactions: T[][], seed: number, cfg: AppConfig,
  adapter: (parts: T[][][]) => { data: LoadedData; split: Split; community: CommunityKnowledge },
  opts: { signal?: AbortSignal; onProgress?: (p: TrainProgress) => void } = {},
): Promise<RecboleRun> {
  const t0 = performance.now();
  const c: AppConfig = { ...cfg, training: { ...cfg.training, seed } };
  const { data, split, community } = adapter(randomSplit(interactions, seed));
  const prep = prepareFrom(data, c, { split, community });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `omr-recbole-${seed}-`));
  try {
    const r = await train({ config: c, prepared: prep, runDir, signal: opts.signal, onProgress: opts.onProgress });
    const held = await rankHeldOut(prep, c, r.bestDir, { eval: { ks: [10], threshold: c.evaluation.threshold }, allPlays: false });
    return { seed, test: held.discovery, bestEpoch: reportedBestEpoch(r), fusion: readManifest(r.bestDir).fusion ?? null, seconds: (performance.now() - t0) / 1000 };
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
