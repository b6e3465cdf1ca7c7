/**
 * Evaluation through one code path for the model and every baseline: a ranker scores the whole
 * catalogue for each person, what they already played is excluded, and the plan's metrics are
 * computed against what they played in the held-out period.
 */
import { Rng } from '../../util/random';
import {
  apAtK, auc as aucOf, bootstrapCI, classification, hitAtK, intraListDiversity, ndcgAtK, precisionAtK, recallAtK, reciprocalRank,
  serendipityAtK,
} from './metrics';

export interface Ranker {
  name: string;
  /**
   * Scores of every catalogue item for each of `users` (higher is better), one array per user.
   * `exclude` lists what will be left out, so a two-stage ranker can re-rank the rest.
   */
  score(users: number[], exclude: Set<number>[]): Float32Array[];
  /** Calibrated probabilities of relevance for (user, items), when the ranker has them. */
  probabilities?(user: number, items: Int32Array): Float32Array;
}

export interface EvalTask {
  /** People evaluated (indexes into the profile list). */
  users: number[];
  /** For each evaluated person: the relevant items. */
  relevant: Set<number>[];
  /** For each evaluated person: items excluded from the ranking (already played). */
  exclude: Set<number>[];
  /** For each evaluated person: items a primitive baseline would have shown (for serendipity). */
  expected: ((item: number) => boolean)[];
  /** Catalogue size, and per item its genre and artist (for diversity). */
  nItems: number;
  itemGenre: ArrayLike<number>;
  itemArtist: ArrayLike<number>;
  /** Per item: the row standing for the same recording; only items that stand for themselves are ranked. */
  canonical?: Int32Array;
  /** For each evaluated person: the genres making up 80 % of their listening before the period (genre_match). */
  tasteGenres?: Set<number>[];
}

export interface EvalOptions {
  ks: number[];
  threshold: number;
  bootstrap?: { samples: number; confidence: number };
  seed?: number;
}

export interface EvalResult {
  ranker: string;
  users: number;
  metrics: Record<string, number>;
  ci: Record<string, { lo: number; hi: number }>;
  perUser: Record<string, number[]>;
  /** Top-max(k) lists, for coverage and inspection. */
  lists: Int32Array[];
}

/**
 * The `n` best items, best first. Ties are broken by `tieKey` (lower first; default: the item's
 * index) — evaluation passes a seeded permutation so that a ranker with many equal scores is not
 * helped or hurt by the catalogue's row order.
 */
function topN(scores: Float32Array, n: number, tieKey?: Uint32Array): Int32Array {
  // Partial selection with a binary heap whose root is the worst kept item (lowest score, then highest key).
  const key = (i: number) => (tieKey ? tieKey[i] : i);
  const heapIdx = new Int32Array(n);
  const heapVal = new Float32Array(n);
  let size = 0;
  const worse = (a: number, b: number) => heapVal[a] < heapVal[b] || (heapVal[a] === heapVal[b] && key(heapIdx[a]) > key(heapIdx[b]));
  const swap = (a: number, b: number) => {
    [heapVal[a], heapVal[b]] = [heapVal[b], heapVal[a]];
    [heapIdx[a], heapIdx[b]] = [heapIdx[b], heapIdx[a]];
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (v === -Infinity || Number.isNaN(v)) continue;
    if (size < n) {
      let j = size++;
      heapVal[j] = v;
      heapIdx[j] = i;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!worse(j, p)) break;
        swap(p, j);
        j = p;
      }
    } else if (v > heapVal[0] || (v === heapVal[0] && key(i) < key(heapIdx[0]))) {
      heapVal[0] = v;
      heapIdx[0] = i;
      siftDown(0);
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => heapVal[b] - heapVal[a] || key(heapIdx[a]) - key(heapIdx[b]));
  return Int32Array.from(order, (i) => heapIdx[i]);
}

/** The rows that are another copy of a recording (`canonical[t] !== t`): never ranked. */
export function copiesOf(canonical: Int32Array): Int32Array {
  const out: number[] = [];
  canonical.forEach((c, t) => c !== t && out.push(t));
  return Int32Array.from(out);
}

/** A seeded permutation rank per item, for breaking ties without favouring the catalogue's order. */
export function tieKeys(n: number, seed: number): Uint32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed ^ 0x5bd1e995);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  const key = new Uint32Array(n);
  perm.forEach((item, rank) => (key[item] = rank));
  return key;
}
export { topN };

/**
 * Mean NDCG@k alone, exactly as evaluateRanker computes it (same exclusions, same tie-breaking),
 * without the full-ranking metrics: what choosing among settings on validation needs.
 */
export function meanNdcg(ranker: Ranker, task: EvalTask, k: number, seed = 1): number {
  let sum = 0;
  overUsers(ranker, task, k, seed, (top, rel) => (sum += ndcgAtK(top, rel, k)));
  return task.users.length ? sum / task.users.length : 0;
}

/** How many relevant items the ranker puts in each person's top `k` (the same masking and ties as meanNdcg), per person. */
export function hitsAtK(ranker: Ranker, task: EvalTask, k: number, seed = 1): number[] {
  const out: number[] = [];
  overUsers(ranker, task, k, seed, (top, rel) => {
    let n = 0;
    for (const t of top) if (rel.has(t)) n++;
    out.push(n);
  });
  return out;
}

/** Calls `f` with each of the task's people's top `k` and relevant items, in order, ranked as evaluation ranks. */
function overUsers(ranker: Ranker, task: EvalTask, k: number, seed: number, f: (top: Int32Array, relevant: Set<number>) => void): void {
  const ties = tieKeys(task.nItems, seed);
  const copies = task.canonical ? copiesOf(task.canonical) : new Int32Array(0);
  for (let s = 0; s < task.users.length; s += 64) {
    const scores = ranker.score(task.users.slice(s, s + 64), task.exclude.slice(s, s + 64));
    scores.forEach((sc, j) => {
      for (const x of task.exclude[s + j]) sc[x] = -Infinity;
      for (const t of copies) sc[t] = -Infinity;
      f(topN(sc, k, ties), task.relevant[s + j]);
    });
  }
}

export function evaluateRanker(ranker: Ranker, task: EvalTask, opts: EvalOptions): EvalResult {
  const maxK = Math.max(...opts.ks);
  const per: Record<string, number[]> = {};
  const push = (name: string, v: number) => (per[name] ??= []).push(v);
  const lists: Int32Array[] = [];
  const rng = new Rng(opts.seed ?? 1);
  const ties = tieKeys(task.nItems, opts.seed ?? 1);
  const copies = task.canonical ? copiesOf(task.canonical) : new Int32Array(0);
  const probs: number[] = [];
  const labels: number[] = [];
  const chunk = 64;
  for (let s = 0; s < task.users.length; s += chunk) {
    const users = task.users.slice(s, s + chunk);
    const scores = ranker.score(users, task.exclude.slice(s, s + chunk));
    users.forEach((_, j) => {
      const ui = s + j;
      const sc = scores[j];
      const rel = task.relevant[ui];
      for (const x of task.exclude[ui]) sc[x] = -Infinity;
      for (const t of copies) sc[t] = -Infinity;
      const top = topN(sc, maxK, ties);
      lists.push(top);
      for (const k of opts.ks) {
        push(`ndcg@${k}`, ndcgAtK(top, rel, k));
        push(`map@${k}`, apAtK(top, rel, k));
        push(`hit_rate@${k}`, hitAtK(top, rel, k));
        push(`precision@${k}`, precisionAtK(top, rel, k));
        push(`recall@${k}`, recallAtK(top, rel, k));
        push(`mrr@${k}`, reciprocalRank(top, rel, k));
        push(`serendipity@${k}`, serendipityAtK(top, rel, task.expected[ui], k));
      }
      const k10 = Math.min(10, maxK);
      const taste = task.tasteGenres?.[ui];
      if (taste?.size) {
        // Face validity: the share of the top 10 in the genres that make up most of the person's listening.
        let match = 0;
        const shown = top.subarray(0, k10);
        for (const t of shown) if (taste.has(task.itemGenre[t])) match++;
        push(`genre_match@${k10}`, shown.length ? match / shown.length : 0);
      }
      push(`diversity@${k10}`, intraListDiversity(top.subarray(0, k10), (a, b) =>
        0.5 * (task.itemGenre[a] !== task.itemGenre[b] ? 1 : 0) + 0.5 * (task.itemArtist[a] !== task.itemArtist[b] ? 1 : 0)));
      // Full-ranking metrics: rank of each relevant item among all candidates.
      const valid = sc.filter((v) => v !== -Infinity).sort();
      const below = (v: number) => {
        let lo = 0;
        let hi = valid.length;
        while (lo < hi) {
          const m = (lo + hi) >> 1;
          if (valid[m] < v) lo = m + 1;
          else hi = m;
        }
        return lo;
      };
      let best = Infinity;
      const relScores: number[] = [];
      for (const r of rel) if (sc[r] !== -Infinity) relScores.push(sc[r]);
      // Rank = items scoring at least as high (ties counted against the item).
      for (const v of relScores) best = Math.min(best, valid.length - below(v));
      push('mrr', relScores.length ? 1 / best : reciprocalRank(top, rel));
      if (relScores.length && valid.length > relScores.length) {
        // AUC over the full ranking: each relevant item against every non-relevant one, ties ½.
        const atMost = (v: number) => {
          let lo = 0;
          let hi = valid.length;
          while (lo < hi) {
            const m = (lo + hi) >> 1;
            if (valid[m] <= v) lo = m + 1;
            else hi = m;
          }
          return lo;
        };
        const negs = valid.length - relScores.length;
        const sortedRel = [...relScores].sort((a, b) => a - b);
        let sum = 0;
        for (const v of sortedRel) {
          let relLess = 0;
          let relEqual = 0;
          for (const w of sortedRel) {
            if (w < v) relLess++;
            else if (w === v) relEqual++;
          }
          const lower = below(v) - relLess;
          const equal = atMost(v) - below(v) - relEqual;
          sum += (lower + 0.5 * equal) / negs;
        }
        push('auc', sum / relScores.length);
      }
      if (ranker.probabilities && rel.size) {
        // Relevant items and as many random non-relevant ones, at the model's threshold.
        const items: number[] = [];
        for (const r of rel) {
          if (sc[r] === -Infinity) continue;
          items.push(r);
          labels.push(1);
          let t = rng.int(task.nItems);
          for (let tries = 0; tries < 10 && (rel.has(t) || sc[t] === -Infinity); tries++) t = rng.int(task.nItems);
          items.push(t);
          labels.push(0);
        }
        for (const p of ranker.probabilities(task.users[ui], Int32Array.from(items))) probs.push(p);
      }
    });
  }
  const metrics: Record<string, number> = {};
  const ci: Record<string, { lo: number; hi: number }> = {};
  for (const [name, vals] of Object.entries(per)) {
    const clean = vals.filter(Number.isFinite);
    if (opts.bootstrap && opts.bootstrap.samples > 0) {
      const b = bootstrapCI(clean, opts.bootstrap.samples, opts.bootstrap.confidence, () => rng.next());
      metrics[name] = b.mean;
      ci[name] = { lo: b.lo, hi: b.hi };
    } else metrics[name] = clean.length ? clean.reduce((a, b) => a + b, 0) / clean.length : NaN;
  }
  const seen = new Set<number>();
  for (const l of lists) for (const x of l.subarray(0, Math.min(10, maxK))) seen.add(x);
  metrics[`coverage@${Math.min(10, maxK)}`] = seen.size / task.nItems;
  if (probs.length) {
    Object.assign(metrics, classification(probs, labels, opts.threshold));
    metrics.auc_sampled = aucOf(probs, labels);
  }
  return { ranker: ranker.name, users: task.users.length, metrics, ci, perUser: per, lists };
}

/** Ranks by catalogue popularity (plays in the training period). */
export function popularityRanker(itemCounts: Float64Array): Ranker {
  return {
    name: 'popularity',
    score: (users) => users.map(() => Float32Array.from(itemCounts)),
  };
}

export function randomRanker(nItems: number, seed: number): Ranker {
  const rng = new Rng(seed);
  return { name: 'random', score: (users) => users.map(() => Float32Array.from({ length: nItems }, () => rng.next())) };
}
