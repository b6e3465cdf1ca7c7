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
 * The towers compress the catalogue into a few dozen dimensions and lose the sharp pairs that
 * co-counting keeps; the HetRec work found the two disagree usefully, and EASE is the strongest
 * neighbourhood ranker on the real listeners together (docs/EVALUATION.md).
 */
import type { Interactions } from '../data/examples';
import { meanNdcg, type EvalTask } from '../evaluation/ranking';

/** Above this many people the people × people inverse is too slow for a desktop; the score is off. */
export const MAX_NEIGHBOURHOOD_PEOPLE = 3000;

/** The regularisation: λ, and the dropout emphasis p (0: plain EASE). */
export interface NeighbourhoodSetting {
  lambda: number;
  dropout?: number;
}

/** λ tried when training chooses the neighbourhood's regularisation on validation. */
export const NEIGHBOURHOOD_LAMBDAS = [10, 50, 250, 1000] as const;

/** Dropout emphasis tried beside each λ (docs/EVALUATION.md, twelfth session). */
export const NEIGHBOURHOOD_DROPOUTS = [0, 0.5] as const;

/** Every setting training chooses from on validation: each λ with each dropout emphasis. */
export const NEIGHBOURHOOD_SETTINGS: readonly NeighbourhoodSetting[] = NEIGHBOURHOOD_DROPOUTS.flatMap((dropout) => NEIGHBOURHOOD_LAMBDAS.map((lambda) => ({ lambda, dropout })));

/** How many of the neighbourhood's best tracks join the head's candidates beside retrieval's. */
export const NEIGHBOURHOOD_CANDIDATES = 50;

/** A score for every catalogue row, for person row `u`. */
export interface Neighbourhood {
  readonly lambda: number;
  readonly dropout: number;
  scores(u: number): Float32Array;
}

/** Each person's distinct positively played rows in `inter`. */
export function positiveLists(inter: Interactions, people: number): number[][] {
  const sets = Array.from({ length: people }, () => new Set<number>());
  for (let i = 0; i < inter.user.length; i++) if (inter.label[i] === 1) sets[inter.user[i]].add(inter.item[i]);
  return sets.map((s) => [...s].sort((a, b) => a - b));
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
  // M = L⁻¹ (lower triangular), row by row: M[i][j] = (δij − Σ_{k=j}^{i−1} L[i][k] M[k][j]) / L[i][i].
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const d = L[ri + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[ri + k] * M[k * n + j];
      M[ri + j] = s / d;
    }
    M[ri + i] = 1 / d;
  }
  // A⁻¹ = Mᵀ M: (A⁻¹)[i][j] = Σ_{k ≥ max(i, j)} M[k][i] M[k][j].
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const mi = M[rk + i];
      if (!mi) continue;
      const ro = i * n;
      for (let j = 0; j <= i; j++) out[ro + j] += mi * M[rk + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j];
  return out;
}

export class EaseNeighbourhood implements Neighbourhood {
  private readonly U: number;
  readonly lambda: number;
  readonly dropout: number;
  /** (I + XΛ⁻¹Xᵀ)⁻¹, row-major. */
  private readonly Kinv: Float64Array;
  /** 1/Λ and diag(P) per catalogue row. */
  private readonly invLam: Float64Array;
  private readonly diag: Float64Array;
  private readonly playersOf: Map<number, number[]>;
  private readonly cache = new Map<number, Float32Array>();

  /**
   * `positives[u]`: person row u's distinct positively played catalogue rows. `remember`: how many
   * people's score rows to keep (evaluation asks for each person every epoch; serving keeps a few).
   */
  constructor(private readonly positives: number[][], private readonly nItems: number, setting: NeighbourhoodSetting, private readonly remember = Infinity) {
    const U = (this.U = positives.length);
    if (U > MAX_NEIGHBOURHOOD_PEOPLE) throw new Error(`the neighbourhood score needs at most ${MAX_NEIGHBOURHOOD_PEOPLE} people`);
    const lambda = (this.lambda = setting.lambda);
    const p = (this.dropout = setting.dropout ?? 0);
    if (!(lambda > 0) || !(p >= 0 && p < 1)) throw new Error('the neighbourhood score needs λ > 0 and a dropout emphasis in [0, 1)');
    const playersOf = (this.playersOf = new Map<number, number[]>());
    positives.forEach((l, u) => l.forEach((t) => (playersOf.get(t) ?? playersOf.set(t, []).get(t)!).push(u)));
    // Λ_t = λ + p/(1 − p)·(players of t); K = I + XΛ⁻¹Xᵀ: K[a][b] = Σ over tracks both played of 1/Λ_t.
    const invLam = (this.invLam = new Float64Array(nItems).fill(1 / lambda));
    const emphasis = p / (1 - p);
    for (const [t, ps] of playersOf) invLam[t] = 1 / (lambda + emphasis * ps.length);
    const K = new Float64Array(U * U);
    for (const [t, ps] of playersOf) {
      const il = invLam[t];
      for (const a of ps) for (const b of ps) K[a * U + b] += il;
    }
    for (let a = 0; a < U; a++) K[a * U + a] += 1;
    const Kinv = (this.Kinv = spdInverse(K, U));
    // diag(P)_t = (1 − x_tᵀ K⁻¹ x_t / Λ_t) / Λ_t, x_t = the people who played t.
    const diag = (this.diag = Float64Array.from(invLam));
    for (const [t, ps] of playersOf) {
      let q = 0;
      for (const a of ps) for (const b of ps) q += Kinv[a * U + b];
      const il = invLam[t];
      diag[t] = (1 - q * il) * il;
    }
  }

  /** x_u·B for every catalogue row (remembered: the same person is asked again every epoch; read-only, copy to change). */
  scores(u: number): Float32Array {
    const hit = this.cache.get(u);
    if (hit) return hit;
    const { U, Kinv, positives, invLam } = this;
    // (x_u P)_t = (x_ut − (x_u Λ⁻¹Xᵀ K⁻¹ X)_t)/Λ_t ; score_t = x_ut − (x_u P)_t / P_tt.
    const y = new Float64Array(U);
    for (const t of positives[u]) {
      const il = invLam[t];
      for (const v of this.playersOf.get(t)!) y[v] += il;
    }
    const w = new Float64Array(U);
    for (let a = 0; a < U; a++) {
      const x = y[a];
      if (!x) continue;
      const ra = a * U;
      for (let b = 0; b < U; b++) w[b] += x * Kinv[ra + b];
    }
    const xP = new Float64Array(this.nItems);
    const own = new Set(positives[u]);
    for (const t of own) xP[t] += 1;
    for (let v = 0; v < U; v++) if (w[v]) for (const t of positives[v]) xP[t] -= w[v];
    const s = new Float32Array(this.nItems);
    for (let t = 0; t < this.nItems; t++) s[t] = (own.has(t) ? 1 : 0) - (xP[t] * invLam[t]) / this.diag[t];
    if (this.cache.size >= this.remember) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(u, s);
    return s;
  }
}

/**
 * The setting among `settings` whose neighbourhood ranks `task` best on its own (NDCG@10, ties to
 * the earlier setting), with that neighbourhood and its score; the first setting, unbuilt, when the
 * task has nobody to rank.
 */
export function chooseSetting(positives: number[][], nItems: number, task: EvalTask, settings: readonly NeighbourhoodSetting[]): { setting: NeighbourhoodSetting; nb: EaseNeighbourhood | null; v: number } {
  if (!task.users.length) return { setting: settings[0], nb: null, v: 0 };
  let best: { setting: NeighbourhoodSetting; nb: EaseNeighbourhood; v: number } | null = null;
  for (const setting of settings) {
    const nb = new EaseNeighbourhood(positives, nItems, setting);
    const v = meanNdcg({ name: 'ease', score: (users) => users.map((u) => nb.scores(u).slice()) }, task, 10);
    if (!best || v > best.v + 1e-12) best = { setting, nb, v };
  }
  return best!;
}
