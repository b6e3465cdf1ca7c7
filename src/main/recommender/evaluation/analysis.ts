/**
 * The analysis the plan lists: permutation feature importance of every feature group, ablations
 * (retraining without a group, or with the other head), and a successive-halving hyperparameter
 * search within a time budget.
 */
import type { AppConfig } from '../../../shared/config-schema';
import { FeatureTensors } from '../data/tensors';
import type { ItemFeatures, UserFeatures } from '../data/features';
import { ModelRanker } from '../inference/model-ranker';
import type { TwoTowerModel } from '../models/two-tower';
import type { Prepared } from '../data/pipeline';
import { Rng } from '../../util/random';
import { evaluateRanker, type EvalTask } from './ranking';

type Side = 'user' | 'item';
interface Group {
  name: string;
  side: Side;
  numeric?: string[];
  /** Categorical arrays of the features object, permuted by row. */
  arrays?: string[];
  /** Arrays with `width` values per row. */
  rows?: { key: string; width: (f: UserFeatures | ItemFeatures) => number }[];
  /** Per-row JS values (maps) to permute. */
  lists?: string[];
}

const AUDIO = ['danceability', 'energy', 'key', 'loudness', 'mode', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'valence', 'tempo', 'time_signature'];

export const FEATURE_GROUPS: Group[] = [
  { name: 'user: demographics', side: 'user', numeric: ['age', 'age_missing'], arrays: ['country', 'gender', 'ageBucket'] },
  { name: 'user: listening habits', side: 'user', numeric: ['monthly_hours', 'genre_diversity', 'skip_rate', 'distinct_artists'] },
  { name: 'user: audio profile', side: 'user', numeric: [...AUDIO.map((c) => `avg_${c}`), 'audio_profile_missing'], rows: [{ key: 'audioFitAvg', width: (f) => (f as UserFeatures).audioFitAvg.length / f.n }] },
  { name: 'user: top genre', side: 'user', arrays: ['topGenre'] },
  { name: 'user: history artists', side: 'user', rows: [{ key: 'historyArtist', width: (f) => (f as UserFeatures).historyArtist.length / f.n }, { key: 'historyWeight', width: (f) => (f as UserFeatures).historyWeight.length / f.n }] },
  { name: 'user: history tracks', side: 'user', rows: [{ key: 'historyTrack', width: (f) => (f as UserFeatures).historyTrack.length / f.n }, { key: 'historyTrackWeight', width: (f) => (f as UserFeatures).historyTrackWeight.length / f.n }] },
  { name: 'user × track affinity', side: 'user', lists: ['artistShare', 'genreShare', 'trackShare', 'trackMinutes', 'trackRecent', 'artistRecent'] },
  { name: 'track: artist', side: 'item', arrays: ['artist'] },
  { name: 'track: identity', side: 'item', arrays: ['track'] },
  { name: 'track: genre', side: 'item', arrays: ['genre'] },
  { name: 'track: era', side: 'item', numeric: ['year', 'recency', 'is_new_release', 'year_missing'], arrays: ['yearBucket'] },
  { name: 'track: audio features', side: 'item', numeric: [...AUDIO, 'audio_missing'], rows: [{ key: 'audioFitRaw', width: (f) => (f as ItemFeatures).audioFitRaw.length / f.n }] },
  { name: 'track: popularity & duration', side: 'item', numeric: ['popularity', 'duration_ms'] },
];

function permuted<T extends UserFeatures | ItemFeatures>(f: T, names: string[], g: Group, perm: Int32Array): T {
  const out = { ...f } as Record<string, unknown>;
  const n = f.n;
  if (g.numeric) {
    const F = f.numeric.length / n;
    const num = Float32Array.from(f.numeric);
    const cols = g.numeric.map((c) => names.indexOf(c)).filter((j) => j >= 0);
    for (let r = 0; r < n; r++) for (const j of cols) num[r * F + j] = f.numeric[perm[r] * F + j];
    out.numeric = num;
  }
  for (const key of g.arrays ?? []) {
    const src = (f as unknown as Record<string, Int32Array>)[key];
    out[key] = Int32Array.from({ length: n }, (_, r) => src[perm[r]]);
  }
  for (const { key, width } of g.rows ?? []) {
    const src = (f as unknown as Record<string, Float32Array | Int32Array>)[key];
    const w = width(f);
    const dst = src.slice();
    for (let r = 0; r < n; r++) dst.set(src.subarray(perm[r] * w, (perm[r] + 1) * w), r * w);
    out[key] = dst;
  }
  for (const key of g.lists ?? []) {
    const src = (f as unknown as Record<string, unknown[]>)[key];
    out[key] = Array.from({ length: n }, (_, r) => src[perm[r]]);
  }
  return out as T;
}

export interface Importance {
  group: string;
  metric: string;
  baseline: number;
  permuted: number;
  /** baseline − permuted, averaged over repeats: how much the model loses without the group. */
  drop: number;
}

export function permutationImportance(model: TwoTowerModel, prep: Prepared, task: EvalTask, opts: { seed: number; repeats: number; metric?: string }): Importance[] {
  const metric = opts.metric ?? 'ndcg@10';
  const evalOpts = { ks: [10, 50], threshold: 0.5 };
  const score = (users: UserFeatures, items: ItemFeatures) => {
    const ft = new FeatureTensors(users, items);
    const r = new ModelRanker(model, ft).as(task === prep.testAll || task === prep.validAll ? 'all' : 'discover');
    const m = evaluateRanker(r, task, evalOpts).metrics[metric];
    r.dispose();
    ft.dispose();
    return m;
  };
  const people = task === prep.test ? prep.testUsers : prep.users;
  const baseline = score(people, prep.items);
  const rng = new Rng(opts.seed);
  return FEATURE_GROUPS.map((g) => {
    let sum = 0;
    for (let k = 0; k < opts.repeats; k++) {
      const n = g.side === 'user' ? people.n : prep.items.n;
      const perm = Int32Array.from(rng.shuffle(Array.from({ length: n }, (_, i) => i)));
      const users = g.side === 'user' ? permuted(people, prep.featureSpace.userNumeric, g, perm) : people;
      const items = g.side === 'item' ? permuted(prep.items, prep.featureSpace.itemNumeric, g, perm) : prep.items;
      sum += score(users, items);
    }
    const p = sum / opts.repeats;
    return { group: g.name, metric, baseline, permuted: p, drop: baseline - p };
  });
}

/** The ablations of the plan, as configuration changes. */
export const ABLATIONS: { name: string; overrides: string[] }[] = [
  { name: 'full model (concat head)', overrides: ['model.prediction=concat'] },
  { name: 'no audio features', overrides: ['model.inputs.audio=false'] },
  { name: 'no demographics', overrides: ['model.inputs.demographics=false'] },
  { name: 'no history input', overrides: ['model.user_tower.history_input=false'] },
  { name: 'dot head (instead of concat)', overrides: ['model.prediction=dot'] },
];

/** A random configuration around the defaults, as --set overrides. */
export function sampleConfig(rng: Rng): string[] {
  const pick = <T>(xs: T[]) => xs[rng.int(xs.length)];
  return [
    `training.learning_rate=${(Math.exp(Math.log(5e-4) + rng.next() * Math.log(10))).toPrecision(2)}`,
    `model.embedding_dim=${pick([32, 64, 128])}`,
    `training.negatives.per_positive=${pick([2, 4, 8])}`,
    `training.negatives.popularity_alpha=${pick([0, 0.5, 0.75])}`,
    `model.temperature=${pick([0.05, 0.1, 0.2])}`,
    `model.head.dropout=${pick([0, 0.2, 0.4])}`,
    `training.batch_size=${pick([512, 1024, 2048])}`,
  ];
}

export type { AppConfig };
