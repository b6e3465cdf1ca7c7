/**
 * Fusion of the head's score with the person's own listening, one weight per output, chosen on
 * the validation period (the "validation-chosen fusion with neighbourhood scores" of the HetRec
 * work, on one person's signals):
 *  - "all" blends in how often they came back to the track, plays decayed over half a year
 *    (UserAggregate.trackReplay: what they keep replaying, not what they once played most);
 *  - "discover" blends in how often they played the track's artist lately (plays decayed over
 *    two months, UserAggregate.artistReplay), plus a small share of the community's co-listening
 *    score of that artist (COLISTEN_IN_PRIOR): the artists they play come first, co-listening
 *    orders the rest — and is the whole signal where none of the candidates is theirs (a public
 *    benchmark's held-out artists), since the blend standardises it.
 * Both scores are standardised over the candidates and mixed; the result is mapped back onto the
 * logit's own mean and spread, so a weight of 0 is exactly the network and probabilities stay
 * on the logit's scale.
 */
import type { FusionWeights, Output } from '../models/two-tower';
import type { UserFeatures } from '../data/features';

export type { FusionWeights };
export const NO_FUSION: FusionWeights = Object.freeze({ all: 0, discover: 0 }) as FusionWeights;

/** The blend where validation cannot choose (`model.head.fusion_fallback`). */
export interface FusionFallback {
  all: number;
  discover: number;
  /** The neighbourhood's weight where validation cannot judge it (none: it is chosen as usual). */
  neighbours?: number;
}

/**
 * Co-listening's weight beside the artists' replay shares in discovery's signal. At the same
 * weight (1, until the tenth session) it outweighed them — scores reach ~0.5 where a favourite's
 * share is ~0.1 — and ranked alone, with HetRec + MPD imported, that signal scored 0.051 against
 * 0.085 for the shares alone on the shared twenty (0.019 against 0.086 on the unseen five);
 * 0.01–0.03 matched the shares alone on both, on validation too (docs/EVALUATION.md).
 */
export const COLISTEN_IN_PRIOR = 0.03;

/**
 * The co-listening shares validation chooses from (with the blend's weights; ties and no evidence:
 * none). Imported community data is other people's, often older, listening: for the unseen five
 * alone with HetRec + MPD the 0.03 share cost discovery on two seeds of three (0.0610 / 0.0703 /
 * 0.1020 against 0.0743 / 0.0703 / 0.1139 without it), while on HetRec — its co-listening made of
 * the same people — it is half of the blend (docs/EVALUATION.md).
 */
export const COLISTEN_SHARES = [0, COLISTEN_IN_PRIOR] as const;

/** The co-listening share a blend uses (FusionWeights.colisten; models saved before it was chosen: COLISTEN_IN_PRIOR). */
export const colistenShareOf = (f: { colisten?: number }): number => f.colisten ?? COLISTEN_IN_PRIOR;

/**
 * The listening signal blended into `output`'s ranking, for person row `u` and candidate rows;
 * discovery's reads the community's co-listening at `colistenShare`.
 */
export function listeningPrior(users: UserFeatures, u: number, artistOf: ArrayLike<number>, cand: ArrayLike<number>, output: Output, colistenShare = COLISTEN_IN_PRIOR): Float32Array {
  const out = new Float32Array(cand.length);
  if (output === 'all') {
    const share = users.trackReplay[u];
    if (share) for (let i = 0; i < cand.length; i++) out[i] = share.get(cand[i]) ?? 0;
    return out;
  }
  const share = users.artistReplay[u];
  if (share) for (let i = 0; i < cand.length; i++) out[i] = share.get(artistOf[cand[i]]) ?? 0;
  const co = colistenShare ? colistenOver(users, u, artistOf, cand) : undefined;
  if (co) for (let i = 0; i < cand.length; i++) out[i] += colistenShare * co[i];
  return out;
}

/** The community's co-listening score of each candidate's artist, for person row `u`; undefined where it has none for them. */
export function colistenOver(users: UserFeatures, u: number, artistOf: ArrayLike<number>, cand: ArrayLike<number>): Float32Array | undefined {
  const co = users.colisten[u];
  if (!co) return undefined;
  const out = Float32Array.from(cand as ArrayLike<number>, (t) => co.get(artistOf[t]) ?? 0);
  return out.some((x) => x !== 0) ? out : undefined;
}

function moments(x: Float32Array): { mean: number; sd: number } {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length || 1;
  let s = 0;
  for (const v of x) s += (v - m) * (v - m);
  return { mean: m, sd: Math.sqrt(s / (x.length || 1)) };
}

/**
 * (1 − w)·z(logit) + w·z(prior), back on the logit's scale. A tiny share of the logit always
 * stays, so w = 1 still orders what the prior leaves tied by the network. `priorScale`: divide the
 * prior's deviations by this library-wide spread instead of its own over these candidates (the
 * neighbourhood score: see meanSpread).
 */
export function fuse(logits: Float32Array, prior: Float32Array, w: number, priorScale?: number): Float32Array {
  if (!(w > 0) || logits.length < 2) return logits;
  const l = moments(logits);
  const p = moments(prior);
  const ls = l.sd || 1;
  if (!(p.sd > 0)) return logits;
  const keep = Math.max(1 - w, 1e-3);
  const ps = priorScale && priorScale > 0 ? priorScale : p.sd;
  return Float32Array.from(logits, (x, i) => l.mean + ls * (keep * ((x - l.mean) / ls) + w * ((prior[i] - p.mean) / ps)));
}

/**
 * The mean spread of a score over each person's candidates: a library-wide scale for it. Where
 * validation prefers it, the neighbourhood score is standardised by it rather than by each
 * person's own spread — standardised alone, the faint co-plays of a person the library barely
 * shares anything with (a metal listener among pop listeners: 5 % of their tracks played by anyone
 * else) pushed their candidates as hard as the strong ones of a person whose every other track the
 * others play. On the unseen five together validation chose it and discovery rose from 0.0761 to
 * 0.0894 over five seeds; on the shared twenty (with community data too) it kept each person's own
 * (docs/EVALUATION.md, eighteenth session).
 */
export function meanSpread(rows: Iterable<Float32Array | undefined>): number | undefined {
  let sum = 0;
  let n = 0;
  for (const r of rows) {
    if (!r || r.length < 2) continue;
    sum += moments(r).sd;
    n++;
  }
  return n && sum > 0 ? sum / n : undefined;
}

/**
 * The weights (own listening `w`, neighbourhood `wn`, novelty `wv`; without a neighbourhood every
 * `wn` and `wv` is 0; co-listening share `wc`; content term `wt`) whose validation value is
 * highest; ties go to the smaller neighbourhood weight, then the smaller novelty weight, then the
 * smaller content weight, then the smaller co-listening share, then the smaller `w` (less trust in
 * the signals). When validation cannot tell them apart — none measured, or all alike (one person's
 * validation weeks often replay only what every blend ranks first) — `fallback`, with no novelty,
 * no content term and no co-listening.
 */
export interface WeightChoice {
  w: number;
  wn: number;
  wv?: number;
  /** The co-listening share (COLISTEN_SHARES). */
  wc?: number;
  /** The content term's weight (inference/content.ts). */
  wt?: number;
  value: number;
}

export function chooseWeights(values: WeightChoice[], fallback: { w: number; wn: number }): WeightChoice {
  if (!values.length) return { ...fallback, wv: 0, wc: 0, wt: 0, value: NaN };
  if (values.length > 1 && values.every((c) => Math.abs(c.value - values[0].value) <= 1e-12)) return { ...fallback, wv: 0, wc: 0, wt: 0, value: values[0].value };
  let best: WeightChoice = { w: 0, wn: 0, wv: 0, wc: 0, wt: 0, value: -Infinity };
  for (const c of [...values].sort((a, b) => a.wn - b.wn || (a.wv ?? 0) - (b.wv ?? 0) || (a.wt ?? 0) - (b.wt ?? 0) || (a.wc ?? 0) - (b.wc ?? 0) || a.w - b.w)) if (c.value > best.value + 1e-12) best = c;
  return best;
}
