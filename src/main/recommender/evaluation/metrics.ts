/**
 * Ranking, classification and beyond-accuracy metrics of the plan. Each takes a ranked list of
 * item ids (best first) and the set of relevant ids unless stated.
 */

export function dcgAtK(ranked: ArrayLike<number>, relevant: Set<number>, k: number): number {
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) dcg += 1 / Math.log2(i + 2);
  return dcg;
}

/** Binary-relevance NDCG@k: DCG over the ideal DCG of min(|relevant|, k) hits at the top. */
export function ndcgAtK(ranked: ArrayLike<number>, relevant: Set<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return dcgAtK(ranked, relevant, k) / ideal;
}

/** Average precision at k, normalised by min(|relevant|, k) (the MAP@k convention of RecBole). */
export function apAtK(ranked: ArrayLike<number>, relevant: Set<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    if (relevant.has(ranked[i])) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / Math.min(relevant.size, k);
}

/** Reciprocal rank of the first relevant item (0 if none in the list). */
export function reciprocalRank(ranked: ArrayLike<number>, relevant: Set<number>, k = Infinity): number {
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) return 1 / (i + 1);
  return 0;
}

export function hitAtK(ranked: ArrayLike<number>, relevant: Set<number>, k: number): number {
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) return 1;
  return 0;
}

export function precisionAtK(ranked: ArrayLike<number>, relevant: Set<number>, k: number): number {
  let hits = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) hits++;
  return hits / k;
}

export function recallAtK(ranked: ArrayLike<number>, relevant: Set<number>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) hits++;
  return hits / relevant.size;
}

/**
 * ROC AUC: the probability that a random positive scores above a random negative (ties count ½),
 * by the rank-sum (Mann–Whitney) statistic. NaN when either class is empty.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let pos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]] > 0) {
      rankSum += avgRank;
      pos++;
    }
    i = j + 1;
  }
  const neg = scores.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface Classification {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

/** Precision, recall, F1 and accuracy of `probability ≥ threshold` against 0/1 labels. */
export function classification(probabilities: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Classification {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] >= threshold;
    const y = labels[i] > 0;
    if (p && y) tp++;
    else if (p) fp++;
    else if (y) fn++;
    else tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    accuracy: probabilities.length ? (tp + tn) / probabilities.length : 0,
  };
}

/** Intra-list diversity: mean pairwise distance between the items of one list. */
export function intraListDiversity(items: ArrayLike<number>, distance: (a: number, b: number) => number): number {
  const n = items.length;
  if (n < 2) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += distance(items[i], items[j]);
  return s / ((n * (n - 1)) / 2);
}

/** Catalogue coverage: the share of the catalogue that appears in at least one list. */
export function coverage(lists: ArrayLike<number>[], catalogSize: number): number {
  const seen = new Set<number>();
  for (const l of lists) for (let i = 0; i < l.length; i++) seen.add(l[i]);
  return catalogSize ? seen.size / catalogSize : 0;
}

/**
 * Serendipity@k: the share of the list that is relevant *and* unexpected, i.e. not something
 * a primitive baseline (e.g. popularity, or the person's known artists) would have shown.
 */
export function serendipityAtK(ranked: ArrayLike<number>, relevant: Set<number>, expected: (item: number) => boolean, k: number): number {
  const n = Math.min(k, ranked.length);
  let s = 0;
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i]) && !expected(ranked[i])) s++;
  return s / k;
}

/** Mean and a percentile-bootstrap confidence interval of per-user values. */
export function bootstrapCI(values: number[], samples: number, confidence: number, rand: () => number): { mean: number; lo: number; hi: number } {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  if (n < 2 || samples < 1) return { mean, lo: mean, hi: mean };
  const means = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(rand() * n)];
    means[s] = sum / n;
  }
  means.sort();
  const a = (1 - confidence) / 2;
  return { mean, lo: means[Math.floor(a * (samples - 1))], hi: means[Math.ceil((1 - a) * (samples - 1))] };
}
