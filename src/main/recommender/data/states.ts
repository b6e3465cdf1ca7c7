/**
 * Training examples from one person's timeline (as in YouTube's candidate-generation network):
 * snapshots of their listening state at moments along the training period, each paired with
 * what they played in the window after it. One year of one person's listening gives many
 * distinct states, so the user tower sees many different rows even when the library holds one
 * person, and the pair features (how often and how recently a track and its artist were played)
 * learn what brings a track back.
 */
import type { Interactions } from './examples';
import { TRAIN, type LoadedData, type Split } from './dataset';
import { ListeningAccumulator, type ReplayHalfLives, type UserAggregate } from './features';

export interface TrainingStates {
  /** Person (profile index) of each state row. */
  person: Int32Array;
  /** The state: everything the person played before the snapshot. */
  aggs: UserAggregate[];
  /** Examples over state rows: positives are the tracks played in the window after the state. */
  inter: Interactions;
  /** Per state: catalogue rows the person had played but did not play in the window after it (most played first): hard negatives. */
  historyTracks: Int32Array[];
  /** Per state: database ids of the artists the person had played (most played first). */
  historyArtists: Int32Array[];
  /** Per person: the row of their latest state (feedback attaches there). */
  lastOf: Int32Array;
}

export interface StateOptions {
  skipThresholdMs: number;
  minPositiveMs: number;
  maxPerProfile: number;
  minEventsPerState: number;
  recentHalfLifeDays: number;
  replayHalfLifeDays?: ReplayHalfLives;
  /**
   * The window after a state spans at least this many listens per listen before it — as the
   * held-out period follows the history it is ranked from (test: 20 % after 80 %, i.e. 0.25).
   */
  horizonFraction?: number;
}

const HISTORY_KEEP = 300;

function topKeys(m: Map<number, number>, n: number): Int32Array {
  return Int32Array.from([...m].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n).map(([k]) => k));
}

/** Snapshot positions for `n` training listens: evenly spaced, after a warm-up of one gap. */
export function stateCuts(n: number, maxPerProfile: number, minEventsPerState: number): number[] {
  if (n < 2) return [];
  const k = Math.max(1, Math.min(maxPerProfile, Math.floor(n / minEventsPerState) - 1));
  return Array.from({ length: k }, (_, j) => Math.max(1, Math.floor((n * (j + 1)) / (k + 1))));
}

export function buildStates(data: LoadedData, split: Split, o: StateOptions): TrainingStates {
  const { events, catalog, profiles } = data;
  const nItems = catalog.trackId.length;
  const person: number[] = [];
  const aggs: UserAggregate[] = [];
  const historyTracks: Int32Array[] = [];
  const historyArtists: Int32Array[] = [];
  const lastOf = new Int32Array(profiles.length).fill(-1);
  const exUser: number[] = [];
  const exItem: number[] = [];
  const exLabel: number[] = [];
  const exWeight: number[] = [];
  const exNew: number[] = [];
  const seen: Set<number>[] = [];
  const itemCounts = new Float64Array(nItems);
  const horizonFraction = o.horizonFraction ?? 0.25;
  let start = 0;
  while (start < events.length) {
    const p = events.profile[start];
    let end = start;
    while (end < events.length && events.profile[end] === p) end++;
    let trainEnd = start;
    while (trainEnd < end && split.part[trainEnd] === TRAIN) trainEnd++;
    const n = trainEnd - start;
    const cuts = stateCuts(n, o.maxPerProfile, o.minEventsPerState).map((c) => start + c);
    const acc = new ListeningAccumulator(catalog, o.skipThresholdMs, o.recentHalfLifeDays, o.replayHalfLifeDays);
    let i = start;
    cuts.forEach((cut, j) => {
      for (; i < cut; i++) acc.add(events, i);
      const row = aggs.length;
      const agg = acc.snapshot();
      person.push(p);
      aggs.push(agg);
      historyArtists.push(topKeys(agg.artistWeight, 50));
      lastOf[p] = row;
      // The window after the state: up to the next snapshot, and at least horizonFraction × the listens before it.
      const horizon = Math.max(1, Math.round((cut - start) * horizonFraction));
      const wEnd = Math.min(trainEnd, Math.max(j + 1 < cuts.length ? cuts[j + 1] : trainEnd, cut + horizon));
      const pos = new Map<number, number>();
      const weak = new Set<number>();
      for (let w = cut; w < wEnd; w++) {
        const t = events.track[w];
        if (t < 0) continue;
        const ms = events.msPlayed[w];
        const skipped = events.skipped[w] === 1 ? (Number.isFinite(ms) ? ms < o.skipThresholdMs : true) : false;
        if (!skipped && (!Number.isFinite(ms) || ms >= o.minPositiveMs)) pos.set(t, (pos.get(t) ?? 0) + (Number.isFinite(ms) ? ms / 60000 : 3.5));
        else weak.add(t);
      }
      const s = new Set<number>([...pos.keys(), ...weak]);
      seen.push(s);
      // "Played before, not now": drawn from directly, so long windows still have them.
      historyTracks.push(topKeys(agg.trackWeight, HISTORY_KEEP * 4).filter((t) => !s.has(t)).slice(0, HISTORY_KEEP));
      for (const [t, minutes] of [...pos].sort((a, b) => a[0] - b[0])) {
        exUser.push(row);
        exItem.push(t);
        exLabel.push(1);
        exWeight.push(1 + Math.log1p(minutes / 4));
        exNew.push(agg.trackWeight.has(t) ? 0 : 1);
        itemCounts[t]++;
      }
      for (const t of [...weak].sort((a, b) => a - b)) {
        if (pos.has(t)) continue;
        exUser.push(row);
        exItem.push(t);
        exLabel.push(0);
        exWeight.push(0.5);
        exNew.push(0);
      }
    });
    start = end;
  }
  return {
    person: Int32Array.from(person),
    aggs,
    historyTracks,
    historyArtists,
    lastOf,
    inter: {
      user: Int32Array.from(exUser), item: Int32Array.from(exItem), label: Float32Array.from(exLabel), weight: Float32Array.from(exWeight),
      seen, itemCounts, isNew: Uint8Array.from(exNew),
    },
  };
}
