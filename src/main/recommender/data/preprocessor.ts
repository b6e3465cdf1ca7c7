/**
 * Numeric preprocessing fitted on the training split only and saved with the model: median (or
 * mean) imputation with a missing flag, optional log1p, capping at mean ± kσ, standardisation.
 */
export interface NumStat {
  log: boolean;
  fill: number;
  mean: number;
  std: number;
  lo: number;
  hi: number;
}

export interface NumericPolicy {
  imputation: 'median' | 'mean';
  capSigma: number;
  logColumns: readonly string[];
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Larger magnitudes are treated as missing: no feature of a track or a person comes near (a
 * duration is ~1e7 ms), and two values of 1e308 overflowed the mean and made a whole column NaN.
 * (Catalogue imports leave values outside a column's range missing already: CATALOG_RANGES.)
 */
export const MAX_FEATURE_MAGNITUDE = 1e12;
const usable = (v: number) => Number.isFinite(v) && Math.abs(v) <= MAX_FEATURE_MAGNITUDE;

export function fitNumeric(name: string, values: ArrayLike<number>, policy: NumericPolicy): NumStat {
  const log = policy.logColumns.includes(name);
  const present: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (usable(v)) present.push(log ? Math.log1p(Math.max(0, v)) : v);
  }
  const fill = policy.imputation === 'median' ? median(present) : present.reduce((a, b) => a + b, 0) / Math.max(1, present.length);
  const n = values.length;
  let sum = 0;
  for (const v of present) sum += v;
  sum += fill * (n - present.length);
  const mean = n ? sum / n : 0;
  let ss = 0;
  for (const v of present) ss += (v - mean) ** 2;
  ss += (fill - mean) ** 2 * (n - present.length);
  const std = Math.sqrt(ss / Math.max(1, n)) || 1;
  return { log, fill, mean, std, lo: mean - policy.capSigma * std, hi: mean + policy.capSigma * std };
}

/** Imputed, transformed, capped and standardised value. */
export function applyNumeric(s: NumStat, v: number): number {
  let x = usable(v) ? (s.log ? Math.log1p(Math.max(0, v)) : v) : s.fill;
  if (x < s.lo) x = s.lo;
  else if (x > s.hi) x = s.hi;
  return (x - s.mean) / s.std;
}

/**
 * A categorical vocabulary: index 0 is "unknown" (missing), 1 is "other" (seen fewer than the
 * minimum count in training), then the kept values.
 */
export interface Vocab {
  values: (string | number)[];
}
export const UNKNOWN = 0;
export const OTHER = 1;

export function fitVocab(counts: Map<string | number, number>, minCount: number): Vocab {
  const values = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))
    .map(([v]) => v);
  return { values };
}

export function vocabIndex(v: Vocab): Map<string | number, number> {
  return new Map(v.values.map((x, i) => [x, i + 2]));
}

export function vocabSize(v: Vocab): number {
  return v.values.length + 2;
}

export function bucketOf(value: number, boundaries: readonly number[]): number {
  if (!Number.isFinite(value)) return 0;
  let b = 0;
  while (b < boundaries.length && value >= boundaries[b]) b++;
  return b + 1; // 0 = unknown
}
