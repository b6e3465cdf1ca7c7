/**
 * Training examples from listening: positives from plays (weighted by how much was played),
 * skipped short plays as weak negatives, and negatives sampled from the catalogue with a
 * popularity correction — or batches of positives for in-batch sampled softmax.
 */
import type { LoadedData } from './dataset';
import { Rng, Sampler } from '../../util/random';

export interface Interactions {
  user: Int32Array;
  item: Int32Array;
  label: Float32Array;
  weight: Float32Array;
  /** user → set of items they played (any play) in the selected events. */
  seen: Set<number>[];
  /** Plays per catalogue row in the selected events (for popularity). */
  itemCounts: Float64Array;
  /** Per example (listening states): 1 when the positive is a track its state had never played. */
  isNew?: Uint8Array;
}

export function buildInteractions(
  data: LoadedData,
  include: (i: number) => boolean,
  opts: { skipThresholdMs: number; minPositiveMs: number },
): Interactions {
  const { events, profiles, catalog } = data;
  const nItems = catalog.trackId.length;
  const pos = new Map<number, number>(); // key user*nItems+item → minutes of positive plays
  const neg = new Map<number, number>(); // skipped plays
  const seen: Set<number>[] = profiles.map(() => new Set());
  const itemCounts = new Float64Array(nItems);
  for (let i = 0; i < events.length; i++) {
    if (!include(i)) continue;
    const t = events.track[i];
    if (t < 0) continue;
    const u = events.profile[i];
    seen[u].add(t);
    itemCounts[t]++;
    const ms = events.msPlayed[i];
    const key = u * nItems + t;
    const skipped = events.skipped[i] === 1 ? Number.isFinite(ms) ? ms < opts.skipThresholdMs : true : false;
    const positive = !skipped && (!Number.isFinite(ms) || ms >= opts.minPositiveMs);
    if (positive) pos.set(key, (pos.get(key) ?? 0) + (Number.isFinite(ms) ? ms / 60000 : 3.5));
    else neg.set(key, (neg.get(key) ?? 0) + 1);
  }
  const keys = [...pos.keys()];
  const weak = [...neg.keys()].filter((k) => !pos.has(k));
  const n = keys.length + weak.length;
  const out: Interactions = {
    user: new Int32Array(n), item: new Int32Array(n), label: new Float32Array(n), weight: new Float32Array(n), seen, itemCounts,
  };
  keys.sort((a, b) => a - b).forEach((k, j) => {
    out.user[j] = Math.floor(k / nItems);
    out.item[j] = k % nItems;
    out.label[j] = 1;
    // Weighted by play time, sub-linearly: one full play ≈ 1.6, ten ≈ 3.4.
    out.weight[j] = 1 + Math.log1p(pos.get(k)! / 4);
  });
  weak.sort((a, b) => a - b).forEach((k, j) => {
    const r = keys.length + j;
    out.user[r] = Math.floor(k / nItems);
    out.item[r] = k % nItems;
    out.label[r] = 0;
    out.weight[r] = 0.5;
  });
  return out;
}

/**
 * What people told the app (like / dislike in the recommendations) enters training as explicit
 * positives and negatives, overriding what their listening implied.
 */
export function withFeedback(inter: Interactions, feedback: { user: number; item: number; like: boolean }[]): Interactions {
  if (!feedback.length) return inter;
  const index = new Map<string, number>();
  for (let i = 0; i < inter.user.length; i++) index.set(`${inter.user[i]}:${inter.item[i]}`, i);
  const extra: { user: number; item: number; label: number; weight: number }[] = [];
  const label = Float32Array.from(inter.label);
  const weight = Float32Array.from(inter.weight);
  for (const f of feedback) {
    const i = index.get(`${f.user}:${f.item}`);
    if (i !== undefined) {
      label[i] = f.like ? 1 : 0;
      weight[i] = 2;
    } else {
      extra.push({ user: f.user, item: f.item, label: f.like ? 1 : 0, weight: 2 });
      index.set(`${f.user}:${f.item}`, inter.user.length + extra.length - 1);
    }
  }
  const cat = <T extends Int32Array | Float32Array>(a: T, b: number[], make: (n: number) => T): T => {
    const out = make(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    ...inter,
    user: cat(inter.user, extra.map((e) => e.user), (n) => new Int32Array(n)),
    item: cat(inter.item, extra.map((e) => e.item), (n) => new Int32Array(n)),
    label: cat(label, extra.map((e) => e.label), (n) => new Float32Array(n)),
    weight: cat(weight, extra.map((e) => e.weight), (n) => new Float32Array(n)),
  };
}

/** Negatives drawn ∝ (plays + 1)^alpha (alpha = 0: uniform); returns the sampler and log q. */
export function negativeSampler(itemCounts: Float64Array, strategy: 'uniform' | 'popularity', alpha: number) {
  const a = strategy === 'uniform' ? 0 : alpha;
  const w = Array.from(itemCounts, (c) => Math.pow(c + 1, a));
  const sampler = new Sampler(w);
  const total = sampler.total;
  const logQ = new Float32Array(w.map((x) => Math.log(x / total)));
  return { sampler, logQ };
}

export interface EpochExamples {
  user: Int32Array;
  item: Int32Array;
  label: Float32Array;
  weight: Float32Array;
  /** Weights for the head's "discover" output: discoveries weighted up, "other tracks by your artists" negatives left out. */
  discoverWeight: Float32Array;
  /**
   * When laid out in groups (`epochExamples(…, grouped)`): 1 on each positive row that its
   * `groupSize` − 1 sampled negatives directly follow (a listwise loss reads them as one list).
   */
  groupStart?: Uint8Array;
  groupSize?: number;
}

/**
 * Where a share of the negatives comes from besides the catalogue: for each example row, the tracks
 * it had played before (played before but not now) and tracks by the artists it plays.
 */
export interface HardNegatives {
  historyTracks: Int32Array[];
  historyArtists: Int32Array[];
  tracksByArtist: Map<number, Int32Array>;
  historyFraction: number;
  artistFraction: number;
}

/**
 * One epoch of BCE examples: the interactions (at most `maxPositives` positives, drawn afresh each
 * epoch, and the same share of the weak negatives) plus `perPositive` fresh negatives each, shuffled.
 */
export function epochExamples(
  inter: Interactions, sampler: Sampler, perPositive: number, rng: Rng, hard?: HardNegatives, maxPositives = 0, newTrackWeight = 1, grouped = false,
): EpochExamples {
  let keep: Int32Array;
  const positives: number[] = [];
  for (let i = 0; i < inter.label.length; i++) if (inter.label[i] === 1) positives.push(i);
  if (maxPositives > 0 && positives.length > maxPositives) {
    // A fresh uniform draw of the positives (partial Fisher–Yates), and the same share of the weak negatives.
    for (let i = 0; i < maxPositives; i++) {
      const j = i + rng.int(positives.length - i);
      const t = positives[i]; positives[i] = positives[j]; positives[j] = t;
    }
    const chosen = positives.slice(0, maxPositives);
    const idx: number[] = chosen;
    for (let i = 0; i < inter.label.length; i++) if (inter.label[i] !== 1 && rng.next() < maxPositives / positives.length) idx.push(i);
    keep = Int32Array.from(idx).sort();
  } else keep = Int32Array.from({ length: inter.label.length }, (_, i) => i);
  let nPos = 0;
  for (const i of keep) if (inter.label[i] === 1) nPos++;
  const n = keep.length + nPos * perPositive;
  const ex: EpochExamples = {
    user: new Int32Array(n), item: new Int32Array(n), label: new Float32Array(n), weight: new Float32Array(n), discoverWeight: new Float32Array(n),
  };
  keep.forEach((i, r) => {
    ex.user[r] = inter.user[i];
    ex.item[r] = inter.item[i];
    ex.label[r] = inter.label[i];
    ex.weight[r] = inter.weight[i];
    ex.discoverWeight[r] = inter.weight[i] * (inter.label[i] === 1 && inter.isNew?.[i] ? newTrackWeight : 1);
  });
  let r = keep.length;
  for (const i of keep) {
    if (inter.label[i] !== 1) continue;
    const u = inter.user[i];
    const seen = inter.seen[u];
    for (let k = 0; k < perPositive; k++) {
      let t = -1;
      let fromArtist = false;
      if (hard) {
        const x = rng.next();
        if (x < hard.historyFraction) {
          const h = hard.historyTracks[u];
          for (let tries = 0; tries < 3 && h?.length && (t < 0 || seen.has(t)); tries++) t = h[rng.int(h.length)];
        } else if (x < hard.historyFraction + hard.artistFraction) {
          const a = hard.historyArtists[u];
          for (let tries = 0; tries < 3 && a?.length && (t < 0 || seen.has(t)); tries++) {
            const list = hard.tracksByArtist.get(a[rng.int(a.length)]);
            if (list?.length) t = list[rng.int(list.length)];
          }
          fromArtist = t >= 0;
        }
        if (t >= 0 && seen.has(t)) t = -1;
        if (t < 0) fromArtist = false;
      }
      if (t < 0) {
        t = sampler.draw(rng);
        for (let tries = 0; tries < 3 && seen.has(t); tries++) t = sampler.draw(rng);
      }
      ex.user[r] = u;
      ex.item[r] = t;
      ex.label[r] = 0;
      ex.weight[r] = 1;
      ex.discoverWeight[r] = fromArtist ? 0 : 1;
      r++;
    }
  }
  if (grouped) return groupedLayout(ex, keep.length, perPositive, rng);
  shuffleTogether(ex, rng);
  return ex;
}

/**
 * The rows in shuffled units — each positive with its sampled negatives right after it, each weak
 * negative alone — so a listwise loss can read a positive and its negatives as one list.
 * `ex` holds the interaction rows first (`nInter`), then each positive's negatives in order.
 */
function groupedLayout(ex: EpochExamples, nInter: number, perPositive: number, rng: Rng): EpochExamples {
  const start: number[] = [];
  const negStart: number[] = [];
  let next = nInter;
  for (let i = 0; i < nInter; i++) {
    start.push(i);
    negStart.push(ex.label[i] === 1 ? next : -1);
    if (ex.label[i] === 1) next += perPositive;
  }
  for (let i = start.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [start[i], start[j]] = [start[j], start[i]];
    [negStart[i], negStart[j]] = [negStart[j], negStart[i]];
  }
  const n = ex.user.length;
  const out: EpochExamples = {
    user: new Int32Array(n), item: new Int32Array(n), label: new Float32Array(n), weight: new Float32Array(n), discoverWeight: new Float32Array(n),
    groupStart: new Uint8Array(n), groupSize: perPositive + 1,
  };
  let r = 0;
  const copy = (from: number) => {
    out.user[r] = ex.user[from];
    out.item[r] = ex.item[from];
    out.label[r] = ex.label[from];
    out.weight[r] = ex.weight[from];
    out.discoverWeight[r] = ex.discoverWeight[from];
    r++;
  };
  start.forEach((i, u) => {
    if (negStart[u] >= 0 && perPositive > 0) out.groupStart![r] = 1;
    copy(i);
    if (negStart[u] >= 0) for (let k = 0; k < perPositive; k++) copy(negStart[u] + k);
  });
  return out;
}

/** Positives only, shuffled: for in-batch sampled softmax. */
export function positiveExamples(inter: Interactions, rng: Rng): EpochExamples {
  const idx: number[] = [];
  for (let i = 0; i < inter.label.length; i++) if (inter.label[i] === 1) idx.push(i);
  const ex: EpochExamples = {
    user: Int32Array.from(idx, (i) => inter.user[i]),
    item: Int32Array.from(idx, (i) => inter.item[i]),
    label: new Float32Array(idx.length).fill(1),
    weight: Float32Array.from(idx, (i) => inter.weight[i]),
    discoverWeight: Float32Array.from(idx, (i) => inter.weight[i]),
  };
  shuffleTogether(ex, rng);
  return ex;
}

function shuffleTogether(ex: EpochExamples, rng: Rng): void {
  for (let i = ex.user.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    let t = ex.user[i]; ex.user[i] = ex.user[j]; ex.user[j] = t;
    t = ex.item[i]; ex.item[i] = ex.item[j]; ex.item[j] = t;
    let f = ex.label[i]; ex.label[i] = ex.label[j]; ex.label[j] = f;
    f = ex.weight[i]; ex.weight[i] = ex.weight[j]; ex.weight[j] = f;
    f = ex.discoverWeight[i]; ex.discoverWeight[i] = ex.discoverWeight[j]; ex.discoverWeight[j] = f;
  }
}
