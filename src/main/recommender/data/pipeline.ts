/**
 * From the library to everything training and evaluation need: the time split, features fitted
 * on the training period, interactions, and the validation and test tasks.
 */
import type { AppConfig } from '../../../shared/config-schema';
import { feedback as feedbackRows, type Library } from '../../db';
import { loadCommunity, type CommunityKnowledge } from '../../importers/community';
import { TEST, TRAIN, VALID, catalogueTags, loadData, timeSplit, type Catalog, type LoadedData, type Split } from './dataset';
import { buildInteractions, withFeedback, type Interactions } from './examples';
import {
  aggregateUsers, buildItemFeatures, buildUserFeatures, fitFeatureSpace, type FeatureSpace, type ItemFeatures,
  type UserAggregate, type UserFeatures,
} from './features';
import { buildStates, type TrainingStates } from './states';
import type { EvalTask } from '../evaluation/ranking';

export interface Prepared {
  data: LoadedData;
  split: Split;
  /** Each person's state at the start of validation (their training-period listening). */
  trainAggs: UserAggregate[];
  /** Each person's state at the start of the test period (training and validation listening). */
  testAggs: UserAggregate[];
  featureSpace: FeatureSpace;
  items: ItemFeatures;
  /** Person rows: the state validation ranks from. */
  users: UserFeatures;
  /** Person rows: the state the test period is ranked from. */
  testUsers: UserFeatures;
  /** Listening states along each person's training period and what followed each: what the model trains on. */
  states: TrainingStates;
  stateUsers: UserFeatures;
  /** What imported community data says about artists (empty without any). */
  community: CommunityKnowledge;
  /** Per person: what they played in the training period (baselines, exclusions). */
  train: Interactions;
  /** Per person: what they played before the test period (training and validation). */
  history: Interactions;
  /** Discovery: what each person first played in the period, ranked without what they played before. */
  valid: EvalTask;
  test: EvalTask;
  /** All plays: everything each person played in the period, nothing excluded. */
  validAll: EvalTask;
  testAll: EvalTask;
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

/** The genres that make up `share` of a person's listening (by play time), largest first. */
export function tasteGenres(agg: UserAggregate, share = 0.8): Set<number> {
  const sorted = [...agg.genreWeight].sort((a, b) => b[1] - a[1]);
  const total = sorted.reduce((s, [, w]) => s + w, 0);
  const out = new Set<number>();
  let acc = 0;
  for (const [g, w] of sorted) {
    if (acc >= share * total) break;
    out.add(g);
    acc += w;
  }
  return out;
}

/**
 * The export-only rows (`LoadedData.exportOnly`) that no event in parts `before` (training; training
 * and validation) holds: a library at the start of the next period would not have them yet, so
 * evaluating there must neither rank them nor count them — otherwise a liked-songs file tells the
 * model its own held-out answers (the rows exist only because they were saved).
 */
export function hiddenBefore(data: LoadedData, part: Uint8Array, before: readonly number[]): Set<number> {
  const eo = data.exportOnly;
  const hidden = new Set<number>();
  if (!eo) return hidden;
  const known = new Uint8Array(eo.length);
  const { events } = data;
  for (let i = 0; i < events.length; i++) if (events.track[i] >= 0 && before.includes(part[i])) known[events.track[i]] = 1;
  for (let t = 0; t < eo.length; t++) if (eo[t] && !known[t]) hidden.add(t);
  return hidden;
}

function task(
  data: LoadedData, relevantAll: Set<number>[], exclude: Set<number>[] | null, historyArtists: Set<number>[], popularTop: Set<number>,
  aggs: UserAggregate[], hidden: Set<number>,
): EvalTask {
  const users: number[] = [];
  const taste: Set<number>[] = [];
  const relevant: Set<number>[] = [];
  const excl: Set<number>[] = [];
  const expected: ((item: number) => boolean)[] = [];
  relevantAll.forEach((rel, u) => {
    const r = exclude || hidden.size ? new Set([...rel].filter((t) => !exclude?.[u].has(t) && !hidden.has(t))) : rel;
    if (!r.size) return;
    users.push(u);
    relevant.push(r);
    const ex = exclude ? exclude[u] : new Set<number>();
    excl.push(hidden.size ? new Set([...ex, ...hidden]) : ex);
    taste.push(tasteGenres(aggs[u]));
    const known = historyArtists[u];
    expected.push((item) => popularTop.has(item) || known.has(data.catalog.artistId[item]));
  });
  return {
    users, relevant, exclude: excl, expected, nItems: data.catalog.trackId.length, itemGenre: data.catalog.genreId, itemArtist: data.catalog.artistId,
    canonical: data.catalog.canonical, tasteGenres: taste,
  };
}

/** A person's like or dislike of a catalogue row (profile and catalogue row indexes). */
export interface FeedbackRow {
  user: number;
  item: number;
  like: boolean;
}

/**
 * Everything training and evaluation need, from the library. `featureSpace` (a warm start) keeps
 * a saved model's vocabularies and statistics instead of fitting new ones, so its weights fit.
 */
export function prepareData(lib: Library, cfg: AppConfig, opts: { featureSpace?: FeatureSpace; known?: { catalog: Catalog; items: ItemFeatures } } = {}): Prepared {
  // The community tags, where the content term may be chosen (a saved model's snapshot keeps no tags).
  const tags = cfg.model.head.content_weights.some((w) => w > 0);
  let known = opts.known;
  if (known && tags) {
    const t = catalogueTags(lib.sqlite, known.catalog.artistId);
    known = { catalog: { ...known.catalog, tags: t }, items: { ...known.items, tags: t } };
  }
  const data = loadData(lib.sqlite, { catalog: known?.catalog, exportOnly: true, tags });
  if (!data.catalog.trackId.length) throw new Error('the library has no catalogue tracks: import a catalogue first');
  if (!data.events.length) throw new Error('the library has no listening history: import an export first');
  return prepareFrom(data, cfg, { featureSpace: opts.featureSpace, items: known?.items, community: loadCommunity(lib), feedback: libraryFeedback(lib, data) });
}

/** Everyone's likes and dislikes of tracks, as rows of `data` (people and tracks it no longer has left out), oldest first. */
export function libraryFeedback(lib: Library, data: LoadedData): FeedbackRow[] {
  const profileIndex = new Map(data.profiles.map((p, i) => [p.id, i]));
  return feedbackRows.trackFeedback(lib.sqlite)
    .map(([pid, tid, kind]) => ({ user: profileIndex.get(pid) ?? -1, item: data.catalog.rowOf.get(tid) ?? -1, like: kind === 'like' }))
    .filter((f) => f.user >= 0 && f.item >= 0);
}

/**
 * The same preparation from data already in memory — the library's, or a public dataset's through
 * its adapter (data/hetrec.ts) — with the configured time split unless `split` is given.
 */
export function prepareFrom(
  data: LoadedData, cfg: AppConfig,
  opts: { featureSpace?: FeatureSpace; items?: ItemFeatures; split?: Split; community?: CommunityKnowledge; feedback?: FeedbackRow[] } = {},
): Prepared {
  const pp = cfg.preprocessing;
  const split = opts.split ?? timeSplit(data, pp.split.validation_fraction, pp.split.test_fraction, pp.split.min_events_per_profile);
  const isTrain = (i: number) => split.part[i] === TRAIN;
  const skipMs = cfg.training.skip_threshold_ms;
  const trainAggs = aggregateUsers(data, isTrain, skipMs, pp.recent_half_life_days, pp.replay_half_life_days);
  const testAggs = aggregateUsers(data, (i) => split.part[i] !== TEST, skipMs, pp.recent_half_life_days, pp.replay_half_life_days);
  const states = buildStates(data, split, {
    skipThresholdMs: skipMs, minPositiveMs: pp.min_positive_ms, maxPerProfile: pp.states.max_per_profile,
    minEventsPerState: pp.states.min_events_per_state, recentHalfLifeDays: pp.recent_half_life_days, replayHalfLifeDays: pp.replay_half_life_days, horizonFraction: pp.states.horizon_fraction,
  });
  const featureSpace = opts.featureSpace ?? fitFeatureSpace(data, trainAggs, isTrain, cfg, states);
  // Item features given with their feature space (a warm start reads them from the serving snapshot).
  const items = opts.featureSpace && opts.items ? opts.items : buildItemFeatures(data.catalog, featureSpace);
  const community = opts.community ?? { neighbours: new Map(), trackGroups: new Map(), sources: 0 };
  // Ranking reads the community as it is; training states read it without their own person where
  // it is made of the same people (`ofProfile`), so their own later listening cannot leak in.
  const shared = { ...community, ofProfile: undefined };
  const users = buildUserFeatures(data, trainAggs, featureSpace, shared);
  const testUsers = buildUserFeatures(data, testAggs, featureSpace, shared);
  const stateUsers = buildUserFeatures({ ...data, profiles: Array.from(states.person, (p) => data.profiles[p]) }, states.aggs, featureSpace, community, { lazyColisten: true });
  const feedback = opts.feedback ?? [];
  const train = withFeedback(buildInteractions(data, isTrain, { skipThresholdMs: skipMs, minPositiveMs: pp.min_positive_ms }), feedback);
  const history = buildInteractions(data, (i) => split.part[i] !== TEST, { skipThresholdMs: skipMs, minPositiveMs: pp.min_positive_ms });
  // Feedback is what the person said most recently: it attaches to their latest state.
  states.inter = withFeedback(states.inter, feedback.map((f) => ({ ...f, user: states.lastOf[f.user] })).filter((f) => f.user >= 0));
  if (!train.label.some((l) => l === 1)) throw new Error('no listen in the training period matched a catalogue track: nothing to learn from');
  if (!states.inter.label.some((l) => l === 1)) {
    throw new Error('too few listens in the training period matched a catalogue track to learn from their timeline: import more history or a larger catalogue');
  }
  const historyArtists = trainAggs.map((a) => new Set(a.artistWeight.keys()));
  const popularTop = new Set(
    Array.from(train.itemCounts.keys()).sort((a, b) => train.itemCounts[b] - train.itemCounts[a]).slice(0, 100),
  );
  const validPlays = positivePlays(data, split.part, VALID, pp.min_positive_ms);
  const testPlays = positivePlays(data, split.part, TEST, pp.min_positive_ms);
  const hiddenValid = hiddenBefore(data, split.part, [TRAIN]);
  const hiddenTest = hiddenBefore(data, split.part, [TRAIN, VALID]);
  const valid = task(data, validPlays, train.seen, historyArtists, popularTop, trainAggs, hiddenValid);
  const validAll = task(data, validPlays, null, historyArtists, popularTop, trainAggs, hiddenValid);
  const testArtists = testAggs.map((a) => new Set(a.artistWeight.keys()));
  const test = task(data, testPlays, history.seen, testArtists, popularTop, testAggs, hiddenTest);
  const testAll = task(data, testPlays, null, testArtists, popularTop, testAggs, hiddenTest);
  return {
    data, split, trainAggs, testAggs, featureSpace, items, users, testUsers, states, stateUsers, community, train, history, valid, test, validAll, testAll,
    itemCounts: train.itemCounts,
  };
}
