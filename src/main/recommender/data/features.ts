/**
 * Feature engineering of the plan: user features from listening history (play time as weight),
 * track features from the catalogue, audio-fit and interaction features, all transformed
 * with statistics and vocabularies fitted on the training split only (the FeatureSpace, saved
 * with the model so serving applies identical transforms).
 */
import type { AppConfig } from '../../../shared/config-schema';
import { AUDIO_COLUMNS, type Catalog, type LoadedData } from './dataset';
import type { ItemTags } from '../inference/content';
import {
  OTHER, UNKNOWN, applyNumeric, bucketOf, fitNumeric, fitVocab, vocabIndex, vocabSize,
  type NumStat, type NumericPolicy, type Vocab,
} from './preprocessor';

const NA = AUDIO_COLUMNS.length;
/** Audio columns compared between a person's average and a track: |avg_x − x| on a 0–1 scale. */
/** Audio features whose closeness to the person's average (|avg − x|, the "audio fit") the head sees. */
export const AUDIO_FIT_COLUMNS = ['danceability', 'energy', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'valence', 'tempo', 'loudness'] as const;
const AUDIO_FIT_IDX = AUDIO_FIT_COLUMNS.map((c) => AUDIO_COLUMNS.indexOf(c));
export function audioFitScale(col: string, v: number): number {
  if (col === 'tempo') return v / 250;
  if (col === 'loudness') return (v + 60) / 60;
  return v;
}

/**
 * Person × track interaction features fed to the concat head: the share of their listening on the
 * track's artist, genre and on the track itself, and how often and how recently they played the
 * track and the artist (decayed play counts).
 */
export const AFFINITY_COLUMNS = ['artist_share', 'genre_share', 'track_plays', 'track_recent', 'artist_recent', 'artist_colisten'] as const;
/** Co-listening: Σ over the person's artists (by share) of the community's similarity to the track's artist. */
const squashColisten = (x: number) => Math.min(1, Math.log1p(20 * x) / Math.log(21));
/** How many of a person's most played artists the co-listening feature looks from. */
const COLISTEN_FROM = 30;
const squash = (share: number) => Math.log1p(100 * share) / Math.log(101);
const squashCount = (c: number) => Math.min(1, Math.log1p(c) / Math.log(65));
/** Minutes played on a track, on a log scale: 1 play ≈ 0.2, 30 plays ≈ 0.7 (0 exactly when never played). */
const squashMinutes = (m: number) => Math.min(1, Math.log1p(m) / Math.log1p(1000));

export const ITEM_NUMERIC = ['year', 'recency', 'is_new_release', 'year_missing', 'duration_ms', 'popularity', ...AUDIO_COLUMNS, 'audio_missing'] as const;
export const USER_NUMERIC = [
  'age', 'age_missing', 'monthly_hours', 'genre_diversity', 'skip_rate', 'distinct_artists',
  ...AUDIO_COLUMNS.map((c) => `avg_${c}`), 'audio_profile_missing',
] as const;

export interface FeatureSpace {
  /** 2: listening states (recency maps, five interaction features). */
  version: 2;
  itemNumeric: string[];
  userNumeric: string[];
  stats: Record<string, NumStat>;
  artist: Vocab;
  /** Catalogue rows of the tracks with their own embedding. */
  track: Vocab;
  genre: Vocab;
  country: Vocab;
  gender: Vocab;
  yearBuckets: number[];
  ageBuckets: number[];
  refYear: number;
  newReleaseYears: number;
  historyLength: number;
  skipThresholdMs: number;
  recentHalfLifeDays: number;
  /** Half-lives of the replay signals (absent in models saved before them: the defaults). */
  replayHalfLifeDays?: ReplayHalfLives;
  /** Median audio profile of training users, for people with no matched listens. */
  audioFitFill: number[];
  /** Feature groups in use (ablations switch them off: their inputs become constant). */
  inputs: { audio: boolean; demographics: boolean };
}

const AUDIO_ITEM_COLUMNS = new Set<string>([...AUDIO_COLUMNS, 'audio_missing']);
const AUDIO_USER_COLUMNS = new Set<string>([...AUDIO_COLUMNS.map((c) => `avg_${c}`), 'audio_profile_missing']);
const DEMOGRAPHIC_USER_COLUMNS = new Set<string>(['age', 'age_missing']);

/** What a person's history (up to a moment) says about them, before transforms. */
export interface UserAggregate {
  totalMinutes: number;
  months: number;
  plays: number;
  skips: number;
  genreWeight: Map<number, number>;
  audioSum: Float64Array;
  audioWeight: Float64Array;
  artistWeight: Map<number, number>;
  /** Play time by catalogue row (non-skipped plays). */
  trackWeight: Map<number, number>;
  /** Every play of the artist, skips included (what "you played them N times" means). */
  artistPlays: Map<number, number>;
  /** Non-skipped plays decayed by age (half-life `recentHalfLifeDays`) at `lastTs`: how recently and how often. */
  trackRecent: Map<number, number>;
  artistRecent: Map<number, number>;
  /**
   * Non-skipped plays decayed with the long half-life `replay_half_life_days.tracks`: what the
   * person keeps coming back to (the signal blended into the all-plays ranking).
   */
  trackReplay: Map<number, number>;
  /**
   * Non-skipped plays of each artist decayed with `replay_half_life_days.artists` (plus named
   * favourites): the artists they play lately (the discovery blend's signal and candidates).
   */
  artistReplay: Map<number, number>;
  lastTs: number;
}

/** Half-lives (days) of the replay signals: a track's plays (all plays) and an artist's (discovery). */
export interface ReplayHalfLives {
  tracks?: number;
  artists?: number;
}

const DEFAULT_MINUTES = 3.5;
const DAY_MS = 86400000;
export const DEFAULT_RECENT_HALF_LIFE_DAYS = 14;
export const DEFAULT_REPLAY_HALF_LIFE_DAYS = 180;
export const DEFAULT_ARTIST_REPLAY_HALF_LIFE_DAYS = 60;

/** Counts decayed with one half-life: per key (value at time t, t), read at any later moment. */
class DecayedCounts {
  private readonly m = new Map<number, [number, number]>();
  private readonly tau: number;

  constructor(halfLifeDays: number) {
    this.tau = (halfLifeDays * DAY_MS) / Math.LN2;
  }

  /** One more event for `key` at `ts` (events may arrive slightly out of order). */
  bump(key: number, ts: number): void {
    const cur = this.m.get(key);
    if (!cur) this.m.set(key, [1, ts]);
    else if (ts < cur[1]) cur[0] += Math.exp(-(cur[1] - ts) / this.tau);
    else {
      cur[0] = cur[0] * Math.exp(-(ts - cur[1]) / this.tau) + 1;
      cur[1] = ts;
    }
  }

  /** Every key's count as of `now`. */
  at(now: number): Map<number, number> {
    const out = new Map<number, number>();
    for (const [k, [v, t]] of this.m) out.set(k, v * Math.exp(-Math.max(0, now - t) / this.tau));
    return out;
  }
}

/**
 * One person's listening state, event by event in time order: what the user tower and the pair
 * features see "before a moment". Training takes snapshots of it along the person's timeline
 * (states → what they played next), evaluation at the start of the held-out period, serving
 * after the latest listen — one definition for all three.
 */
export class ListeningAccumulator {
  private readonly a: UserAggregate = ListeningAccumulator.empty();
  private first = Infinity;
  private readonly trackR: DecayedCounts;
  private readonly artistR: DecayedCounts;
  private readonly trackReplay: DecayedCounts;
  private readonly artistReplay: DecayedCounts;

  constructor(
    private readonly catalog: LoadedData['catalog'], private readonly skipThresholdMs: number,
    recentHalfLifeDays = DEFAULT_RECENT_HALF_LIFE_DAYS, replay: ReplayHalfLives = {},
  ) {
    this.trackR = new DecayedCounts(recentHalfLifeDays);
    this.artistR = new DecayedCounts(recentHalfLifeDays);
    this.trackReplay = new DecayedCounts(replay.tracks ?? DEFAULT_REPLAY_HALF_LIFE_DAYS);
    this.artistReplay = new DecayedCounts(replay.artists ?? DEFAULT_ARTIST_REPLAY_HALF_LIFE_DAYS);
  }

  static empty(): UserAggregate {
    return {
      totalMinutes: 0, months: 1, plays: 0, skips: 0, genreWeight: new Map(), audioSum: new Float64Array(NA),
      audioWeight: new Float64Array(NA), artistWeight: new Map(), trackWeight: new Map(), artistPlays: new Map(),
      trackRecent: new Map(), artistRecent: new Map(), trackReplay: new Map(), artistReplay: new Map(), lastTs: 0,
    };
  }

  get plays(): number {
    return this.a.plays;
  }

  /** Adds event i of `events` (events must arrive in time order). */
  add(events: LoadedData['events'], i: number): void {
    const a = this.a;
    const { catalog } = this;
    const ms = events.msPlayed[i];
    const ts = events.ts[i];
    const skipped = events.skipped[i] === 1 || (Number.isFinite(ms) && ms < this.skipThresholdMs);
    a.plays++;
    if (ts < this.first) this.first = ts;
    if (ts > a.lastTs) a.lastTs = ts;
    const minutes = Number.isFinite(ms) ? ms / 60000 : DEFAULT_MINUTES;
    a.totalMinutes += minutes;
    const artist = events.artist[i];
    if (artist >= 0) a.artistPlays.set(artist, (a.artistPlays.get(artist) ?? 0) + 1);
    if (skipped) {
      a.skips++;
      return;
    }
    const w = Math.min(minutes, 15);
    if (artist >= 0) {
      a.artistWeight.set(artist, (a.artistWeight.get(artist) ?? 0) + w);
      this.artistR.bump(artist, ts);
      this.artistReplay.bump(artist, ts);
    }
    const t = events.track[i];
    if (t < 0) return;
    a.trackWeight.set(t, (a.trackWeight.get(t) ?? 0) + w);
    this.trackR.bump(t, ts);
    this.trackReplay.bump(t, ts);
    const g = catalog.genreId[t];
    if (g >= 0) a.genreWeight.set(g, (a.genreWeight.get(g) ?? 0) + w);
    for (let k = 0; k < NA; k++) {
      const v = catalog.audio[t * NA + k];
      if (Number.isFinite(v)) {
        a.audioSum[k] += v * w;
        a.audioWeight[k] += w;
      }
    }
  }

  /** The state now (a copy: the accumulator goes on). Recency is measured at the latest listen. */
  snapshot(): UserAggregate {
    const a = this.a;
    const now = a.lastTs;
    return {
      ...a,
      months: Number.isFinite(this.first) ? Math.max(1, (a.lastTs - this.first) / (30.44 * DAY_MS)) : 1,
      genreWeight: new Map(a.genreWeight), audioSum: Float64Array.from(a.audioSum), audioWeight: Float64Array.from(a.audioWeight),
      artistWeight: new Map(a.artistWeight), trackWeight: new Map(a.trackWeight), artistPlays: new Map(a.artistPlays),
      trackRecent: this.trackR.at(now), artistRecent: this.artistR.at(now),
      trackReplay: this.trackReplay.at(now), artistReplay: this.artistReplay.at(now),
    };
  }
}

/** Aggregates the events selected by `include` per profile (events sorted by profile, then time). */
export function aggregateUsers(
  data: LoadedData, include: (i: number) => boolean, skipThresholdMs: number, recentHalfLifeDays?: number, replay?: ReplayHalfLives,
): UserAggregate[] {
  const { events, catalog, profiles } = data;
  const acc = profiles.map(() => new ListeningAccumulator(catalog, skipThresholdMs, recentHalfLifeDays, replay));
  for (let i = 0; i < events.length; i++) if (include(i)) acc[events.profile[i]].add(events, i);
  return acc.map((a) => a.snapshot());
}

function ageOf(age: number | null): number {
  return age === null || age < 5 || age > 110 ? NaN : age;
}

function rawUserNumeric(p: LoadedData['profiles'][number], a: UserAggregate): number[] {
  const age = ageOf(p.age);
  let gTotal = 0;
  for (const w of a.genreWeight.values()) gTotal += w;
  let entropy = 0;
  for (const w of a.genreWeight.values()) {
    const q = w / gTotal;
    entropy -= q * Math.log(q);
  }
  const diversity = a.genreWeight.size > 1 ? entropy / Math.log(a.genreWeight.size) : 0;
  const avg = Array.from({ length: NA }, (_, k) => (a.audioWeight[k] > 0 ? a.audioSum[k] / a.audioWeight[k] : NaN));
  return [
    age, Number.isNaN(age) ? 1 : 0, a.totalMinutes / 60 / a.months, gTotal > 0 ? diversity : NaN,
    a.plays ? a.skips / a.plays : NaN, a.artistWeight.size, ...avg, avg.every(Number.isNaN) ? 1 : 0,
  ];
}

function rawItemNumeric(c: Catalog, t: number, refYear: number, newYears: number): number[] {
  const y = c.year[t];
  const audio = Array.from({ length: NA }, (_, k) => c.audio[t * NA + k]);
  return [
    y, Number.isFinite(y) ? refYear - y : NaN, Number.isFinite(y) ? (y >= refYear - newYears ? 1 : 0) : NaN,
    Number.isFinite(y) ? 0 : 1, c.durationMs[t], c.popularity[t], ...audio, audio.every(Number.isNaN) ? 1 : 0,
  ];
}

/**
 * Statistics and vocabularies from the training period. User statistics are fitted on `states`
 * (the listening states training sees, person index and aggregate) when given, else on each
 * person's training-period aggregate.
 */
export function fitFeatureSpace(
  data: LoadedData, trainAggs: UserAggregate[], isTrain: (i: number) => boolean, cfg: AppConfig,
  states?: { person: ArrayLike<number>; aggs: UserAggregate[] },
): FeatureSpace {
  const pp = cfg.preprocessing;
  const policy: NumericPolicy = { imputation: pp.imputation.numeric, capSigma: pp.cap_sigma, logColumns: pp.log_transform };
  const { catalog, events, profiles } = data;
  let maxTs = 0;
  const artistCounts = new Map<string | number, number>();
  const trackCounts = new Map<string | number, number>();
  const genreCounts = new Map<string | number, number>();
  const trainItems = new Set<number>();
  for (let i = 0; i < events.length; i++) {
    if (!isTrain(i)) continue;
    if (events.ts[i] > maxTs) maxTs = events.ts[i];
    if (events.artist[i] >= 0) artistCounts.set(events.artist[i], (artistCounts.get(events.artist[i]) ?? 0) + 1);
    const t = events.track[i];
    if (t >= 0) {
      trainItems.add(t);
      trackCounts.set(t, (trackCounts.get(t) ?? 0) + 1);
      if (catalog.genreId[t] >= 0) genreCounts.set(catalog.genreId[t], (genreCounts.get(catalog.genreId[t]) ?? 0) + 1);
    }
  }
  const refYear = maxTs > 0 ? new Date(maxTs).getUTCFullYear() : new Date().getUTCFullYear();
  const items = trainItems.size ? [...trainItems] : Array.from(catalog.trackId.keys());
  const stats: Record<string, NumStat> = {};
  const itemRaw = items.map((t) => rawItemNumeric(catalog, t, refYear, pp.new_release_years));
  ITEM_NUMERIC.forEach((name, j) => (stats[`item.${name}`] = fitNumeric(name, itemRaw.map((r) => r[j]), policy)));
  const usersWithTrain = profiles.map((p, i) => ({ p, a: trainAggs[i] })).filter((u) => u.a.plays > 0);
  const statRows = states ? states.aggs.map((a, k) => ({ p: profiles[states.person[k]], a })).filter((u) => u.a.plays > 0) : usersWithTrain;
  const userRaw = statRows.map((u) => rawUserNumeric(u.p, u.a));
  USER_NUMERIC.forEach((name, j) => (stats[`user.${name}`] = fitNumeric(name, userRaw.map((r) => r[j]), policy)));
  const countryCounts = new Map<string | number, number>();
  const genderCounts = new Map<string | number, number>();
  for (const { p } of usersWithTrain) {
    if (p.country) countryCounts.set(p.country.toUpperCase(), (countryCounts.get(p.country.toUpperCase()) ?? 0) + 1);
    if (p.gender) genderCounts.set(p.gender.toLowerCase(), (genderCounts.get(p.gender.toLowerCase()) ?? 0) + 1);
  }
  const audioFitFill = AUDIO_FIT_COLUMNS.map((c) => {
    const s = stats[`user.avg_${c}`];
    return audioFitScale(c, s.log ? Math.expm1(s.fill) : s.fill);
  });
  return {
    version: 2,
    itemNumeric: [...ITEM_NUMERIC],
    userNumeric: [...USER_NUMERIC],
    stats,
    artist: fitVocab(artistCounts, pp.categorical.min_artist_count),
    track: fitVocab(trackCounts, pp.categorical.min_track_count),
    genre: fitVocab(genreCounts, pp.categorical.min_genre_count),
    country: fitVocab(countryCounts, pp.categorical.min_country_count),
    gender: fitVocab(genderCounts, 1),
    yearBuckets: [...pp.year_buckets],
    ageBuckets: [...pp.age_buckets],
    refYear,
    newReleaseYears: pp.new_release_years,
    historyLength: pp.history_length,
    skipThresholdMs: cfg.training.skip_threshold_ms,
    recentHalfLifeDays: pp.recent_half_life_days,
    replayHalfLifeDays: { ...pp.replay_half_life_days },
    audioFitFill,
    inputs: { ...cfg.model.inputs },
  };
}

export interface Dims {
  itemNumeric: number;
  userNumeric: number;
  artists: number;
  tracks: number;
  genres: number;
  countries: number;
  genders: number;
  yearBuckets: number;
  ageBuckets: number;
  audioFit: number;
  affinity: number;
  history: number;
}

export function dimsOf(space: FeatureSpace): Dims {
  return {
    itemNumeric: space.itemNumeric.length,
    userNumeric: space.userNumeric.length,
    artists: vocabSize(space.artist),
    tracks: vocabSize(space.track ?? { values: [] }),
    genres: vocabSize(space.genre),
    countries: vocabSize(space.country),
    genders: vocabSize(space.gender),
    yearBuckets: space.yearBuckets.length + 2,
    ageBuckets: space.ageBuckets.length + 2,
    audioFit: AUDIO_FIT_COLUMNS.length,
    affinity: AFFINITY_COLUMNS.length,
    history: space.historyLength,
  };
}

export interface ItemFeatures {
  n: number;
  numeric: Float32Array; // n × itemNumeric
  artist: Int32Array;
  /** Track vocabulary index (1 = other). */
  track: Int32Array;
  genre: Int32Array;
  yearBucket: Int32Array;
  /** AUDIO_FIT_COLUMNS on a 0–1 scale (NaN → the catalogue's typical value). */
  audioFitRaw: Float32Array; // n × audio fit columns
  /** Database artist and genre ids (-1 when missing), for person × track affinities. */
  artistId: Int32Array;
  genreId: Int32Array;
  /** The catalogue's row standing for the same recording (see Catalog.canonical). */
  canonical: Int32Array;
  /** The rows' tag vectors (Catalog.tags), for discovery's content term. */
  tags?: ItemTags;
}

export function buildItemFeatures(catalog: Catalog, space: FeatureSpace): ItemFeatures {
  const n = catalog.trackId.length;
  const F = space.itemNumeric.length;
  const C = AUDIO_FIT_COLUMNS.length;
  const out: ItemFeatures = {
    n,
    numeric: new Float32Array(n * F),
    artist: new Int32Array(n),
    track: new Int32Array(n),
    genre: new Int32Array(n),
    yearBucket: new Int32Array(n),
    audioFitRaw: new Float32Array(n * C),
    artistId: catalog.artistId,
    genreId: catalog.genreId,
    canonical: catalog.canonical,
    tags: catalog.tags,
  };
  const aIdx = vocabIndex(space.artist);
  const tIdx = vocabIndex(space.track ?? { values: [] });
  const gIdx = vocabIndex(space.genre);
  const stats = space.itemNumeric.map((name) => space.stats[`item.${name}`]);
  for (let t = 0; t < n; t++) {
    const raw = rawItemNumeric(catalog, t, space.refYear, space.newReleaseYears);
    for (let j = 0; j < F; j++) out.numeric[t * F + j] = applyNumeric(stats[j], raw[j]);
    out.artist[t] = aIdx.get(catalog.artistId[t]) ?? OTHER;
    out.track[t] = tIdx.get(t) ?? OTHER;
    out.genre[t] = catalog.genreId[t] < 0 ? UNKNOWN : (gIdx.get(catalog.genreId[t]) ?? OTHER);
    out.yearBucket[t] = bucketOf(catalog.year[t], space.yearBuckets);
    for (let k = 0; k < C; k++) {
      const v = catalog.audio[t * NA + AUDIO_FIT_IDX[k]];
      out.audioFitRaw[t * C + k] = Number.isFinite(v) ? audioFitScale(AUDIO_FIT_COLUMNS[k], v) : space.audioFitFill[k];
    }
  }
  if (space.inputs && !space.inputs.audio) {
    space.itemNumeric.forEach((name, j) => {
      if (AUDIO_ITEM_COLUMNS.has(name)) for (let t = 0; t < n; t++) out.numeric[t * F + j] = 0;
    });
    out.audioFitRaw.fill(0);
  }
  return out;
}

export interface UserFeatures {
  n: number;
  numeric: Float32Array; // n × userNumeric
  country: Int32Array;
  gender: Int32Array;
  topGenre: Int32Array;
  ageBucket: Int32Array;
  /** n × history: artist vocabulary indexes (0 = padding) and weights summing to 1. */
  historyArtist: Int32Array;
  historyWeight: Float32Array;
  /** n × history: track vocabulary indexes of the most-played tracks, and weights summing to 1. */
  historyTrack: Int32Array;
  historyTrackWeight: Float32Array;
  /** n × audioFit: the person's average audio profile on a 0–1 scale. */
  audioFitAvg: Float32Array;
  /** Per person: share of play time by database artist id, genre id and catalogue row. */
  artistShare: Map<number, number>[];
  genreShare: Map<number, number>[];
  trackShare: Map<number, number>[];
  /** Per person: minutes played by catalogue row (capped per play, as in the aggregate). */
  trackMinutes: Map<number, number>[];
  /** Per person: decayed play counts by catalogue row and database artist id. */
  trackRecent: Map<number, number>[];
  artistRecent: Map<number, number>[];
  /** Per person: shares of the decayed play counts (UserAggregate.trackReplay, artistReplay) by catalogue row and artist id. */
  trackReplay: Map<number, number>[];
  artistReplay: Map<number, number>[];
  /** Per person: community co-listening score by database artist id (empty without community data). */
  colisten: ColistenLookup[];
}

/** The minimal view of community knowledge the features need (see importers/community.ts). */
export interface ArtistNeighbours {
  neighbours: Map<number, { artist: number; sim: number }[]>;
  /**
   * The co-listening to use for one profile's training states, when the community is made of the
   * library's own people (a public benchmark's adapter): counted without that person, as imported
   * community data always is — otherwise a state's own later listening would count as "people who
   * play your artists also play …". Ranking, which looks only at held-out listening, reads
   * `neighbours` (see data/pipeline.ts).
   */
  ofProfile?: (profileId: number) => ArtistNeighbours;
}

/**
 * "People who play your artists also play …": for each artist, Σ over the person's most played
 * artists j of share_j × similarity(j, artist), from community co-occurrence.
 */
export function colistenScores(artistWeight: Map<number, number>, community: ArtistNeighbours | undefined, profileId?: number): Map<number, number> {
  const from = colistenFrom(artistWeight, community, profileId);
  return from ? sumColisten(from.sources, from.neighbours) : new Map();
}

/** `colistenScores` as a `ColistenScores`, each artist's score computed when asked. */
export function colistenLookup(artistWeight: Map<number, number>, community: ArtistNeighbours | undefined, profileId?: number): ColistenLookup {
  const from = colistenFrom(artistWeight, community, profileId);
  return from ? new ColistenScores(from.sources, from.neighbours) : new Map();
}

/** The sources and the neighbours a person's co-listening reads (the community without them where it holds them), or null without any. */
function colistenFrom(artistWeight: Map<number, number>, community: ArtistNeighbours | undefined, profileId?: number) {
  if (profileId !== undefined && community?.ofProfile) community = community.ofProfile(profileId);
  return community?.neighbours.size ? { sources: colistenSources(artistWeight), neighbours: community.neighbours } : null;
}

/** Co-listening scores by artist id: a Map, or a `ColistenScores` computed when asked. */
export type ColistenLookup = Pick<ReadonlyMap<number, number>, 'get'> & Iterable<[number, number]>;

type NeighbourIndex = { artist: Int32Array; sim: Float64Array };

/** Each source artist's neighbours sorted by artist id, built on first use, per neighbour map. */
const neighbourIndexes = new WeakMap<ArtistNeighbours['neighbours'], Map<number, NeighbourIndex>>();

function neighbourIndex(neighbours: ArtistNeighbours['neighbours'], source: number): NeighbourIndex {
  let bySource = neighbourIndexes.get(neighbours);
  if (!bySource) neighbourIndexes.set(neighbours, (bySource = new Map()));
  let ix = bySource.get(source);
  if (!ix) {
    const list = [...(neighbours.get(source) ?? [])].sort((x, y) => x.artist - y.artist);
    ix = { artist: Int32Array.from(list, (n) => n.artist), sim: Float64Array.from(list, (n) => n.sim) };
    bySource.set(source, ix);
  }
  return ix;
}

function simIn(ix: NeighbourIndex, artist: number): number | undefined {
  let lo = 0;
  let hi = ix.artist.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = ix.artist[mid];
    if (v === artist) return ix.sim[mid];
    if (v < artist) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** The community's similarity of `source` to `artist` (undefined when they are never co-listened). */
export function neighbourSim(neighbours: ArtistNeighbours['neighbours'], source: number, artist: number): number | undefined {
  return simIn(neighbourIndex(neighbours, source), artist);
}

/**
 * `colistenScores` for one person, each artist's score summed when asked (the same sum, in the
 * same order). Training states need only the scores of the pairs in a batch; thousands of states
 * each holding every co-listened artist (a public benchmark: ~15,000 states × ~5,000 artists)
 * would not fit in memory. Iterating computes and keeps the whole map.
 */
export class ColistenScores implements ColistenLookup {
  private full?: Map<number, number>;
  /** Each source's sorted neighbours, beside its share. */
  private readonly index: NeighbourIndex[];

  constructor(private readonly sources: [number, number][], private readonly neighbours: ArtistNeighbours['neighbours']) {
    this.index = sources.map(([j]) => neighbourIndex(neighbours, j));
  }

  get(artist: number): number | undefined {
    if (this.full) return this.full.get(artist);
    let s = 0;
    let hit = false;
    for (let k = 0; k < this.sources.length; k++) {
      const sim = simIn(this.index[k], artist);
      if (sim !== undefined) {
        s += this.sources[k][1] * sim;
        hit = true;
      }
    }
    return hit ? s : undefined;
  }

  [Symbol.iterator](): Iterator<[number, number]> {
    this.full ??= sumColisten(this.sources, this.neighbours);
    return this.full[Symbol.iterator]();
  }
}

function sumColisten(sources: [number, number][], neighbours: ArtistNeighbours['neighbours']): Map<number, number> {
  const out = new Map<number, number>();
  for (const [j, share] of sources) {
    for (const { artist, sim } of neighbours.get(j) ?? []) out.set(artist, (out.get(artist) ?? 0) + share * sim);
  }
  return out;
}

/** The person's most played artists the co-listening score looks from, each with its share of their play time. */
export function colistenSources(artistWeight: Map<number, number>): [number, number][] {
  const top = [...artistWeight].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, COLISTEN_FROM);
  const total = top.reduce((s, [, w]) => s + w, 0);
  return total ? top.map(([a, w]) => [a, w / total]) : [];
}

/** AFFINITY_COLUMNS for (person, track) pairs, B × AFFINITY_COLUMNS.length, on a 0–1 scale. */
export function pairAffinity(users: UserFeatures, items: ItemFeatures, u: ArrayLike<number>, t: ArrayLike<number>): Float32Array {
  const A = AFFINITY_COLUMNS.length;
  const out = new Float32Array(u.length * A);
  for (let i = 0; i < u.length; i++) {
    const p = u[i];
    const a = items.artistId[t[i]];
    const o = A * i;
    out[o] = squash(users.artistShare[p]?.get(a) ?? 0);
    out[o + 1] = squash(users.genreShare[p]?.get(items.genreId[t[i]]) ?? 0);
    out[o + 2] = squashMinutes(users.trackMinutes[p]?.get(t[i]) ?? 0);
    out[o + 3] = squashCount(users.trackRecent[p]?.get(t[i]) ?? 0);
    out[o + 4] = squashCount(users.artistRecent[p]?.get(a) ?? 0);
    out[o + 5] = squashColisten(users.colisten[p]?.get(a) ?? 0);
  }
  return out;
}

/**
 * Each person's features. `lazyColisten`: co-listening scores computed per pair when asked (many
 * rows that are only ever looked up, such as training states) instead of a map per row.
 */
export function buildUserFeatures(data: LoadedData, aggs: UserAggregate[], space: FeatureSpace, community?: ArtistNeighbours, opts: { lazyColisten?: boolean } = {}): UserFeatures {
  const n = data.profiles.length;
  const F = space.userNumeric.length;
  const H = space.historyLength;
  const C = AUDIO_FIT_COLUMNS.length;
  const out: UserFeatures = {
    n,
    numeric: new Float32Array(n * F),
    country: new Int32Array(n),
    gender: new Int32Array(n),
    topGenre: new Int32Array(n),
    ageBucket: new Int32Array(n),
    historyArtist: new Int32Array(n * H),
    historyWeight: new Float32Array(n * H),
    historyTrack: new Int32Array(n * H),
    historyTrackWeight: new Float32Array(n * H),
    audioFitAvg: new Float32Array(n * C),
    artistShare: [],
    genreShare: [],
    trackShare: [],
    trackMinutes: [],
    trackRecent: [],
    artistRecent: [],
    trackReplay: [],
    artistReplay: [],
    colisten: [],
  };
  const aIdx = vocabIndex(space.artist);
  const tIdx = vocabIndex(space.track ?? { values: [] });
  const gIdx = vocabIndex(space.genre);
  const cIdx = vocabIndex(space.country);
  const sIdx = vocabIndex(space.gender);
  const stats = space.userNumeric.map((name) => space.stats[`user.${name}`]);
  data.profiles.forEach((p, u) => {
    const a = aggs[u];
    const raw = rawUserNumeric(p, a);
    for (let j = 0; j < F; j++) out.numeric[u * F + j] = applyNumeric(stats[j], raw[j]);
    out.country[u] = p.country ? (cIdx.get(p.country.toUpperCase()) ?? OTHER) : UNKNOWN;
    out.gender[u] = p.gender ? (sIdx.get(p.gender.toLowerCase()) ?? OTHER) : UNKNOWN;
    let top = -1;
    let topW = 0;
    for (const [g, w] of a.genreWeight) if (w > topW) [top, topW] = [g, w];
    out.topGenre[u] = top < 0 ? UNKNOWN : (gIdx.get(top) ?? OTHER);
    out.ageBucket[u] = bucketOf(ageOf(p.age), space.ageBuckets);
    const shares = (m: Map<number, number>) => {
      let total = 0;
      for (const w of m.values()) total += w;
      return new Map([...m].map(([k, w]) => [k, total ? w / total : 0]));
    };
    out.artistShare.push(shares(a.artistWeight));
    out.genreShare.push(shares(a.genreWeight));
    out.trackShare.push(shares(a.trackWeight));
    out.trackMinutes.push(a.trackWeight);
    out.trackRecent.push(a.trackRecent);
    out.artistRecent.push(a.artistRecent);
    out.trackReplay.push(shares(a.trackReplay));
    out.artistReplay.push(shares(a.artistReplay));
    out.colisten.push((opts.lazyColisten ? colistenLookup : colistenScores)(a.artistWeight, community, p.id));
    // History input: the most-listened artists, weights ∝ play time (rare ones share "other").
    const hist = [...a.artistWeight.entries()].sort((x, y) => y[1] - x[1]).slice(0, H);
    const total = hist.reduce((s, [, w]) => s + w, 0);
    hist.forEach(([artist, w], h) => {
      out.historyArtist[u * H + h] = aIdx.get(artist) ?? OTHER;
      out.historyWeight[u * H + h] = w / total;
    });
    const tracks = [...a.trackWeight.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, H);
    const tTotal = tracks.reduce((s, [, w]) => s + w, 0);
    tracks.forEach(([t, w], h) => {
      out.historyTrack[u * H + h] = tIdx.get(t) ?? OTHER;
      out.historyTrackWeight[u * H + h] = w / tTotal;
    });
    for (let k = 0; k < C; k++) {
      const col = AUDIO_COLUMNS.indexOf(AUDIO_FIT_COLUMNS[k]);
      const v = a.audioWeight[col] > 0 ? a.audioSum[col] / a.audioWeight[col] : NaN;
      out.audioFitAvg[u * C + k] = Number.isFinite(v) ? audioFitScale(AUDIO_FIT_COLUMNS[k], v) : space.audioFitFill[k];
    }
  });
  const blank = (cols: Set<string>) =>
    space.userNumeric.forEach((name, j) => {
      if (cols.has(name)) for (let u = 0; u < n; u++) out.numeric[u * F + j] = 0;
    });
  if (space.inputs && !space.inputs.audio) {
    blank(AUDIO_USER_COLUMNS);
    out.audioFitAvg.fill(0);
  }
  if (space.inputs && !space.inputs.demographics) {
    blank(DEMOGRAPHIC_USER_COLUMNS);
    out.country.fill(UNKNOWN);
    out.gender.fill(UNKNOWN);
    out.ageBucket.fill(UNKNOWN);
  }
  return out;
}
