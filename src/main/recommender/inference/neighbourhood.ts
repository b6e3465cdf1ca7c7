/**
 * The neighbourhood score discovery's blend adds when the library holds several people ("people
 * whose listening overlaps yours also play …"): EASE (Steck 2019) over the library's people's
 * positive plays — B = I − P·diag(1/diag P), P = (XᵀX + Λ)⁻¹, scores = x_u·B — with the
 * dropout-emphasis regulariser of EDLAE (Steck 2020, "Autoencoders that don't overfit towards the
 * identity"): Λ = λI + p/(1 − p)·diag(XᵀX), a track's penalty growing with its players, as if each
 * play were dropped with probability p while training; p = 0 is plain EASE. With few people the
 * item × item inverse comes from the Woodbury identity, P = Λ⁻¹ − Λ⁻¹Xᵀ(I + XΛ⁻¹Xᵀ)⁻¹XΛ⁻¹, so
 * only a people × people matrix is inverted (Cholesky). One person alone has no neighbours: the
 * score is then constant and the blend leaves the network as it is.
 *
 * X is 0/1 (played positively or not), or — a play-weighted setting — each positive's strength:
 * the log of its play time (Interactions.weight − 1) over the person's mean, so a person's rows
 * average 1 and λ keeps its scale. Validation chooses between the two with λ: on HetRec's play
 * counts the weighted one ranked seed 1's and seed 3's test artists better on its own (scratch
 * study: 0.2135 → 0.2180, 0.2064 → 0.2116) and in the blend (docs/EVALUATION.md).
 *
 * The towers compress the catalogue into a few dozen dimensions and lose the sharp pairs that
 * co-counting keeps; the HetRec work found the two disagree usefully, and EASE is the strongest
 * neighbourhood ranker on the real listeners together (docs/EVALUATION.md).
 */
import type { Interactions } from '../data/examples';
import { backendInfo, tf } from '../backend';
import { meanNdcg, type EvalTask } from '../evaluation/ranking';

/** Above this many people the people × people inverse is too slow for a desktop; the score is off. */
export const MAX_NEIGHBOURHOOD_PEOPLE = 3000;
/**
 * Up to this many people serving rebuilds the neighbourhood on every like or dislike (100 people
 * with ~1,700 positives each: 0.16 s on an idle host, `npm run bench:neighbourhood`; a household
 * of a few: milliseconds); above it, on new listening only (HetRec's 1,892 people take ~10 s, too
 * long to wait after each like).
 */
export const NEIGHBOURHOOD_FEEDBACK_PEOPLE = 100;

/** The regularisation: λ, and the dropout emphasis p (0: plain EASE); and whether X is play-weighted (absent: 0/1). */
export interface NeighbourhoodSetting {
  lambda: number;
  dropout?: number;
  weighted?: boolean;
}

/** λ tried when training chooses the neighbourhood's regularisation on validation. */
export const NEIGHBOURHOOD_LAMBDAS = [10, 50, 250, 1000] as const;

/**
 * Dropout emphasis tried beside each λ: none, plain EASE. Trying 0.5 too (validation chose it on
 * the shared twenty together and on HetRec) lowered test discovery on the shared twenty (0.1233 →
 * 0.1087) and on HetRec seed 1 (0.2162 → 0.2142) — docs/EVALUATION.md, twelfth session.
 */
export const NEIGHBOURHOOD_DROPOUTS = [0] as const;

/** Every setting training chooses from on validation: 0/1 and play-weighted X, each λ with each dropout emphasis. */
export const NEIGHBOURHOOD_SETTINGS: readonly NeighbourhoodSetting[] = [false, true].flatMap((weighted) =>
  NEIGHBOURHOOD_DROPOUTS.flatMap((dropout) => NEIGHBOURHOOD_LAMBDAS.map((lambda) => ({ lambda, dropout, weighted }))));

/**
 * The setting where validation cannot choose — no setting's neighbourhood finds any of its
 * discoveries on its own (a few people: the unseen five together, on every seed): play-weighted.
 * With a few people 0/1 co-plays tie whole groups of tracks (everything one other person played
 * once or fifty times scores the same), and the blend's other signals then order the group; play
 * counts order it by how much the others played each track. The unseen five together, discovery
 * NDCG@10 over ten seeds: 0.0975 → 0.1416, every seed higher (`l2`, whose discoveries sat in such a
 * group, 0.05 → 0.30); where validation can choose (the shared twenty, HetRec) nothing changes
 * (docs/EVALUATION.md, nineteenth session).
 */
export const NEIGHBOURHOOD_BLIND: NeighbourhoodSetting = Object.freeze({ lambda: NEIGHBOURHOOD_LAMBDAS[0], dropout: 0, weighted: true });

/** How many of the neighbourhood's best tracks join the head's candidates beside retrieval's. */
export const NEIGHBOURHOOD_CANDIDATES = 50;

/** A score for every catalogue row, for person row `u`. */
export interface Neighbourhood {
  readonly lambda: number;
  readonly dropout: number;
  readonly weighted: boolean;
  /** NDCG@10 on its own on the period it was chosen on (training: validation's discoveries); unset when not chosen. */
  validation?: number;
  scores(u: number): Float32Array;
  /** The same for several people at once (faster than one by one). */
  scoresMany(users: readonly number[]): Float32Array[];
  /** How many of the library's people played catalogue row `t` (positively): the novelty term reads it. */
  players(t: number): number;
}

/**
 * The novelty term of discovery's blend over candidate rows: −log(1 + players), so the fewer of
 * the library's people play a track, the higher. Every ranker in the blend leans to what many
 * play: on HetRec, with the first epoch's network, a weight of 0.2 chosen with the blend raised
 * test NDCG@10 on each of three seeds (scratch study, +0.003 to +0.006); trained in full it moved
 * HetRec's mean 0.2139 → 0.2171 (seed 1 down) and lowered discovery on the shared twenty together, so
 * `model.head.novelty_weights` is [0] (off) by default (docs/EVALUATION.md).
 */
export function noveltyOf(nb: Pick<Neighbourhood, 'players'>, cand: ArrayLike<number>): Float32Array {
  return Float32Array.from(cand as ArrayLike<number>, (t) => -Math.log1p(nb.players(t)));
}

/** Each person's distinct positively played rows in `inter` (ascending). */
export function positiveLists(inter: Interactions, people: number): number[][] {
  const sets = Array.from({ length: people }, () => new Set<number>());
  for (let i = 0; i < inter.user.length; i++) if (inter.label[i] === 1) sets[inter.user[i]].add(inter.item[i]);
  return sets.map((s) => [...s].sort((a, b) => a - b));
}

/** The neighbourhood's input: each person's distinct positive rows (ascending), and each one's play strength. */
export interface Positives {
  rows: number[][];
  /**
   * Parallel to `rows`: the log of the play time (Interactions.weight − 1, the largest where a row
   * appears twice) over the person's mean, so each person's strengths average 1.
   */
  strength: number[][];
}

/** positiveLists with each positive's play strength (what a play-weighted neighbourhood reads). */
export function positivesWithStrength(inter: Interactions, people: number): Positives {
  const maps = Array.from({ length: people }, () => new Map<number, number>());
  for (let i = 0; i < inter.user.length; i++) {
    if (inter.label[i] !== 1) continue;
    const m = maps[inter.user[i]];
    const w = Math.max(inter.weight[i] - 1, 0);
    m.set(inter.item[i], Math.max(m.get(inter.item[i]) ?? 0, w));
  }
  const rows = maps.map((m) => [...m.keys()].sort((a, b) => a - b));
  const strength = maps.map((m, u) => {
    const w = rows[u].map((t) => m.get(t)!);
    const mean = w.reduce((a, b) => a + b, 0) / (w.length || 1);
    return mean > 0 ? w.map((x) => x / mean) : w.map(() => 1);
  });
  return { rows, strength };
}

/**
 * Inverse of a symmetric positive definite n × n matrix (row-major), by Cholesky: A = LLᵀ,
 * A⁻¹ = L⁻ᵀL⁻¹. Throws if A is not positive definite.
 */
export function spdInverse(a: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('spdInverse: the matrix is not positive definite');
        L[ri + i] = Math.sqrt(s);
      } else L[ri + j] = s / L[rj + j];
    }
  }
  // M = L⁻¹ (lower triangular), row by row (forward substitution on whole rows, contiguous):
  // M[i][·] = (e_i − Σ_{k<i} L[i][k] M[k][·]) / L[i][i], where M[k][·] is zero beyond column k.
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k];
      if (!l) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) M[ri + j] -= l * M[rk + j];
    }
    const d = L[ri + i];
    for (let j = 0; j < i; j++) M[ri + j] /= d;
    M[ri + i] = 1 / d;
  }
  // A⁻¹ = Mᵀ M: (A⁻¹)[i][j] = Σ_{k ≥ max(i, j)} M[k][i] M[k][j] — dot products of Mᵀ's rows.
  const T = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let i = 0; i <= k; i++) T[i * n + k] = M[k * n + i];
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += T[ri + k] * T[rj + k];
      out[ri + j] = s;
      out[rj + i] = s;
    }
  }
  return out;
}

export class EaseNeighbourhood implements Neighbourhood {
  private readonly U: number;
  readonly lambda: number;
  readonly dropout: number;
  readonly weighted: boolean;
  validation?: number;
  /** (I + XΛ⁻¹Xᵀ)⁻¹, row-major, in single precision (what scoring multiplies by). */
  private readonly Kinv: Float32Array;
  /** 1/Λ and diag(P) per catalogue row. */
  private readonly invLam: Float64Array;
  private readonly diag: Float64Array;
  private readonly playersOf: Map<number, number[]>;
  /** X's entries, play-weighted only (0/1: null): per person parallel to `positives`, per catalogue row parallel to `playersOf`. */
  private readonly x: number[][] | null;
  private readonly xOf: Map<number, number[]> | null;
  private readonly positives: number[][];
  private readonly cache = new Map<number, Float32Array>();

  /**
   * `input`: each person row's distinct positive catalogue rows (with their play strengths for a
   * play-weighted setting: `positivesWithStrength()`). `remember`: how many people's score rows to keep
   * (evaluation asks for each person every epoch; serving keeps a few).
   */
  constructor(input: number[][] | Positives, private readonly nItems: number, setting: NeighbourhoodSetting, private readonly remember = Infinity) {
    const positives = (this.positives = Array.isArray(input) ? input : input.rows);
    const weighted = (this.weighted = !!setting.weighted);
    if (weighted && Array.isArray(input)) throw new Error('a play-weighted neighbourhood needs the positives with their strengths');
    const x = (this.x = weighted ? (input as Positives).strength : null);
    const U = (this.U = positives.length);
    if (U > MAX_NEIGHBOURHOOD_PEOPLE) throw new Error(`the neighbourhood score needs at most ${MAX_NEIGHBOURHOOD_PEOPLE} people`);
    const lambda = (this.lambda = setting.lambda);
    const p = (this.dropout = setting.dropout ?? 0);
    if (!(lambda > 0) || !(p >= 0 && p < 1)) throw new Error('the neighbourhood score needs λ > 0 and a dropout emphasis in [0, 1)');
    const playersOf = (this.playersOf = new Map<number, number[]>());
    const xOf = (this.xOf = x && new Map<number, number[]>());
    positives.forEach((l, u) => l.forEach((t, i) => {
      (playersOf.get(t) ?? playersOf.set(t, []).get(t)!).push(u);
      if (xOf) (xOf.get(t) ?? xOf.set(t, []).get(t)!).push(x![u][i]);
    }));
    // Λ_t = λ + p/(1 − p)·(XᵀX)_tt (0/1: the players of t); K = I + XΛ⁻¹Xᵀ: K[a][b] = Σ_t x_at x_bt / Λ_t.
    const invLam = (this.invLam = new Float64Array(nItems).fill(1 / lambda));
    const emphasis = p / (1 - p);
    for (const [t, ps] of playersOf) invLam[t] = 1 / (lambda + emphasis * (xOf ? xOf.get(t)!.reduce((s, v) => s + v * v, 0) : ps.length));
    // Row by row (each person's row stays in cache); 0/1 without the multiplications.
    const K = new Float64Array(U * U);
    for (let a = 0; a < U; a++) {
      const ra = a * U;
      const pa = positives[a];
      for (let i = 0; i < pa.length; i++) {
        const t = pa[i];
        const ps = playersOf.get(t)!;
        if (xOf) {
          const il = x![a][i] * invLam[t];
          const xs = xOf.get(t)!;
          for (let k = 0; k < ps.length; k++) K[ra + ps[k]] += il * xs[k];
        } else {
          const il = invLam[t];
          for (let k = 0; k < ps.length; k++) K[ra + ps[k]] += il;
        }
      }
    }
    for (let a = 0; a < U; a++) K[a * U + a] += 1;
    const Kinv = spdInverse(K, U);
    this.Kinv = Float32Array.from(Kinv);
    // diag(P)_t = (1 − x_tᵀ K⁻¹ x_t / Λ_t) / Λ_t, x_t = column t of X (who played t, how strongly).
    const q = new Float64Array(nItems);
    for (let a = 0; a < U; a++) {
      const ra = a * U;
      const pa = positives[a];
      for (let i = 0; i < pa.length; i++) {
        const t = pa[i];
        const ps = playersOf.get(t)!;
        let s = 0;
        if (xOf) {
          const xs = xOf.get(t)!;
          for (let k = 0; k < ps.length; k++) s += Kinv[ra + ps[k]] * xs[k];
          q[t] += x![a][i] * s;
        } else {
          for (let k = 0; k < ps.length; k++) s += Kinv[ra + ps[k]];
          q[t] += s;
        }
      }
    }
    const diag = (this.diag = Float64Array.from(invLam));
    for (const t of playersOf.keys()) diag[t] = (1 - q[t] * invLam[t]) * invLam[t];
  }

  players(t: number): number {
    return this.playersOf.get(t)?.length ?? 0;
  }

  /** x_u·B for every catalogue row (remembered: the same person is asked again every epoch; read-only, copy to change). */
  scores(u: number): Float32Array {
    return this.scoresMany([u])[0];
  }

  /** scores() for several people, 64 at a time: their w = yK⁻¹ is one matrix product. */
  scoresMany(users: readonly number[]): Float32Array[] {
    const { U, Kinv, positives, invLam, x, xOf } = this;
    const xAt = (u: number, i: number) => (x ? x[u][i] : 1);
    const todo = [...new Set(users.filter((u) => !this.cache.has(u)))];
    const made = new Map<number, Float32Array>();
    for (let s0 = 0; s0 < todo.length; s0 += 64) {
      const batch = todo.slice(s0, s0 + 64);
      // (x_u P)_t = (x_ut − (x_u Λ⁻¹Xᵀ K⁻¹ X)_t)/Λ_t ; score_t = x_ut − (x_u P)_t / P_tt.
      const ys = batch.map((u) => {
        const y = new Float64Array(U);
        const pu = positives[u];
        for (let i = 0; i < pu.length; i++) {
          const t = pu[i];
          const ps = this.playersOf.get(t)!;
          if (xOf) {
            const il = x![u][i] * invLam[t];
            const xs = xOf.get(t)!;
            for (let k = 0; k < ps.length; k++) y[ps[k]] += il * xs[k];
          } else {
            const il = invLam[t];
            for (let k = 0; k < ps.length; k++) y[ps[k]] += il;
          }
        }
        return y;
      });
      // w = y K⁻¹ for the whole batch: one matrix product on the compute backend once one is
      // started (3–15 × faster on wasm than this loop for 1,892 people: bench:neighbourhood), else
      // row by row here.
      let ws: ArrayLike<number>[];
      if (backendInfo()) {
        const Y = new Float32Array(batch.length * U);
        ys.forEach((y, j) => Y.set(y, j * U));
        const W = tf.tidy(() => tf.matMul(tf.tensor2d(Y, [batch.length, U]), tf.tensor2d(Kinv, [U, U])).dataSync() as Float32Array);
        ws = batch.map((_, j) => W.subarray(j * U, (j + 1) * U));
      } else {
        const acc = batch.map(() => new Float64Array(U));
        for (let a = 0; a < U; a++) {
          const ra = a * U;
          ys.forEach((y, j) => {
            const x = y[a];
            if (!x) return;
            const w = acc[j];
            for (let b = 0; b < U; b++) w[b] += x * Kinv[ra + b];
          });
        }
        ws = acc;
      }
      batch.forEach((u, j) => {
        const w = ws[j];
        // s = x_u − (x_u P)/diag(P), over the tracks anyone played (the rest score 0).
        const xP = new Float64Array(this.nItems);
        positives[u].forEach((t, i) => (xP[t] = xAt(u, i)));
        for (let v = 0; v < U; v++) {
          const wv = w[v];
          if (!wv) continue;
          const pv = positives[v];
          if (x) for (let i = 0; i < pv.length; i++) xP[pv[i]] -= wv * x[v][i];
          else for (let i = 0; i < pv.length; i++) xP[pv[i]] -= wv;
        }
        const s = new Float32Array(this.nItems);
        const { diag } = this;
        for (const t of this.playersOf.keys()) s[t] = -(xP[t] * invLam[t]) / diag[t];
        positives[u].forEach((t, i) => (s[t] += xAt(u, i)));
        made.set(u, s);
      });
    }
    const out = users.map((u) => this.cache.get(u) ?? made.get(u)!);
    for (const [u, s] of made) {
      if (this.cache.size >= this.remember) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(u, s);
    }
    return out;
  }
}

/**
 * The setting among `settings` whose neighbourhood ranks `task` best on its own (NDCG@10, ties to
 * the earlier setting), with that neighbourhood and its score; the first setting, unbuilt, when the
 * task has nobody to rank. Where none finds anything (every score 0) and `blind` is given, `blind`
 * (NEIGHBOURHOOD_BLIND) rather than the first.
 */
export function chooseSetting(positives: Positives, nItems: number, task: EvalTask, settings: readonly NeighbourhoodSetting[], blind?: NeighbourhoodSetting): { setting: NeighbourhoodSetting; nb: EaseNeighbourhood | null; v: number } {
  if (!task.users.length) return { setting: settings[0], nb: null, v: 0 };
  let best: { setting: NeighbourhoodSetting; nb: EaseNeighbourhood; v: number } | null = null;
  // The blind setting is one of `settings` (NEIGHBOURHOOD_SETTINGS): its neighbourhood, once built, is kept for the case it serves.
  const same = (a: NeighbourhoodSetting, b: NeighbourhoodSetting) => a.lambda === b.lambda && (a.dropout ?? 0) === (b.dropout ?? 0) && !!a.weighted === !!b.weighted;
  let blindNb: EaseNeighbourhood | undefined;
  for (const setting of settings) {
    const nb = new EaseNeighbourhood(positives, nItems, setting);
    if (blind && same(setting, blind)) blindNb = nb;
    const v = meanNdcg({ name: 'ease', score: (users) => nb.scoresMany(users).map((s) => s.slice()) }, task, 10);
    if (!best || v > best.v + 1e-12) best = { setting, nb, v };
  }
  if (blind && !(best!.v > 0)) best = { setting: blind, nb: blindNb ?? new EaseNeighbourhood(positives, nItems, blind), v: 0 };
  best!.nb.validation = best!.v;
  return best!;
}
