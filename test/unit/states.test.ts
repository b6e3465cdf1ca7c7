import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { openLibrary } from '../../src/main/db';
import { TRAIN, canonicalRows, type LoadedData } from '../../src/main/recommender/data/dataset';
import { ListeningAccumulator } from '../../src/main/recommender/data/features';
import { withFavourites } from '../../src/main/recommender/data/favourites';
import { buildStates, stateCuts } from '../../src/main/recommender/data/states';
import { generateSyntheticLibrary } from '../../src/main/recommender/data/synthetic';
import { prepareData } from '../../src/main/recommender/data/pipeline';
import { evaluateRanker, tieKeys, type EvalTask, type Ranker } from '../../src/main/recommender/evaluation/ranking';
import { tmpDir } from '../helpers/env';

const DAY = 86400000;

/** A tiny hand-made library: one person, three tracks by two artists. */
function tiny(ts: number[], tracks: number[], ms: number[]): LoadedData {
  return {
    catalog: {
      trackId: Int32Array.from([10, 11, 12]), rowOf: new Map([[10, 0], [11, 1], [12, 2]]), spotifyId: ['a', 'b', 'c'], title: ['A', 'B', 'C'],
      artistId: Int32Array.from([1, 1, 2]), genreId: Int32Array.from([5, 5, 6]), year: new Float32Array(3), durationMs: new Float32Array(3),
      popularity: new Float32Array(3), audio: new Float32Array(36), canonical: Int32Array.from([0, 1, 2]), artistName: new Map(), genreName: new Map(),
    },
    profiles: [{ id: 1, name: 'me', age: null, gender: null, country: null }],
    events: {
      profile: new Int32Array(ts.length), ts: Float64Array.from(ts), track: Int32Array.from(tracks),
      artist: Int32Array.from(tracks, (t) => (t < 0 ? -1 : [1, 1, 2][t])), msPlayed: Float64Array.from(ms), skipped: new Int8Array(ts.length).fill(-1), length: ts.length,
    },
  };
}

describe('listening states', () => {
  it('decays play counts by their half-life, measured at the latest listen', () => {
    const d = tiny([0, 14 * DAY, 28 * DAY], [0, 0, 2], [200000, 200000, 200000]);
    const acc = new ListeningAccumulator(d.catalog, 30000, 14);
    for (let i = 0; i < 3; i++) acc.add(d.events, i);
    const s = acc.snapshot();
    // Track 0: played 28 and 14 days before the latest listen → 0.25 + 0.5.
    expect(s.trackRecent.get(0)).toBeCloseTo(0.75, 6);
    expect(s.trackRecent.get(2)).toBeCloseTo(1, 6);
    // Artist 1 (track 0 twice) the same; play time is not decayed.
    expect(s.artistRecent.get(1)).toBeCloseTo(0.75, 6);
    expect(s.trackWeight.get(0)).toBeCloseTo(2 * (200000 / 60000), 6);
    // A snapshot is a copy: listening on does not change it.
    acc.add(d.events, 2);
    expect(s.trackRecent.get(2)).toBeCloseTo(1, 6);
    expect(s.plays).toBe(3);
  });

  it('keeps a long-decayed replay count beside the short one: a track played often long ago loses to one replayed lately', () => {
    // Track 0: ten plays a year before the latest listen; track 1: four plays in the last month; track 2 skipped often.
    const ts = [...Array.from({ length: 10 }, (_, i) => i * DAY), ...[0, 1, 2, 3].map((i) => (335 + 10 * i) * DAY), ...[0, 1, 2].map((i) => (360 + i) * DAY), 365 * DAY];
    const tracks = [...Array(10).fill(0), 1, 1, 1, 1, 2, 2, 2, 1];
    const ms = [...Array(14).fill(200000), 5000, 5000, 5000, 200000];
    const d = tiny(ts, tracks, ms);
    const acc = new ListeningAccumulator(d.catalog, 30000, 14, { tracks: 180, artists: 30 });
    for (let i = 0; i < ts.length; i++) acc.add(d.events, i);
    const s = acc.snapshot();
    // 180-day half-life: ten plays ~360 days ago are worth about 2.5 plays; five within 30 days about 4.6.
    expect(s.trackReplay.get(0)).toBeCloseTo(Array.from({ length: 10 }, (_, i) => Math.pow(0.5, (365 - i) / 180)).reduce((x, y) => x + y), 6);
    expect(s.trackReplay.get(1)).toBeCloseTo([30, 20, 10, 0, 0].reduce((x, age) => x + Math.pow(0.5, age / 180), 0), 6);
    expect(s.trackReplay.get(1)!).toBeGreaterThan(s.trackReplay.get(0)!);
    // Play time still says track 0; skips count towards neither.
    expect(s.trackWeight.get(0)!).toBeGreaterThan(s.trackWeight.get(1)!);
    expect(s.trackReplay.has(2)).toBe(false);
    // Artists decay with their own half-life: artist 1 is tracks 0 and 1.
    const art = (ages: number[]) => ages.reduce((x, age) => x + Math.pow(0.5, age / 30), 0);
    expect(s.artistReplay.get(1)).toBeCloseTo(art([...Array.from({ length: 10 }, (_, i) => 365 - i), 30, 20, 10, 0, 0]), 6);
    expect(s.artistReplay.has(2)).toBe(false);
    // The short half-life is its own signal: after a year track 0 is all but gone from it.
    expect(s.trackRecent.get(0)!).toBeLessThan(1e-6);
  });

  it('counts named favourite artists among the artists played lately, which discovery ranks by', () => {
    const d = tiny([0, DAY, 2 * DAY], [0, 0, 0], [200000, 200000, 200000]);
    const acc = new ListeningAccumulator(d.catalog, 30000, 14, { tracks: 180, artists: 60 });
    for (let i = 0; i < 3; i++) acc.add(d.events, i);
    const s = acc.snapshot();
    const f = withFavourites(s, [2]);
    // Artist 2 was never played: named, it holds at least 5 % of the decayed plays, as of play time.
    const share = (m: Map<number, number>, k: number) => (m.get(k) ?? 0) / [...m.values()].reduce((x, y) => x + y, 0);
    expect(share(f.artistReplay, 2)).toBeGreaterThanOrEqual(0.04);
    expect(share(f.artistWeight, 2)).toBeGreaterThanOrEqual(0.04);
    expect(f.artistReplay.get(1)).toBe(s.artistReplay.get(1));
    // A copy: the state itself is unchanged.
    expect(s.artistReplay.has(2)).toBe(false);
  });

  it('skipped plays count as plays but not towards shares or recency', () => {
    const d = tiny([0, DAY], [1, 1], [5000, 200000]);
    const acc = new ListeningAccumulator(d.catalog, 30000, 14);
    acc.add(d.events, 0);
    expect(acc.snapshot().trackRecent.has(1)).toBe(false);
    acc.add(d.events, 1);
    const s = acc.snapshot();
    expect(s.skips).toBe(1);
    expect(s.trackRecent.get(1)).toBeCloseTo(1, 6);
  });

  it('spaces snapshots evenly after a warm-up and never past the listens', () => {
    expect(stateCuts(1, 10, 5)).toEqual([]);
    const cuts = stateCuts(1000, 20, 40);
    expect(cuts.length).toBe(20);
    expect(cuts[0]).toBeGreaterThan(0);
    expect(cuts.at(-1)).toBeLessThan(1000);
    for (let i = 1; i < cuts.length; i++) expect(cuts[i]).toBeGreaterThan(cuts[i - 1]);
    expect(stateCuts(100, 120, 40).length).toBe(1);
  });

  it('each state sees only what came before it, and its positives come after it, within training', () => {
    const lib = openLibrary(path.join(tmpDir(), 'lib.sqlite'));
    generateSyntheticLibrary(lib, { seed: 3, tracks: 600, profiles: 6, eventsPerProfile: 400 });
    const { config } = loadConfig({ overrides: ['preprocessing.states.max_per_profile=12', 'preprocessing.states.min_events_per_state=10', 'preprocessing.states.horizon_fraction=0'] });
    const prep = prepareData(lib, config);
    const { events } = prep.data;
    const S = buildStates(prep.data, prep.split, {
      skipThresholdMs: 30000, minPositiveMs: 30000, maxPerProfile: 12, minEventsPerState: 10, recentHalfLifeDays: 14, horizonFraction: 0,
    });
    expect(S.person.length).toBeGreaterThan(6 * 5);
    // Per state, the number of listens it aggregates; the listens after it (to the next state) hold its positives.
    const first = new Map<number, number>();
    for (let i = 0; i < events.length; i++) if (!first.has(events.profile[i])) first.set(events.profile[i], i);
    const rowsOf = new Map<number, number[]>();
    S.person.forEach((p, r) => (rowsOf.get(p) ?? rowsOf.set(p, []).get(p)!).push(r));
    for (const [p, rows] of rowsOf) {
      rows.forEach((r, j) => {
        const start = first.get(p)!;
        const cut = start + S.aggs[r].plays;
        // Everything aggregated is training-period listening of this person, in time order before the cut.
        for (let i = start; i < cut; i++) expect(prep.split.part[i]).toBe(TRAIN);
        expect(S.aggs[r].lastTs).toBe(events.ts[cut - 1]);
        const next = j + 1 < rows.length ? start + S.aggs[rows[j + 1]].plays : undefined;
        const windowTracks = new Set<number>();
        for (let i = cut; i < (next ?? events.length) && events.profile[i] === p && prep.split.part[i] === TRAIN; i++) if (events.track[i] >= 0) windowTracks.add(events.track[i]);
        for (let x = 0; x < S.inter.user.length; x++) {
          if (S.inter.user[x] !== r) continue;
          expect(windowTracks.has(S.inter.item[x])).toBe(true);
        }
      });
    }
    // The pipeline's test-period state holds training and validation listening; validation's only training.
    for (let p = 0; p < prep.data.profiles.length; p++) expect(prep.testAggs[p].plays).toBeGreaterThanOrEqual(prep.trainAggs[p].plays);
    lib.close();
  });
});

describe('evaluation details', () => {
  it('breaks ties by a seeded permutation, not the catalogue order', () => {
    const n = 2000;
    // Relevant items are the first rows: a ranker with all-equal scores must not find them.
    const task: EvalTask = {
      users: [0], relevant: [new Set([0, 1, 2, 3, 4])], exclude: [new Set()], expected: [() => false], nItems: n,
      itemGenre: new Int32Array(n), itemArtist: new Int32Array(n),
    };
    const flat: Ranker = { name: 'flat', score: () => [new Float32Array(n)] };
    expect(evaluateRanker(flat, task, { ks: [10], threshold: 0.5 }).metrics['ndcg@10']).toBe(0);
    const keys = tieKeys(n, 1);
    expect(new Set(keys).size).toBe(n);
    expect(Math.max(...keys)).toBe(n - 1);
  });

  it('never ranks a second copy of a recording', () => {
    const canon = canonicalRows(Int32Array.from([1, 1, 2, 1]), ['song', 'other', 'song', 'song']);
    expect(Array.from(canon)).toEqual([0, 1, 2, 0]);
    const n = 4;
    const task: EvalTask = {
      users: [0], relevant: [new Set([3])], exclude: [new Set([0])], expected: [() => false], nItems: n,
      itemGenre: new Int32Array(n), itemArtist: new Int32Array(n), canonical: canon,
    };
    const r: Ranker = { name: 'dup', score: () => [Float32Array.from([0, 0, 0, 9])] };
    const m = evaluateRanker(r, task, { ks: [1], threshold: 0.5 }).metrics;
    expect(m['hit_rate@1']).toBe(0);
  });
});

describe('an epoch of examples', () => {
  it('draws at most the positives asked for, weighs discoveries up for the discover output only, and leaves same-artist negatives out of it', async () => {
    const { epochExamples, negativeSampler } = await import('../../src/main/recommender/data/examples');
    const { Rng } = await import('../../src/main/util/random');
    const n = 400;
    const inter = {
      user: new Int32Array(n), item: Int32Array.from({ length: n }, (_, i) => i % 50), label: new Float32Array(n).fill(1), weight: new Float32Array(n).fill(2),
      seen: [new Set([0, 1, 2])], itemCounts: new Float64Array(140).fill(1), isNew: Uint8Array.from({ length: n }, (_, i) => i % 2),
    };
    const { sampler } = negativeSampler(inter.itemCounts, 'uniform', 0);
    // Catalogue draws cover rows 0–139; the artist's tracks (150, 151) can only come from the artist source.
    const hard = { historyTracks: [Int32Array.from([100, 101])], historyArtists: [Int32Array.from([7])], tracksByArtist: new Map([[7, Int32Array.from([150, 151])]]), historyFraction: 0.3, artistFraction: 0.3 };
    const ex = epochExamples(inter, sampler, 4, new Rng(1), hard, 100, 3);
    const pos = [...ex.label.keys()].filter((i) => ex.label[i] === 1);
    expect(pos.length).toBe(100);
    for (const i of pos) {
      expect(ex.weight[i]).toBe(2);
      expect([2, 6]).toContain(ex.discoverWeight[i]);
    }
    expect(pos.some((i) => ex.discoverWeight[i] === 6)).toBe(true);
    const neg = [...ex.label.keys()].filter((i) => ex.label[i] === 0);
    expect(neg.length).toBe(400);
    for (const i of neg) {
      const fromArtist = ex.item[i] === 150 || ex.item[i] === 151;
      expect(ex.discoverWeight[i], `item ${ex.item[i]}`).toBe(fromArtist ? 0 : 1);
      expect(inter.seen[0].has(ex.item[i])).toBe(false);
    }
    expect(neg.some((i) => ex.item[i] === 100 || ex.item[i] === 101)).toBe(true);
    expect(neg.some((i) => ex.item[i] === 150)).toBe(true);
  });

  it('can lay a positive and its own negatives out together, for a listwise loss', async () => {
    const { epochExamples, negativeSampler } = await import('../../src/main/recommender/data/examples');
    const { completeGroups } = await import('../../src/main/recommender/training/trainer');
    const { Rng } = await import('../../src/main/util/random');
    // Two people; every third interaction is a weak negative (a skip).
    const n = 60;
    const inter = {
      user: Int32Array.from({ length: n }, (_, i) => i % 2), item: Int32Array.from({ length: n }, (_, i) => i), label: Float32Array.from({ length: n }, (_, i) => (i % 3 ? 1 : 0)),
      weight: new Float32Array(n).fill(1), seen: [new Set<number>(), new Set<number>()], itemCounts: new Float64Array(200).fill(1),
    };
    const { sampler } = negativeSampler(inter.itemCounts, 'uniform', 0);
    const ex = epochExamples(inter, sampler, 3, new Rng(2), undefined, 0, 1, true);
    expect(ex.groupSize).toBe(4);
    expect(ex.user.length).toBe(n + 40 * 3);
    const starts = [...ex.groupStart!.keys()].filter((r) => ex.groupStart![r]);
    expect(starts.length).toBe(40);
    for (const r of starts) {
      expect(ex.label[r]).toBe(1);
      for (let k = 1; k < 4; k++) {
        expect(ex.label[r + k]).toBe(0);
        expect(ex.user[r + k]).toBe(ex.user[r]);
        expect(ex.item[r + k]).toBeGreaterThanOrEqual(0);
      }
    }
    // Every interaction is there once, in a shuffled order.
    const inter2 = [...ex.item.keys()].filter((r) => ex.groupStart![r] || (ex.label[r] === 0 && !starts.some((st) => r > st && r < st + 4)));
    expect(new Set(inter2.map((r) => ex.item[r]))).toEqual(new Set(inter.item));
    expect(Array.from(ex.item.subarray(0, 10))).not.toEqual(Array.from(inter.item.subarray(0, 10)));
    // A batch's lists are the groups wholly inside it, as batch-relative rows.
    const s = starts[3] - 1;
    const e = starts[3] + 2; // cuts the group that starts at starts[3]
    const rows = completeGroups(ex, s, e);
    expect(rows === null || !Array.from(rows).includes(1)).toBe(true);
    const all = completeGroups(ex, 0, ex.user.length)!;
    expect(all.length).toBe(40 * 4);
    expect(Array.from(all.subarray(0, 4))).toEqual([starts[0], starts[0] + 1, starts[0] + 2, starts[0] + 3]);
  });
});
