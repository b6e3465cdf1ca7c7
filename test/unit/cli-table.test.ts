import { describe, expect, it } from 'vitest';
import { metricsTable } from '../../scripts/lib/cli';

describe('the terminal’s metrics table', () => {
  it('keeps every column apart, however long a ranker’s name, and lines the figures up under it', () => {
    const table = metricsTable(
      [
        { ranker: 'two_tower', metrics: { 'ndcg@10': 0.1191, auc: 0.8978 } },
        { ranker: 'catalog_popularity', metrics: { 'ndcg@10': 0.0045, auc: NaN } },
      ],
      ['ndcg@10', 'auc'],
    );
    const [head, ndcg, auc] = table.split('\n');
    // Split on runs of spaces: a name that ran into its neighbour would come out as one word.
    expect(head.trim().split(/\s+/)).toEqual(['two_tower', 'catalog_popularity']);
    expect(ndcg.trim().split(/\s+/)).toEqual(['ndcg@10', '0.1191', '0.0045']);
    expect(auc.trim().split(/\s+/)).toEqual(['auc', '0.8978', '—']);
    // Right-aligned: each figure ends where its column's name ends.
    expect(ndcg.indexOf('0.0045') + 6).toBe(head.indexOf('catalog_popularity') + 'catalog_popularity'.length);
    expect(ndcg.indexOf('0.1191') + 6).toBe(head.indexOf('two_tower') + 'two_tower'.length);
  });
});
