/**
 * From the library to everything training and evaluation need: the time split, features fitted
 * on the training period, interactions, and the validation and test tasks.
 */
import type { AppConfig } from '../../shared/config-schema';
import type { Library } from '../db';
import { TEST, TRAIN, VALID, loadData, timeSplit, type LoadedData, type Split } from './data/dataset';
import { buildInteractions, withFeedback, type Interactions } from './data/examples';
import {
  aggregateUsers, buildItemFeatures, buildUserFeatures, fitFeatureSpace, type FeatureSpace, type ItemFeatures,
  type UserAggregate, type UserFeatures,
} from './data/features';
import type { EvalTask } from './training/evaluate';

export interface Prepared {
  data: LoadedData;
  split: Split;
  trainAggs: UserAggregate[];
  featureSpace: FeatureSpace;
  items: ItemFeatures;
  users: UserFeatures;
  train: Interactions;
  valid: EvalTask;
  test: EvalTask;
  /** Plays per item in the training period. */
  itemCounts: Float64Array;
}

/** Per person: the catalogue tracks played for at least `minPositiveMs` in one part of the split. */
export function positivePlays(data: LoadedData, part: Uint8Array, which: number, minPositiveMs: number): Set<number>[] {
  const out = data.profiles.map(() => new Set<number>());
  const { events } = data;
  for (let i = 0; i < events.length; i++) {
    if (part[i] !== which || events.track[i] < 0) continue;
    const ms = events.msPlayed[i];
    if (Number.isFinite(ms) && ms < minPositiveMs) continue;
    out[events.profile[i]].add(events.track[i]);
  }
  return out;
}

function task(data: LoadedData, relevantAll: Set<number>[], exclude: Set<number>[], historyArtists: Set<number>[], popularTop: Set<number>): EvalTask {
  const users: number[] = [];
  const relevant: Set<number>[] = [];
  const excl: Set<number>[] = [];
  const expected: ((item: number) => boolean)[] = [];
  relevantAll.forEach((rel, u) => {
    const r = new Set([...rel].filter((t) => !exclude[u].has(t)));
    if (!r.size) return;
    users.push(u);
    relevant.push(r);
    excl.push(exclude[u]);
    const known = historyArtists[u];
    expected.push((item) => popularTop.has(item) || known.has(data.catalog.artistId[item]));
  });
  return { users, relevant, exclude: excl, expected, nItems: data.catalog.trackId.length, itemGenre: data.catalog.genreId, itemArtist: data.catalog.artistId };
}

export function prepare(lib: Library, cfg: AppConfig): Prepared {
  const data = loadData(lib.sqlite);
  if (!data.catalog.trackId.length) throw new Error('the library has no catalogue tracks: import a catalogue first');
  if (!data.events.length) throw new Error('the library has no listening history: import an export first');
  const pp = cfg.preprocessing;
  const split = timeSplit(data, pp.split.validation_fraction, pp.split.test_fraction, pp.split.min_events_per_profile);
  const isTrain = (i: number) => split.part[i] === TRAIN;
  const trainAggs = aggregateUsers(data, isTrain, cfg.training.skip_threshold_ms);
  const featureSpace = fitFeatureSpace(data, trainAggs, isTrain, cfg);
  const items = buildItemFeatures(data.catalog, featureSpace);
  const users = buildUserFeatures(data, trainAggs, featureSpace);
  const profileIndex = new Map(data.profiles.map((p, i) => [p.id, i]));
  const feedback = (lib.sqlite.prepare("SELECT profile_id, track_id, kind FROM feedback WHERE track_id IS NOT NULL AND kind IN ('like', 'dislike') ORDER BY created_at").raw().all() as [number, number, string][])
    .map(([pid, tid, kind]) => ({ user: profileIndex.get(pid) ?? -1, item: data.catalog.rowOf.get(tid) ?? -1, like: kind === 'like' }))
    .filter((f) => f.user >= 0 && f.item >= 0);
  const train = withFeedback(
    buildInteractions(data, isTrain, { skipThresholdMs: cfg.training.skip_threshold_ms, minPositiveMs: pp.min_positive_ms }),
    feedback,
  );
  if (!train.label.some((l) => l === 1)) throw new Error('no listen in the training period matched a catalogue track: nothing to learn from');
  const validSeen = buildInteractions(data, (i) => split.part[i] === VALID, { skipThresholdMs: cfg.training.skip_threshold_ms, minPositiveMs: pp.min_positive_ms }).seen;
  const historyArtists = trainAggs.map((a) => new Set(a.artistWeight.keys()));
  const popularTop = new Set(
    Array.from(train.itemCounts.keys()).sort((a, b) => train.itemCounts[b] - train.itemCounts[a]).slice(0, 100),
  );
  const valid = task(data, positivePlays(data, split.part, VALID, pp.min_positive_ms), train.seen, historyArtists, popularTop);
  const trainValidSeen = train.seen.map((s, u) => new Set([...s, ...validSeen[u]]));
  const test = task(data, positivePlays(data, split.part, TEST, pp.min_positive_ms), trainValidSeen, historyArtists, popularTop);
  return { data, split, trainAggs, featureSpace, items, users, train, valid, test, itemCounts: train.itemCounts };
}
