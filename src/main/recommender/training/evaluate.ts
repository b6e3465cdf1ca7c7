/**
 * Evaluation through one code path for the model and every baseline: a ranker scores the whole
 * catalogue for each person, what they already played is excluded, and the plan's metrics are
 * computed against what they played in the held-out period.
 */
import { Rng } from '../random';
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

function topN(scores: Float32Array, n: number): Int32Array {
  // Partial selection with a small binary heap (min at the root).
  const heapIdx = new Int32Array(n);
  const heapVal = new Float32Array(n);
  let size = 0;
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && heapVal[l] < heapVal[m]) m = l;
      if (r < size && heapVal[r] < heapVal[m]) m = r;
      if (m === i) return;
      [heapVal[i], heapVal[m]] = [heapVal[m], heapVal[i]];
      [heapIdx[i], heapIdx[m]] = [heapIdx[m], heapIdx[i]];
      i = m;
    }
  };
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (v === -Infinity) continue;
    if (size < n) {
      let j = size++;
      heapVal[j] = v;
      heapIdx[j] = i;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (heapVal[p] <= heapVal[j]) break;
        [heapVal[p], heapVal[j]] = [heapVal[j], heapVal[p]];
        [heapIdx[p], heapIdx[j]] = [heapIdx[j], heapIdx[p]];
        j = p;
      }
    } else if (v > heapVal[0] || (v === heapVal[0] && i < heapIdx[0])) {
      heapVal[0] = v;
      heapIdx[0] = i;
      siftDown(0);
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => heapVal[b] - heapVal[a] || heapIdx[a] - heapIdx[b]);
  return Int32Array.from(order, (i) => heapIdx[i]);
}
export { topN };

export function evaluateRanker(ranker: Ranker, task: EvalTask, opts: EvalOptions): EvalResult {
  const maxK = Math.max(...opts.ks);
  const per: Record<string, number[]> = {};
  const push = (name: string, v: number) => (per[name] ??= []).push(v);
  const lists: Int32Array[] = [];
  const rng = new Rng(opts.seed ?? 1);
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
      const top = topN(sc, maxK);
      lists.push(top);
      for (const k of opts.ks) {
        push(`ndcg@${k}`, ndcgAtK(top, rel, k));
        push(`map@${k}`, apAtK(top, rel, k));
        push(`hit_rate@${k}`, hitAtK(top, rel, k));
        push(`precision@${k}`, precisionAtK(top, rel, k));
        push(`recall@${k}`, recallAtK(top, rel, k));
        push(`serendipity@${k}`, serendipityAtK(top, rel, task.expected[ui], k));
      }
      const k10 = Math.min(10, maxK);
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
