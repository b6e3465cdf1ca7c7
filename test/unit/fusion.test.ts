import { describe, expect, it } from 'vitest';
import { COLISTEN_IN_PRIOR, chooseWeights, fuse, listeningPrior, meanSpread } from '../../src/main/recommender/inference/fusion';
import type { UserFeatures } from '../../src/main/recommender/data/features';

const order = (x: Float32Array) => [...x.keys()].sort((a, b) => x[b] - x[a]);

describe('fusion of the head with the person’s own listening', () => {
  const logits = Float32Array.from([2, 1, 0, -1]);
  const prior = Float32Array.from([0, 0.1, 0.6, 0.3]);

  it('leaves the network alone at weight 0 and follows the prior at weight 1', () => {
    expect(fuse(logits, prior, 0)).toBe(logits);
    expect(order(fuse(logits, prior, 1))).toEqual([2, 3, 1, 0]);
    // In between, both count: the network's best keeps a place above the prior's weakest.
    const half = order(fuse(logits, prior, 0.5));
    expect(half.indexOf(0)).toBeLessThan(half.indexOf(1) + 2);
    expect(half[0]).toBe(2);
  });

  it('keeps the logit scale (mean and spread) so probabilities stay comparable', () => {
    const f = fuse(logits, prior, 0.5);
    const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
    expect(mean(f)).toBeCloseTo(mean(logits), 5);
    expect(Math.max(...f) - Math.min(...f)).toBeGreaterThan(1);
  });

  it('ignores a prior that says nothing (all equal) and breaks prior ties by the network', () => {
    expect(fuse(logits, new Float32Array(4), 0.75)).toBe(logits);
    const tied = Float32Array.from([1, 1, 0, 0]);
    const f = fuse(Float32Array.from([0, 1, 3, 2]), tied, 1);
    expect(order(f)).toEqual([1, 0, 2, 3]);
  });

  it('standardises the prior by a library-wide spread where given: a faint score moves the ranking little, a strong one as much as alone', () => {
    const faint = Float32Array.from([0, 0.0001, 0.0003, 0.0002]); // the prior's order, at a ten-thousandth of its size
    // Standardised by its own spread the faint score is the prior over again …
    expect(order(fuse(logits, faint, 0.5))).toEqual(order(fuse(logits, prior, 0.5)));
    // … by the library's (the spread of everyone's scores, ~0.2 here) it leaves the network's order.
    expect(order(fuse(logits, faint, 0.5, 0.2))).toEqual([0, 1, 2, 3]);
    // A score as strong as the library's spread moves it as much as before.
    const own = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + (v - x.reduce((a, b) => a + b, 0) / x.length) ** 2, 0) / x.length);
    expect(Array.from(fuse(logits, prior, 0.5, own(prior)))).toEqual(Array.from(fuse(logits, prior, 0.5)));
    expect(fuse(logits, prior, 0.5, 0)).toEqual(fuse(logits, prior, 0.5)); // no scale: its own
  });

  it('takes the library-wide spread as the mean of each person’s spread over their candidates', () => {
    expect(meanSpread([Float32Array.from([0, 2]), Float32Array.from([1, 1, 1, 1]), undefined, Float32Array.from([5])])).toBeCloseTo((1 + 0) / 2, 10);
    expect(meanSpread([undefined, Float32Array.from([3, 3])])).toBeUndefined();
  });

  // One weight (no neighbourhood): every pair's neighbourhood weight is 0.
  const chooseWeight = (values: { w: number; value: number }[], fallback = 0) => chooseWeights(values.map((c) => ({ ...c, wn: 0 })), { w: fallback, wn: 0 });

  it('chooses the best validation value, the smaller weight on ties', () => {
    expect(chooseWeight([{ w: 0.5, value: 0.3 }, { w: 0, value: 0.3 }, { w: 1, value: 0.2 }]).w).toBe(0);
    expect(chooseWeight([{ w: 0, value: 0.1 }, { w: 0.75, value: 0.4 }, { w: 1, value: 0.4 }]).w).toBe(0.75);
  });

  it('takes the fallback when validation cannot tell the weights apart', () => {
    const tied = [{ w: 0, value: 1 }, { w: 0.5, value: 1 }, { w: 1, value: 1 }];
    expect(chooseWeight(tied, 0.5).w).toBe(0.5);
    expect(chooseWeight(tied).w).toBe(0);
    expect(chooseWeight([], 0.75).w).toBe(0.75);
    // Any difference is evidence: the best weight, not the fallback.
    expect(chooseWeight([{ w: 0, value: 0.9 }, { w: 0.5, value: 1 }, { w: 1, value: 1 }], 0.25).w).toBe(0.5);
    expect(chooseWeight([{ w: 0, value: 1 }, { w: 0.5, value: 1 }, { w: 1, value: 0.8 }], 0.75).w).toBe(0);
  });

  it('takes the tracks\' replay share for all plays and the artists\' plus co-listening for discovery (not all-time play time)', () => {
    const users = {
      trackShare: [new Map([[5, 0.1], [6, 0.9]])], trackReplay: [new Map([[5, 0.4]])],
      artistShare: [new Map([[9, 0.1], [8, 0.9]])], artistReplay: [new Map([[9, 0.5]])], colisten: [new Map([[8, 0.2]])],
    } as unknown as UserFeatures;
    const artistOf = Int32Array.from([0, 0, 0, 0, 0, 9, 8]);
    expect([...listeningPrior(users, 0, artistOf, [5, 6, 1], 'all')]).toEqual([Math.fround(0.4), 0, 0]);
    expect([...listeningPrior(users, 0, artistOf, [5, 6, 1], 'discover')]).toEqual([0.5, Math.fround(COLISTEN_IN_PRIOR * 0.2), 0]);
  });

  it('ranks the artists a person plays lately above co-listened ones, and co-listening alone where none is theirs', () => {
    // Artist 9: 5 % of the plays lately; artist 8: never played, strongly co-listened; artist 7 less so.
    const users = {
      artistReplay: [new Map([[9, 0.05]])], colisten: [new Map([[8, 0.9], [7, 0.3], [9, 0.1]])],
    } as unknown as UserFeatures;
    const artistOf = Int32Array.from([9, 8, 7]);
    const p = listeningPrior(users, 0, artistOf, [0, 1, 2], 'discover');
    expect(p[0]).toBeGreaterThan(p[1]);
    expect(p[1]).toBeGreaterThan(p[2]);
    // Only co-listened candidates (a benchmark's held-out artists): the blend follows co-listening as it is.
    const logits = Float32Array.from([0, 1, 2]);
    const only = listeningPrior(users, 0, artistOf, [1, 2], 'discover');
    expect([...fuse(logits.subarray(0, 2), only, 1)]).toEqual([...fuse(logits.subarray(0, 2), Float32Array.from([0.9, 0.3]), 1)].map((x) => expect.closeTo(x, 5)) as unknown as number[]);
  });
});

describe('choosing the blend on validation', () => {
  it('judges each weight by exactly the NDCG@10 the full evaluation reports (same exclusions and ties)', async () => {
    const { evaluateRanker, meanNdcg } = await import('../../src/main/recommender/evaluation/ranking');
    const n = 300;
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const users = Array.from({ length: 9 }, (_, u) => u);
    const relevant = users.map(() => new Set(Array.from({ length: 6 }, () => Math.floor(rnd() * n))));
    // Coarse scores (many ties, so the tie-breaking has to agree too), the relevant items a little higher.
    const table = users.map((u) => Float32Array.from({ length: n }, (_, t) => Math.floor(rnd() * 4) + (relevant[u].has(t) ? 2 : 0)));
    const ranker = { name: 'r', score: (us: number[]) => us.map((u) => table[u].slice()) };
    const canonical = Int32Array.from({ length: n }, (_, t) => (t % 17 === 5 ? t - 1 : t));
    const task = {
      users, nItems: n, itemGenre: new Int32Array(n), itemArtist: new Int32Array(n), canonical, relevant,
      exclude: users.map(() => new Set(Array.from({ length: 20 }, () => Math.floor(rnd() * n)))),
      expected: users.map(() => () => false),
    };
    const full = evaluateRanker(ranker, task, { ks: [10, 50], threshold: 0.5 }).metrics['ndcg@10'];
    expect(full).toBeGreaterThan(0);
    expect(meanNdcg(ranker, task, 10)).toBeCloseTo(full, 10);
  });

  it('chooses a pair of weights (own listening, neighbourhood) on validation: the best, ties to the smaller neighbourhood weight then the smaller own weight, the fallback when all tie', () => {
    const pairs = (vals: number[][]) => vals.flatMap((row, i) => row.map((value, j) => ({ w: [0, 0.5, 1][i], wn: [0, 0.5, 1][j], value })));
    expect(chooseWeights(pairs([[0.1, 0.2, 0.1], [0.1, 0.3, 0.3], [0.3, 0.1, 0.1]]), { w: 0, wn: 0 })).toMatchObject({ w: 1, wn: 0 });
    expect(chooseWeights(pairs([[0.1, 0.2, 0.1], [0.1, 0.3, 0.3], [0.2, 0.1, 0.1]]), { w: 0, wn: 0 })).toMatchObject({ w: 0.5, wn: 0.5 });
    expect(chooseWeights(pairs([[0.1, 0.4, 0.1], [0.1, 0.4, 0.3], [0.2, 0.1, 0.1]]), { w: 0, wn: 0 })).toMatchObject({ w: 0, wn: 0.5 });
    expect(chooseWeights(pairs([[0.2, 0.2, 0.2], [0.2, 0.2, 0.2], [0.2, 0.2, 0.2]]), { w: 0.5, wn: 0 })).toMatchObject({ w: 0.5, wn: 0 });
  });

  it('chooses the novelty weight with the other two: the best triple, ties to the smaller novelty weight before the smaller own weight, none when all tie', () => {
    const triples = (f: (w: number, wn: number, wv: number) => number) =>
      [0, 0.5].flatMap((w) => [0, 0.5].flatMap((wn) => [0, 0.2].map((wv) => ({ w, wn, wv, value: f(w, wn, wv) }))));
    expect(chooseWeights(triples((w, wn, wv) => (wn === 0.5 && wv === 0.2 ? 0.3 : 0.1)), { w: 0, wn: 0 })).toMatchObject({ w: 0, wn: 0.5, wv: 0.2 });
    // A novelty weight that only ties with none is not taken, even against a larger own weight.
    expect(chooseWeights(triples((w, wn, wv) => (w === 0.5 || wv === 0.2 ? 0.3 : 0.1)), { w: 0, wn: 0 })).toMatchObject({ w: 0.5, wn: 0, wv: 0 });
    expect(chooseWeights(triples(() => 0.2), { w: 0.5, wn: 0.5 })).toMatchObject({ w: 0.5, wn: 0.5, wv: 0 });
  });
});
