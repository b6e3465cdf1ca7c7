import { describe, expect, it } from 'vitest';
import { coListening, similarListeners, splitHetrec, type HetrecData, type HetrecSplit } from '../../src/main/recommender/hetrec';
import { Rng } from '../../src/main/util/random';

/** A small HetRec-shaped data set: 40 people, 60 artists, two taste groups. */
function data(): HetrecData {
  const rng = new Rng(3);
  const users = 40;
  const items = 60;
  const inter = Array.from({ length: users }, (_, u) => {
    const group = u % 2;
    const picks = new Set<number>();
    while (picks.size < 12) picks.add(rng.next() < 0.8 ? group * 30 + rng.int(30) : rng.int(items));
    return [...picks].map((item) => ({ item, weight: 1 + rng.int(500) }));
  });
  return { users, items, inter, itemTags: new Int32Array(items * 2), tagsPerItem: 2, tagVocab: 1, friends: inter.map(() => []) };
}

describe('HetRec protocol and co-listening feature', () => {
  it('splits each person 8:1:1 into disjoint parts', () => {
    const d = data();
    const s = splitHetrec(d, 1);
    d.inter.forEach((l, u) => {
      expect(s.train[u].length).toBe(Math.floor(l.length * 0.8));
      expect(s.valid[u].size).toBe(Math.floor(l.length * 0.1));
      const train = new Set(s.train[u].map((x) => x.item));
      for (const i of s.valid[u]) expect(train.has(i) || s.test[u].has(i)).toBe(false);
      expect(train.size + s.valid[u].size + s.test[u].size).toBe(l.length);
    });
  });

  it('gives a person’s own training artist the value it would have had the interaction not been there (leave-one-out)', () => {
    const d = data();
    const split = splitHetrec(d, 2);
    const co = coListening(d, split, 0.7);
    let checked = 0;
    for (const u of [0, 1, 7, 20]) {
      for (const { item } of split.train[u].slice(0, 4)) {
        const loo = co.batch(Int32Array.of(u), Int32Array.of(item), new Int32Array(0))[0] / co.scale[u];
        // The same feature recomputed from scratch without (u, item) in training.
        const without: HetrecSplit = { ...split, train: split.train.map((l, v) => (v === u ? l.filter((x) => x.item !== item) : l)) };
        const again = coListening(d, without, 0.7);
        const expected = again.full[u * d.items + item] / again.scale[u];
        expect(loo).toBeCloseTo(expected, 5);
        checked += expected > 0 ? 1 : 0;
      }
    }
    expect(checked).toBeGreaterThan(8); // the comparison is not between zeros
    // Candidates outside the person's training artists take the full-data value, and it is what
    // evaluation adds; the group structure shows in it.
    const u = 0;
    const own = new Set(split.train[u].map((x) => x.item));
    const others = Array.from({ length: d.items }, (_, i) => i).filter((i) => !own.has(i));
    const b = co.batch(Int32Array.of(u), Int32Array.of(others[0]), Int32Array.from(others.slice(1)));
    others.forEach((i, k) => expect(b[k]).toBeCloseTo(co.full[u * d.items + i], 6));
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const sameGroup = others.filter((i) => i < 30).map((i) => co.full[u * d.items + i]);
    const otherGroup = others.filter((i) => i >= 30).map((i) => co.full[u * d.items + i]);
    expect(mean(sameGroup)).toBeGreaterThan(2 * mean(otherGroup));
  });

  it('scores what similar listeners play from training interactions only, scaled per person', () => {
    const d = data();
    const split = splitHetrec(d, 4);
    const sim = similarListeners(d, split, 5);
    for (const u of [0, 1, 2, 3]) {
      const row = Array.from(sim.subarray(u * d.items, (u + 1) * d.items));
      expect(Math.max(...row)).toBeCloseTo(1, 6);
      const own = (g: number) => row.slice(g * 30, g * 30 + 30).reduce((a, x) => a + x, 0);
      expect(own(u % 2)).toBeGreaterThan(2 * own(1 - (u % 2))); // neighbours share the planted group
    }
    // Only other people's training artists can score.
    const others = new Set(split.train.flatMap((l, v) => (v === 0 ? [] : l.map((x) => x.item))));
    for (let i = 0; i < d.items; i++) if (sim[i] > 0) expect(others.has(i)).toBe(true);
  });
});
