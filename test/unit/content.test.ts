import { describe, expect, it } from 'vitest';
import { artistTagVectors, contentScores, sharedTags, tagProfile, tagVectors } from '../../src/main/recommender/inference/content';
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

  it('gives rows their artist\'s tags (a library\'s imported tags) with the same vectors as tagVectors over the rows, and names the tags a row shares with a profile', () => {
    // Rows by artist 10 (three rows), 20 (two), 30 (one, untagged), 40 (tagged, no rows); artist 10's tag 1 listed twice.
    const artistOfRow = Int32Array.from([10, 20, 10, 30, 10, 20]);
    const byArtist = new Map<number, [number, number][]>([[10, [[0, 3], [1, 1], [1, 2]]], [20, [[1, 5], [2, 1]]], [40, [[3, 7]]]]);
    const got = artistTagVectors(artistOfRow, byArtist);
    const expanded: [number, number, number][] = [];
    artistOfRow.forEach((a, r) => {
      for (const [t, n] of byArtist.get(a) ?? []) expanded.push([r, t, n]);
    });
    const want = tagVectors(artistOfRow.length, expanded);
    expect(Array.from(got.offsets)).toEqual(Array.from(want.offsets));
    expect(Array.from(got.tag)).toEqual(Array.from(want.tag));
    expect(Array.from(got.weight)).toEqual(Array.from(want.weight));
    expect(got.tags).toBe(3); // tag 3's artist has no row here
    // One application per element gives the same as the count: tagVectors' two forms agree.
    const ones = expanded.flatMap(([r, t, n]) => Array.from({ length: n }, () => [r, t] as [number, number]));
    expect(Array.from(tagVectors(artistOfRow.length, ones).weight)).toEqual(Array.from(want.weight));
    // Named: a profile of artist 20's row shares tag 1 with artist 10's rows, and both its tags with its own.
    const named = { ...got, names: ['soul', 'neo-soul', 'jazz'] };
    const p = tagProfile(named, [1])!;
    expect(sharedTags(named, p.profile, 0)).toEqual(['neo-soul']);
    expect(sharedTags(named, p.profile, 5)).toEqual(['jazz', 'neo-soul']); // its own rarer tag adds most
    expect(sharedTags(named, p.profile, 3)).toEqual([]);
    expect(sharedTags(got, p.profile, 0)).toEqual([]); // no names, nothing to say
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
