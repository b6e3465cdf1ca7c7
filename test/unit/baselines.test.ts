import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { openLibrary } from '../../src/main/db';
import { artistAffinityRanker, easeRanker, historyOf, itemCfRanker, recentArtistsRanker, recentReplayRanker } from '../../src/main/recommender/evaluation/baselines';
import { chooseSetting, EaseNeighbourhood, positiveLists, positivesWithStrength } from '../../src/main/recommender/inference/neighbourhood';
import { generateSyntheticLibrary } from '../../src/main/recommender/data/synthetic';
import { prepareData } from '../../src/main/recommender/data/pipeline';
import { tmpDir } from '../helpers/env';

describe('baselines', () => {
  const lib = openLibrary(path.join(tmpDir(), 'lib.sqlite'));
  generateSyntheticLibrary(lib, { seed: 4, tracks: 120, artists: 30, profiles: 8, eventsPerProfile: 60 });
  const prep = prepareData(lib, loadConfig().config);
  const positives = prep.data.profiles.map(() => new Set<number>());
  for (let i = 0; i < prep.train.user.length; i++) if (prep.train.label[i] === 1) positives[prep.train.user[i]].add(prep.train.item[i]);
  const users = prep.data.profiles.map((_, u) => u);
  const none = users.map(() => new Set<number>());

  it('EASE through the Woodbury identity equals the item × item closed form', () => {
    const lambda = 5;
    const n = prep.items.n;
    const X: number[][] = users.map((u) => Array.from({ length: n }, (_, t) => (positives[u].has(t) ? 1 : 0)));
    const G = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => users.reduce((s, u) => s + X[u][i] * X[u][j], 0) + (i === j ? lambda : 0)));
    const Pinv = invert(G);
    // B = I − P diag(1/diag P) ⇒ score_u = x_u B
    const scoreDirect = (u: number) =>
      Array.from({ length: n }, (_, j) => X[u][j] - X[u].reduce((s, x, i) => s + x * Pinv[i][j], 0) / Pinv[j][j]);
    const got = easeRanker(prep, lambda).score(users, none);
    for (const u of [0, 3, 7]) {
      const want = scoreDirect(u);
      for (let t = 0; t < n; t++) expect(got[u][t]).toBeCloseTo(want[t], 3);
    }
  });

  it('EDLAE (dropout emphasis) through the Woodbury identity equals the item × item closed form', () => {
    const lambda = 3;
    const p = 0.5;
    const n = prep.items.n;
    const X: number[][] = users.map((u) => Array.from({ length: n }, (_, t) => (positives[u].has(t) ? 1 : 0)));
    const nb = new EaseNeighbourhood(positiveLists(prep.train, users.length), n, { lambda, dropout: p });
    const plain = new EaseNeighbourhood(positiveLists(prep.train, users.length), n, { lambda });
    // The emphasis changes the scores (p = 0 is plain EASE, checked above).
    expect(matchesClosedForm(nb, plain, X, lambda, p)).toBe(true);
    expect(() => new EaseNeighbourhood([[0]], n, { lambda, dropout: 1 })).toThrow(/dropout/);
  });

  it('play-weighted EASE (with emphasis) equals the closed form over the play strengths', () => {
    // X's entries: each positive's log play time over the person's mean (positivesWithStrength).
    const lambda = 4;
    const p = 0.3;
    const n = prep.items.n;
    const input = positivesWithStrength(prep.train, users.length);
    expect(input.rows).toEqual(positiveLists(prep.train, users.length));
    for (const w of input.strength) if (w.length) expect(w.reduce((a, b) => a + b, 0) / w.length).toBeCloseTo(1, 6);
    // Strengths differ within a person (plays differ), so weighting is not a rescaled 0/1 X.
    expect(input.strength.some((w) => Math.max(...w) - Math.min(...w) > 0.1)).toBe(true);
    const X: number[][] = users.map(() => Array.from({ length: n }, () => 0));
    input.rows.forEach((l, u) => l.forEach((t, i) => (X[u][t] = input.strength[u][i])));
    const nb = new EaseNeighbourhood(input, n, { lambda, dropout: p, weighted: true });
    expect(nb.weighted).toBe(true);
    // … and differs from the 0/1 neighbourhood over the same positives.
    expect(matchesClosedForm(nb, new EaseNeighbourhood(input, n, { lambda, dropout: p }), X, lambda, p)).toBe(true);
    // A play-weighted setting without strengths is refused, not silently 0/1.
    expect(() => new EaseNeighbourhood(input.rows, n, { lambda, weighted: true })).toThrow(/strengths/);
  });

  it('item-item CF sums cosine similarities over the person’s items', () => {
    const n = prep.items.n;
    const players = Array.from({ length: n }, (_, t) => users.filter((u) => positives[u].has(t)));
    const cos = (a: number, b: number) => {
      const inter = players[a].filter((u) => players[b].includes(u)).length;
      return inter ? inter / Math.sqrt(players[a].length * players[b].length) : 0;
    };
    const got = itemCfRanker(prep).score([2], [new Set()])[0];
    for (let t = 0; t < n; t++) {
      const want = [...positives[2]].reduce((s, j) => s + cos(t, j), 0);
      expect(got[t]).toBeCloseTo(want, 4);
    }
  });

  it('artist affinity ranks the person’s most-played artist’s tracks first', () => {
    const u = 1;
    const shares = [...prep.trainAggs[u].artistWeight].sort((a, b) => b[1] - a[1]);
    const s = artistAffinityRanker(prep).score([u], [new Set()])[0];
    const best = [...s.keys()].sort((a, b) => s[b] - s[a])[0];
    expect(prep.data.catalog.artistId[best]).toBe(shares[0][0]);
  });

  it('the recency baselines rank by the decayed plays the model blends in, within an artist by catalogue popularity', () => {
    const h = historyOf(prep, 'test');
    const pop = prep.data.catalog.popularity;
    const artist = prep.data.catalog.artistId;
    for (const u of [0, 5]) {
      const { trackReplay, artistReplay } = h.aggs[u];
      // Tracks: every played track in order of its decayed plays, above every unplayed one.
      const r = recentReplayRanker(prep, h).score([u], [new Set()])[0];
      const played = [...trackReplay].sort((a, b) => b[1] - a[1]);
      for (let i = 1; i < played.length; i++) expect(r[played[i - 1][0]]).toBeGreaterThanOrEqual(r[played[i][0]]);
      const unplayed = [...r.keys()].filter((t) => !trackReplay.has(t));
      expect(Math.min(...played.map(([t]) => r[t]))).toBeGreaterThan(Math.max(...unplayed.map((t) => r[t])));
      // Artists: the artist order is the decayed plays' (not play time's), popularity inside an artist.
      const s = recentArtistsRanker(prep, h).score([u], [new Set()])[0];
      const order = [...s.keys()].sort((a, b) => s[b] - s[a]);
      const top = [...artistReplay].sort((a, b) => b[1] - a[1])[0][0];
      expect(artist[order[0]]).toBe(top);
      const own = order.filter((t) => artist[t] === top);
      for (let i = 1; i < own.length; i++) expect(pop[own[i - 1]]).toBeGreaterThanOrEqual(pop[own[i]]);
      const seq = order.map((t) => artistReplay.get(artist[t]) ?? 0);
      for (let i = 1; i < seq.length; i++) expect(seq[i - 1]).toBeGreaterThanOrEqual(seq[i]);
    }
  });
});

/** Gauss–Jordan inverse with partial pivoting: the closed form's own inverse, independent of the Cholesky path under test. */
/**
 * Expects `nb`'s scores for people 0, 3 and 7 to equal the item × item closed form over X:
 * Λ = λI + p/(1 − p)·diag(XᵀX); P = (XᵀX + Λ)⁻¹; B = I − P diag(1/diag P); score_u = x_u B.
 * Returns whether `other`'s scores differ from them somewhere.
 */
function matchesClosedForm(nb: EaseNeighbourhood, other: EaseNeighbourhood, X: number[][], lambda: number, p: number): boolean {
  const n = X[0].length;
  const G = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => X.reduce((s, row) => s + row[i] * row[j], 0)));
  const Pinv = invert(G.map((row, i) => row.map((g, j) => g + (i === j ? lambda + (p / (1 - p)) * G[i][i] : 0))));
  let differs = false;
  for (const u of [0, 3, 7]) {
    const got = nb.scores(u);
    const alt = other.scores(u);
    for (let j = 0; j < n; j++) {
      const want = X[u][j] - X[u].reduce((s, x, i) => s + x * Pinv[i][j], 0) / Pinv[j][j];
      expect(got[j]).toBeCloseTo(want, 3);
      if (Math.abs(alt[j] - want) > 1e-3) differs = true;
    }
  }
  return differs;
}

function invert(m: ArrayLike<number>[]): Float64Array[] {
  const n = m.length;
  const a = m.map((r, i) => {
    const row = new Float64Array(2 * n);
    row.set(Array.from(r));
    row[n + i] = 1;
    return row;
  });
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const d = a[c][c];
    for (let k = 0; k < 2 * n; k++) a[c][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c || !a[r][c]) continue;
      const f = a[r][c];
      for (let k = 0; k < 2 * n; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((r) => r.slice(n));
}

describe('the neighbourhood setting where validation cannot choose', () => {
  // Person 0 played tracks 0 and 1; person 1 played 0 (and 1) once each, 2 at length and 3 briefly;
  // person 2 played 4. Strengths as positivesWithStrength gives them: log play time over the person's mean.
  const positives = { rows: [[0, 1], [0, 1, 2, 3], [4]], strength: [[1, 1], [1, 1, 1.7, 0.3], [1]] };
  // A catalogue of 2,000 rows: one nobody played (1999) stays among the 1,995 scored 0, out of the top 10.
  const N = 2000;
  const task = (relevant: number) => ({ users: [0], relevant: [new Set([relevant])], exclude: [new Set([0, 1])], expected: [() => false], nItems: N, itemGenre: new Int32Array(N), itemArtist: Int32Array.from({ length: N }, (_, i) => i) });
  const settings = [{ lambda: 10, dropout: 0, weighted: false }, { lambda: 50, dropout: 0, weighted: false }];
  const blind = { lambda: 10, dropout: 0, weighted: true };

  it('0/1 co-plays tie what one other person played; play counts order it', () => {
    const flat = new EaseNeighbourhood(positives, 6, settings[0]).scoresMany([0])[0];
    const weighted = new EaseNeighbourhood(positives, 6, blind).scoresMany([0])[0];
    expect(flat[2]).toBeCloseTo(flat[3], 6);
    expect(weighted[2]).toBeGreaterThan(weighted[3]);
  });

  it('takes the blind setting only where no setting finds anything', () => {
    // Track 1999 nobody played: every setting scores 0 on it.
    const none = chooseSetting(positives, N, task(1999), settings, blind);
    expect(none.setting).toBe(blind);
    expect(none.nb?.weighted).toBe(true);
    expect(none.nb?.validation).toBe(0);
    expect(chooseSetting(positives, N, task(1999), settings).setting).toBe(settings[0]);
    // Track 2 the neighbourhood finds: chosen as before.
    const found = chooseSetting(positives, N, task(2), settings, blind);
    expect(found.setting).toBe(settings[0]);
    expect(found.v).toBeGreaterThan(0);
  });
});
