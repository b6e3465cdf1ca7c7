import { describe, expect, it } from 'vitest';
import { contentScores, tagVectors } from '../../src/main/recommender/inference/content';
import { topPositive } from '../../src/main/recommender/inference/candidates';

describe('content term (tag vectors)', () => {
  // Rows 0–2 rock (row 2 also live), rows 3–4 jazz, row 5 untagged; "live" on most rows.
  const assignments: [number, number][] = [[0, 0], [0, 0], [1, 0], [2, 0], [3, 1], [4, 1], [4, 1], [0, 2], [2, 2], [3, 2], [4, 2]];
  const it6 = tagVectors(6, assignments);

  it('weights tags by log count and rarity, each row unit length', () => {
    for (let r = 0; r < 5; r++) {
      let n = 0;
      for (let j = it6.offsets[r]; j < it6.offsets[r + 1]; j++) n += it6.weight[j] ** 2;
      expect(n).toBeCloseTo(1, 5);
    }
    expect(it6.offsets[6] - it6.offsets[5]).toBe(0);
    // Row 0: rock applied twice, live once — and live is on more rows, so it weighs less.
    const w0 = new Map(Array.from({ length: it6.offsets[1] }, (_, j) => [it6.tag[j], it6.weight[j]]));
    expect(w0.get(0)!).toBeGreaterThan(w0.get(2)!);
    // A tag applied fewer than minUses times is left out (here jazz, applied 3 times).
    const common = tagVectors(6, assignments, 4);
    expect(Array.from(common.tag)).not.toContain(1);
    expect(Array.from(common.tag)).toContain(0);
    // A tag on every row still weighs nothing negative.
    const everywhere = tagVectors(3, [[0, 0], [1, 0], [2, 0], [0, 1]]);
    for (const w of everywhere.weight) expect(w).toBeGreaterThanOrEqual(0);
  });

  it('scores rows by their cosine with the tags of what the person played', () => {
    const s = contentScores(it6, [1])!;
    // Played a rock row: the other rock rows first, jazz after, the untagged row last.
    expect(s[0]).toBeGreaterThan(s[3]);
    expect(s[2]).toBeGreaterThan(s[4]);
    expect(s[5]).toBe(0);
    expect(s[1]).toBeCloseTo(1, 5);
    // The profile sums what was played: with two jazz rows played, jazz leads.
    const j = contentScores(it6, [1, 3, 4])!;
    expect(j[3]).toBeGreaterThan(j[0]);
    // Nothing tagged played: no term.
    expect(contentScores(it6, [5])).toBeUndefined();
    expect(contentScores(it6, [])).toBeUndefined();
    // Candidates: the best rows outside what is skipped, only those with a score.
    // (Row 1 played: the other rock rows score, the jazz rows share no tag with it.)
    expect(s[3]).toBe(0);
    expect(topPositive(s, (t) => t === 1, 3)).toEqual([0, 2].sort((a, b) => s[b] - s[a]));
    expect(topPositive(s, () => false, 1)).toEqual([1]);
  });
});
