import { describe, expect, it } from 'vitest';
import { meanPeople, meanRecords, summariseSeeds, type SeedRun } from '../../src/main/recommender/evaluation/seeds';

const run = (seed: number, disc: Record<string, number>, all: Record<string, number> = {}): SeedRun => ({
  seed,
  tasks: {
    discovery: Object.fromEntries(Object.entries(disc).map(([n, v]) => [n, { 'ndcg@10': v, mrr: v / 2 }])),
    all_plays: Object.fromEntries(Object.entries(all).map(([n, v]) => [n, { 'ndcg@10': v }])),
  },
});

describe('a protocol over several seeds', () => {
  it('compares each seed with its own best baseline, leaving out the floor and the blend’s own signals', () => {
    const s = summariseSeeds([
      // recent_artists (a blend signal) and random are above the model here and must not count as its rival.
      run(1, { two_tower: 0.12, item_cf: 0.1, ease: 0.08, recent_artists: 0.2, random: 0.3 }),
      run(2, { two_tower: 0.06, item_cf: 0.02, ease: 0.08, recent_artists: 0.01, random: 0 }),
    ]).discovery;
    expect(s.perSeed.map((x) => [x.seed, x.best, x.bestValue])).toEqual([
      [1, 'item_cf', 0.1],
      [2, 'ease', 0.08],
    ]);
    expect(s.perSeed[0].ratio).toBeCloseTo(1.2, 10);
    expect(s.perSeed[1].ratio).toBeCloseTo(0.75, 10);
    // The means' ratio: mean model over the mean of the seeds' best baselines (not of one ranker's mean).
    expect(s.meanModel).toBeCloseTo(0.09, 10);
    expect(s.meanBest).toBeCloseTo(0.09, 10);
    expect(s.ratio).toBeCloseTo(1, 10);
    expect(s.seedsAtLeast(1.2)).toBe(1);
    expect(s.seedsAtLeast(0.5)).toBe(2);
    // Every ranker's every metric averaged.
    expect(s.means.item_cf['ndcg@10']).toBeCloseTo(0.06, 10);
    expect(s.means.item_cf.mrr).toBeCloseTo(0.03, 10);
    expect(s.means.recent_artists['ndcg@10']).toBeCloseTo(0.105, 10);
  });

  it('says n/a rather than a ratio where no baseline found anything, and skips a task nobody was ranked on', () => {
    const s = summariseSeeds([run(3, { two_tower: 0.1, item_cf: 0 }), run(4, { two_tower: 0, item_cf: 0 })]);
    expect(s.discovery.perSeed.every((x) => Number.isNaN(x.ratio))).toBe(true);
    expect(Number.isNaN(s.discovery.ratio)).toBe(true);
    expect(s.discovery.seedsAtLeast(1)).toBe(0);
    expect(s.all_plays.perSeed).toEqual([]);
    expect(s.all_plays.means).toEqual({});
  });

  it('averages a metric over the seeds that have it', () => {
    expect(meanRecords([{ a: 1, auc: 0.5 }, { a: 3 }, { a: 2, auc: NaN }])).toEqual({ a: 2, auc: 0.5 });
  });

  it('averages each person over the seeds by name, null only where no seed ranked them', () => {
    const p = (name: string, v: number | null) => ({ name, events: 10, tasks: { discovery: v === null ? null : { two_tower: { 'ndcg@10': v } }, all_plays: null } });
    const m = meanPeople([
      [p('a', 0.2), p('b', null)],
      [p('b', null), p('a', 0.4)],
      [p('a', null), p('b', null)],
    ]);
    expect(m.map((x) => x.name)).toEqual(['a', 'b']);
    expect(m[0].tasks.discovery!.two_tower['ndcg@10']).toBeCloseTo(0.3, 10);
    expect(m[1].tasks.discovery).toBeNull();
    expect(m[0].tasks.all_plays).toBeNull();
  });
});
