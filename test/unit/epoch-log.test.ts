import { describe, expect, it } from 'vitest';
import { epochLines } from '../../src/main/recommender/training/trainer';

describe('the epoch log', () => {
  const entry = {
    epoch: 5, loss: 5.7891, lr: 0.00131, seconds: 2, examplesPerS: 20308.4,
    valid: {
      'ndcg@10': 0.0464, 'network/ndcg@10': 0.0266, 'hit_rate@10': 0.4, 'recall@50': 0.0196, 'all_plays/ndcg@10': 0.5942,
      'fusion/discover': 0.75, 'fusion/all': 0.5, 'fusion/neighbours': 0.5, 'fusion/novelty': 0, 'fusion/colisten': 0.03,
    },
  };

  it('writes the training figures and validation’s on one line, the blend validation chose on a second, each short enough to read whole', () => {
    const lines = epochLines(6, 15, entry);
    expect(lines).toEqual([
      'epoch 6/15: loss 5.7891, lr 1.31e-3, 20308 examples/s; validation: new tracks NDCG@10 0.0464 (network alone 0.0266), hit rate@10 0.4000, recall@50 0.0196; all plays NDCG@10 0.5942',
      'epoch 6/15: blend chosen on validation — own listening discover 0.75 with co-listening 0.03, all plays 0.5, neighbourhood 0.5, novelty 0',
    ]);
    for (const l of lines) expect(l.length).toBeLessThan(200);
    expect(epochLines(6, 15, { ...entry, valid: { ...entry.valid, 'fusion/library_scale': 1 } })[1]).toContain('neighbourhood 0.5 (on the library’s scale), novelty 0');
  });

  it('has no blend line without a blend, and says n/a for what validation could not measure', () => {
    expect(epochLines(1, 2, { ...entry, valid: { loss: 1.2 } })).toEqual([
      'epoch 1/2: loss 5.7891, lr 1.31e-3, 20308 examples/s; validation: new tracks NDCG@10 n/a, hit rate@10 n/a, recall@50 n/a; all plays NDCG@10 n/a',
    ]);
  });
});
