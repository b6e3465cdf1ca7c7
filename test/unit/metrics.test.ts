import { describe, expect, it } from 'vitest';
import {
  apAtK, auc, bootstrapCI, classification, coverage, hitAtK, intraListDiversity, ndcgAtK, precisionAtK,
  recallAtK, reciprocalRank, serendipityAtK,
} from '../../src/main/recommender/evaluation/metrics';
import { Rng } from '../../src/main/util/random';

// A ranked list and relevant set worked out by hand:
// ranked = [7, 3, 9, 1, 5], relevant = {3, 5, 8}: hits at ranks 2 and 5.
const ranked = [7, 3, 9, 1, 5];
const rel = new Set([3, 5, 8]);

describe('ranking metrics on hand-computed cases', () => {
  it('NDCG@k', () => {
    // DCG@5 = 1/log2(3) + 1/log2(6); IDCG@5 = 1 + 1/log2(3) + 1/log2(4)
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(6);
    const idcg = 1 + 1 / Math.log2(3) + 0.5;
    expect(ndcgAtK(ranked, rel, 5)).toBeCloseTo(dcg / idcg, 12);
    // @2: DCG = 1/log2(3); IDCG = 1 + 1/log2(3)
    expect(ndcgAtK(ranked, rel, 2)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
    expect(ndcgAtK([3, 5, 8], rel, 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK(ranked, new Set(), 5)).toBe(0);
  });

  it('MAP@k, MRR, HitRate@k, precision and recall', () => {
    // AP@5 = (1/2 + 2/5) / min(3, 5)
    expect(apAtK(ranked, rel, 5)).toBeCloseTo((0.5 + 0.4) / 3, 12);
    // AP@2 = (1/2) / min(3, 2)
    expect(apAtK(ranked, rel, 2)).toBeCloseTo(0.25, 12);
    expect(reciprocalRank(ranked, rel)).toBe(0.5);
    expect(reciprocalRank(ranked, new Set([42]))).toBe(0);
    expect(hitAtK(ranked, rel, 1)).toBe(0);
    expect(hitAtK(ranked, rel, 2)).toBe(1);
    expect(precisionAtK(ranked, rel, 5)).toBeCloseTo(2 / 5, 12);
    expect(recallAtK(ranked, rel, 5)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(ranked, rel, 1)).toBe(0);
  });

  it('AUC by the rank statistic, with ties counted half', () => {
    expect(auc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    // positives 0.8, 0.4; negatives 0.6, 0.2: pairs ordered correctly 3 of 4
    expect(auc([0.8, 0.6, 0.4, 0.2], [1, 0, 1, 0])).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12);
    expect(auc([0.5, 0.4], [1, 1])).toBeNaN();
  });

  it('precision, recall, F1 and accuracy at a threshold', () => {
    // predictions ≥ 0.5: [1, 1, 0, 0, 1]; labels [1, 0, 1, 0, 1] → tp 2, fp 1, fn 1, tn 1
    const c = classification([0.9, 0.6, 0.4, 0.2, 0.5], [1, 0, 1, 0, 1], 0.5);
    expect(c.precision).toBeCloseTo(2 / 3, 12);
    expect(c.recall).toBeCloseTo(2 / 3, 12);
    expect(c.f1).toBeCloseTo(2 / 3, 12);
    expect(c.accuracy).toBeCloseTo(3 / 5, 12);
  });
});

describe('beyond-accuracy metrics', () => {
  it('intra-list diversity is the mean pairwise distance', () => {
    const genre = new Map([[1, 'a'], [2, 'a'], [3, 'b']]);
    const d = (x: number, y: number) => (genre.get(x) === genre.get(y) ? 0 : 1);
    // pairs (1,2)=0, (1,3)=1, (2,3)=1 → 2/3
    expect(intraListDiversity([1, 2, 3], d)).toBeCloseTo(2 / 3, 12);
    expect(intraListDiversity([1], d)).toBe(0);
  });

  it('coverage counts distinct recommended items over the catalogue', () => {
    expect(coverage([[1, 2, 3], [3, 4]], 10)).toBeCloseTo(0.4, 12);
  });

  it('serendipity counts relevant items a baseline would not have shown', () => {
    const popular = new Set([7, 3]);
    // relevant in top 5: 3 (expected: popular) and 5 (unexpected) → 1/5
    expect(serendipityAtK(ranked, rel, (i) => popular.has(i), 5)).toBeCloseTo(0.2, 12);
  });

  it('bootstrap interval contains the mean and narrows with more data', () => {
    const rng = new Rng(1);
    const small = Array.from({ length: 20 }, () => rng.next());
    const large = Array.from({ length: 2000 }, () => rng.next());
    const a = bootstrapCI(small, 500, 0.95, () => rng.next());
    const b = bootstrapCI(large, 500, 0.95, () => rng.next());
    expect(a.lo).toBeLessThanOrEqual(a.mean);
    expect(a.hi).toBeGreaterThanOrEqual(a.mean);
    expect(b.hi - b.lo).toBeLessThan(a.hi - a.lo);
  });
});

describe('evaluation over the full ranking', () => {
  it('counts ties half in AUC and excludes what was played', async () => {
    const { evaluateRanker } = await import('../../src/main/recommender/evaluation/ranking');
    // 6 items; relevant {1, 4}; excluded {0}. Scores: item1 = 0.5 (ties with 2, 3), item4 = 0.9 (top).
    const ranker = { name: 'fixed', score: () => [Float32Array.from([9, 0.5, 0.5, 0.5, 0.9, 0.1])] };
    const task = {
      users: [0], relevant: [new Set([1, 4])], exclude: [new Set([0])], expected: [() => false],
      nItems: 6, itemGenre: [0, 0, 0, 0, 0, 0], itemArtist: [0, 1, 2, 3, 4, 5],
    };
    const r = evaluateRanker(ranker, task, { ks: [1, 2], threshold: 0.5 });
    // Non-relevant candidates: 2, 3 (0.5) and 5 (0.1). Item 4 beats all three; item 1 beats 5 and ties 2, 3.
    expect(r.metrics.auc).toBeCloseTo((1 + (1 + 0.5 * 2) / 3) / 2, 10);
    expect(r.metrics['hit_rate@1']).toBe(1);
    expect(r.metrics.mrr).toBe(1);
    expect(r.lists[0][0]).toBe(4); // the excluded item 0 (score 9) is not ranked
  });
});
