/**
 * One protocol run over several seeds, summarised (`evaluate:real --seeds N`). With a handful of
 * people a single seed decides a lot: it draws the network's initialisation and negatives and
 * breaks the rankings' ties (baselines' too), and five listeners' test weeks hold a few
 * discoveries each — the unseen five, each alone, moved between 0.67 × and 2.53 × their best
 * baseline from one seed to the next (docs/EVALUATION.md, nineteenth session). Means over seeds, each seed's own comparison and
 * how many seeds fall short say what one seed cannot.
 */

export type SeedTask = 'discovery' | 'all_plays';
export const SEED_TASKS: readonly SeedTask[] = ['discovery', 'all_plays'];

/**
 * Rankers that are not independent baselines: `random` (the floor) and the model's own blend
 * signals ranked on their own (`recent_replay`: UserAggregate.trackReplay, `recent_artists`:
 * artistReplay — diagnostics of the blend). The rest are the baselines a model must beat.
 */
export const NOT_BASELINES: ReadonlySet<string> = new Set(['two_tower', 'random', 'recent_replay', 'recent_artists']);

/** One seed's result: per task, each ranker's metrics (a task nobody could be ranked on: no rankers). */
export interface SeedRun {
  seed: number;
  tasks: Record<SeedTask, Record<string, Record<string, number>>>;
}

export interface SeedComparison {
  seed: number;
  model: number;
  /** The seed's best baseline (NOT_BASELINES left out) and its value. */
  best: string;
  bestValue: number;
  /** model / bestValue (NaN where the baseline found nothing). */
  ratio: number;
}

export interface SeedTaskSummary {
  /** Each ranker's metrics averaged over the seeds that ranked with it. */
  means: Record<string, Record<string, number>>;
  perSeed: SeedComparison[];
  /** The model's mean over seeds against the mean of each seed's best baseline: a max taken per seed, so the baselines' side is favoured. */
  meanModel: number;
  meanBest: number;
  ratio: number;
  /** Seeds where the model reached `threshold` × that seed's best baseline. */
  seedsAtLeast: (threshold: number) => number;
}

/** Each key's mean over the records that have it (a metric one seed lacks is averaged over the others). */
export function meanRecords(records: Record<string, number>[]): Record<string, number> {
  const sum = new Map<string, [number, number]>();
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) {
      if (!Number.isFinite(v)) continue;
      const s = sum.get(k) ?? [0, 0];
      sum.set(k, [s[0] + v, s[1] + 1]);
    }
  }
  return Object.fromEntries([...sum].map(([k, [s, n]]) => [k, s / n]));
}

/** Means, each seed's model against its best baseline, and the ratio of the means, on `metric`. */
export function summariseSeeds(runs: SeedRun[], metric = 'ndcg@10'): Record<SeedTask, SeedTaskSummary> {
  const out = {} as Record<SeedTask, SeedTaskSummary>;
  for (const task of SEED_TASKS) {
    const rankers = [...new Set(runs.flatMap((r) => Object.keys(r.tasks[task])))];
    const means = Object.fromEntries(rankers.map((n) => [n, meanRecords(runs.flatMap((r) => (r.tasks[task][n] ? [r.tasks[task][n]] : [])))]));
    const perSeed: SeedComparison[] = runs
      .filter((r) => r.tasks[task].two_tower)
      .map((r) => {
        const model = r.tasks[task].two_tower[metric] ?? NaN;
        let best = '';
        let bestValue = -Infinity;
        for (const [n, m] of Object.entries(r.tasks[task])) if (!NOT_BASELINES.has(n) && (m[metric] ?? -Infinity) > bestValue) [best, bestValue] = [n, m[metric]];
        return { seed: r.seed, model, best, bestValue, ratio: bestValue > 0 ? model / bestValue : NaN };
      });
    const avg = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
    const meanModel = avg(perSeed.map((s) => s.model));
    const meanBest = avg(perSeed.map((s) => s.bestValue));
    out[task] = { means, perSeed, meanModel, meanBest, ratio: meanBest > 0 ? meanModel / meanBest : NaN, seedsAtLeast: (t) => perSeed.filter((s) => s.ratio >= t).length };
  }
  return out;
}

/** A person's row of one seed: per task, each ranker's metrics (null: nothing to rank for them). */
export interface SeedPerson {
  name: string;
  events: number;
  tasks: Record<SeedTask, Record<string, Record<string, number>> | null>;
}

/** Each person's rows averaged over the seeds (matched by name; a task is null only where every seed had nothing for them). */
export function meanPeople(seeds: SeedPerson[][]): SeedPerson[] {
  const names = [...new Set(seeds.flatMap((s) => s.map((p) => p.name)))];
  return names.map((name) => {
    const rows = seeds.flatMap((s) => s.filter((p) => p.name === name));
    const tasks = {} as SeedPerson['tasks'];
    for (const task of SEED_TASKS) {
      const present = rows.flatMap((p) => (p.tasks[task] ? [p.tasks[task]!] : []));
      const rankers = [...new Set(present.flatMap((t) => Object.keys(t)))];
      tasks[task] = present.length ? Object.fromEntries(rankers.map((n) => [n, meanRecords(present.flatMap((t) => (t[n] ? [t[n]] : [])))])) : null;
    }
    return { name, events: rows[0].events, tasks };
  });
}
