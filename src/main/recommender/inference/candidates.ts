/**
 * A second retrieval source beside the dot product: tracks by the artists the person plays lately,
 * by the artists co-listened with theirs, and their own tracks. Their union is what the concat
 * head re-ranks (two-source retrieval, as production recommenders do).
 */
import type { ItemFeatures, UserFeatures } from '../data/features';
import { ITEM_NUMERIC } from '../data/features';
import { topN } from '../evaluation/ranking';

/**
 * The best `n` rows with a positive score outside `skip`, best first (ties to the lower row): what
 * a blended score (the neighbourhood, the content term) adds to the candidates.
 */
export function topPositive(scores: ArrayLike<number>, skip: (t: number) => boolean, n: number): number[] {
  // A plain loop: Float32Array.from with a map function is several times slower on a 100k-row catalogue.
  const m = new Float32Array(scores.length);
  for (let t = 0; t < m.length; t++) {
    const x = scores[t];
    m[t] = x > 0 && !skip(t) ? x : -Infinity;
  }
  return Array.from(topN(m, n));
}

export class ArtistCandidates {
  private byArtist = new Map<number, number[]>();

  constructor(items: ItemFeatures) {
    const F = items.numeric.length / Math.max(1, items.n);
    const pop = ITEM_NUMERIC.indexOf('popularity');
    for (let t = 0; t < items.n; t++) {
      const a = items.artistId[t];
      if (a < 0) continue;
      (this.byArtist.get(a) ?? this.byArtist.set(a, []).get(a)!).push(t);
    }
    for (const list of this.byArtist.values()) list.sort((x, y) => items.numeric[y * F + pop] - items.numeric[x * F + pop] || x - y);
  }

  /** Every track by one artist (most popular first). */
  tracksOf(artistId: number): readonly number[] {
    return this.byArtist.get(artistId) ?? [];
  }

  /** Up to `n` tracks by the artists scoring highest in `artistShare` (played lately, or co-listened), skipping `exclude`. */
  for(artistShare: Iterable<[number, number]>, n: number, exclude: (t: number) => boolean): number[] {
    const out: number[] = [];
    const artists = [...artistShare].sort((a, b) => b[1] - a[1]);
    // Round-robin over the top artists so one prolific artist does not fill the list.
    const lists = artists.slice(0, 50).map(([a]) => this.byArtist.get(a) ?? []);
    const pos = lists.map(() => 0);
    let progress = true;
    while (out.length < n && progress) {
      progress = false;
      for (let i = 0; i < lists.length && out.length < n; i++) {
        const l = lists[i];
        while (pos[i] < l.length && exclude(l[pos[i]])) pos[i]++;
        if (pos[i] < l.length) {
          out.push(l[pos[i]++]);
          progress = true;
        }
      }
    }
    return out;
  }

  /**
   * What the person's own listening adds to the candidates (`n` of each at most, skipping
   * `exclude`): tracks by the artists they play lately, by the artists the community co-listens
   * with theirs, and the tracks they played.
   */
  ofListening(users: UserFeatures, u: number, n: number, exclude: (t: number) => boolean): number[] {
    return [...this.for(users.artistReplay[u], n, exclude), ...this.for(users.colisten[u], n, exclude), ...historyCandidates(users, u, n, exclude)];
  }
}

export function union(a: ArrayLike<number>, b: number[]): Int32Array {
  const seen = new Set<number>(Array.from(a));
  const out = Array.from(a);
  for (const x of b) if (!seen.has(x)) {
    seen.add(x);
    out.push(x);
  }
  return Int32Array.from(out);
}

/**
 * A third source: the tracks the person played, the most played and the most recently played
 * first (`n` of each at most), skipping `exclude` — what "play it again" is chosen from.
 */
export function historyCandidates(users: UserFeatures, u: number, n: number, exclude: (t: number) => boolean): number[] {
  const top = (m: Map<number, number> | undefined) =>
    [...(m ?? new Map<number, number>())].filter(([t]) => !exclude(t)).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n).map(([t]) => t);
  return [...new Set([...top(users.trackShare[u]), ...top(users.trackReplay[u]), ...top(users.trackRecent[u])])];
}
