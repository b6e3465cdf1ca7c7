/**
 * The held-out protocol every evaluation shares — the CLI's `evaluate`, `evaluate:real` (together
 * and alone), the demo, the app's Evaluation page: the saved model (with its validation-chosen
 * blend) and every configured baseline rank the whole catalogue for the held-out period's two
 * tasks, from each person's state at its start, through one code path.
 */
import type { AppConfig } from '../../../shared/config-schema';
import { initBackend } from '../backend';
import type { Prepared } from '../data/pipeline';
import { FeatureTensors } from '../data/tensors';
import { ModelRanker } from '../inference/model-ranker';
import { loadModel } from '../models/io';
import { baselineRankers } from './baselines';
import { evaluateRanker, type EvalOptions, type EvalResult, type EvalTask } from './ranking';

export interface HeldOutResult {
  /** People ranked for discovery. */
  users: number;
  /** Discovery (tracks first played in the period, without what was played before): the model first, then the baselines. */
  discovery: EvalResult[];
  /** All plays (everything played in the period). */
  allPlays: EvalResult[];
}

/** Only the listed people of a task (one person's own held-out result). */
export function onlyPeople(t: EvalTask, people: Set<number>): EvalTask {
  const keep = t.users.map((u, i) => (people.has(u) ? i : -1)).filter((i) => i >= 0);
  const pick = <T>(xs: T[] | undefined) => (xs ? keep.map((i) => xs[i]) : undefined);
  return { ...t, users: pick(t.users)!, relevant: pick(t.relevant)!, exclude: pick(t.exclude)!, expected: pick(t.expected)!, tasteGenres: pick(t.tasteGenres) };
}

/**
 * Ranks the test period (or `discovery`, e.g. the validation period) with the model saved in
 * `modelDir` and the configured baselines; `people` restricts both tasks to those profile rows;
 * `allPlays: false` ranks discovery only (a benchmark whose protocol has no other task).
 */
export async function rankHeldOut(
  prep: Prepared, cfg: AppConfig, modelDir: string,
  opts: { eval: EvalOptions; people?: Set<number>; discovery?: EvalTask; onStage?: (stage: string) => void; allPlays?: boolean },
): Promise<HeldOutResult> {
  await initBackend(cfg.training.backend);
  const base = opts.discovery ?? prep.test;
  const discovery = opts.people ? onlyPeople(base, opts.people) : base;
  const allPlays = opts.people ? onlyPeople(prep.testAll, opts.people) : prep.testAll;
  const { model, manifest } = loadModel(modelDir);
  // Each period is ranked from each person's state at its start.
  const ft = new FeatureTensors(base === prep.valid ? prep.users : prep.testUsers, prep.items);
  const modelRanker = new ModelRanker(model, ft, manifest.fusion);
  try {
    const rankers = [modelRanker, ...baselineRankers(prep, cfg)];
    const rank = (name: string, task: EvalTask, output: 'discover' | 'all') =>
      task.users.length
        ? rankers.map((r) => {
          opts.onStage?.(`${name}: ${r.name}`);
          return evaluateRanker(r === modelRanker ? modelRanker.as(output) : r, task, opts.eval);
        })
        : [];
    return { users: discovery.users.length, discovery: rank('discovery', discovery, 'discover'), allPlays: opts.allPlays === false ? [] : rank('all_plays', allPlays, 'all') };
  } finally {
    modelRanker.dispose();
    ft.dispose();
    model.dispose();
  }
}
