/**
 * Honest evaluation on real listeners: a fresh library from a data folder laid out like
 * ../shared/data (catalog/*.csv, histories/spotify-account/<person>/), each person's last 20 % of
 * listening held out, the model and every baseline ranked through the same code path, on two
 * tasks: discovery (tracks first played in the test period) and all plays.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppConfig } from '../../shared/config-schema';
import { openLibrary } from '../db';
import { getLogger } from '../logging';
import { initBackend } from '../recommender/backend';
import { artistAffinityRanker, contentKnnRanker, easeRanker, itemCfRanker } from '../recommender/baselines';
import { FeatureTensors } from '../recommender/data/loader';
import { ModelRanker } from '../recommender/inference/model-ranker';
import { loadModel } from '../recommender/models/io';
import { positivePlays, prepare, type Prepared } from '../recommender/pipeline';
import { TEST } from '../recommender/data/dataset';
import { ABLATIONS, permutationImportance, sampleConfig, type Importance } from '../recommender/analysis';
import { Rng } from '../recommender/random';
import { evaluateRanker, popularityRanker, randomRanker, type EvalResult, type EvalTask, type Ranker } from '../recommender/training/evaluate';
import { runImport } from './import-service';
import { trainRun } from './model-service';

const log = getLogger('evaluation');

export const REPORT_METRICS = [
  'ndcg@10', 'ndcg@50', 'map@10', 'mrr', 'hit_rate@10', 'hit_rate@50', 'recall@50', 'auc',
  'precision', 'recall', 'f1', 'accuracy', 'diversity@10', 'coverage@10', 'serendipity@10',
] as const;

export interface RankerReport {
  metrics: Record<string, number>;
  ci: Record<string, [number, number]>;
  perUser: Record<string, number[]>;
}

export interface RealEvaluation {
  generatedAt: string;
  data: string;
  people: number;
  protocol: string;
  events: number;
  trackMatch: number;
  tasks: Record<'discovery' | 'all_plays', { users: number; rankers: Record<string, RankerReport> }>;
  training: { epochs: number; bestEpoch: number; backend: string; seconds: number };
  importance?: Importance[];
  ablations?: { name: string; overrides: string[]; metrics: Record<string, number> }[];
  search?: { trials: { overrides: string[]; epochs: number; valid: number }[]; best: string[]; bestValid: number; defaultValid: number; minutes: number };
  seconds: number;
}

export interface RealEvalOptions {
  dataDir: string;
  config: AppConfig;
  /** Permutation importance and ablations (retraining per ablation). */
  analysis?: boolean;
  /** Successive-halving hyperparameter search within evaluation.hyperparameter_search.budget_minutes. */
  search?: boolean;
  /** The overrides `config` was built with, to layer ablations and search on. */
  overrides?: string[];
  loadConfig?: (overrides: string[]) => AppConfig;
  workDir?: string;
  onStage?: (stage: string) => void;
}

/** All plays: every catalogue track played (non-skipped) in the test period; nothing excluded. */
function allPlaysTask(P: Prepared, minPositiveMs: number): EvalTask {
  const rel = positivePlays(P.data, P.split.part, TEST, minPositiveMs);
  const users: number[] = [];
  rel.forEach((r, u) => r.size && users.push(u));
  const byUser = new Map(P.test.users.map((u, i) => [u, P.test.expected[i]]));
  return {
    users,
    relevant: users.map((u) => rel[u]),
    exclude: users.map(() => new Set<number>()),
    expected: users.map((u) => byUser.get(u) ?? (() => false)),
    nItems: P.test.nItems,
    itemGenre: P.test.itemGenre,
    itemArtist: P.test.itemArtist,
  };
}

export function baselineRankers(P: Prepared, config: AppConfig): Ranker[] {
  const out: Ranker[] = [];
  const want = new Set(config.evaluation.baselines);
  if (want.has('random')) out.push(randomRanker(P.items.n, config.training.seed));
  if (want.has('popularity')) out.push(popularityRanker(P.itemCounts));
  if (want.has('artist_affinity')) out.push(artistAffinityRanker(P));
  if (want.has('content_knn')) out.push(contentKnnRanker(P));
  if (want.has('item_cf')) out.push(itemCfRanker(P));
  if (want.has('ease') && P.data.profiles.length <= 3000) {
    // λ chosen on the validation period, as the model's epochs are.
    let best: { r: Ranker; v: number } | null = null;
    for (const lambda of [10, 50, 250, 1000, 5000]) {
      const r = easeRanker(P, lambda);
      const v = P.valid.users.length ? evaluateRanker(r, P.valid, { ks: [10], threshold: 0.5 }).metrics['ndcg@10'] : 0;
      log.debug(`EASE λ=${lambda}: validation ndcg@10 ${v.toFixed(4)}`);
      if (!best || v > best.v) best = { r, v };
    }
    out.push(best!.r);
  }
  return out;
}

function toReport(r: EvalResult): RankerReport {
  return {
    metrics: r.metrics,
    ci: Object.fromEntries(Object.entries(r.ci).map(([k, c]) => [k, [c.lo, c.hi] as [number, number]])),
    perUser: r.perUser,
  };
}

export async function evaluateReal(o: RealEvalOptions): Promise<RealEvaluation> {
  const t0 = performance.now();
  const cfg = o.config;
  const work = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'omr-eval-real-'));
  const lib = openLibrary(path.join(work, 'library.sqlite'));
  try {
    const catalogDir = path.join(o.dataDir, 'catalog');
    const peopleDir = path.join(o.dataDir, 'histories', 'spotify-account');
    for (const d of [catalogDir, peopleDir]) if (!fs.existsSync(d)) throw new Error(`${d}: not found; --data must hold catalog/ and histories/spotify-account/`);
    const catalogs = fs.readdirSync(catalogDir).filter((f) => f.endsWith('.csv')).map((f) => path.join(catalogDir, f));
    const people = fs.readdirSync(peopleDir).filter((d) => fs.statSync(path.join(peopleDir, d)).isDirectory()).sort().map((d) => path.join(peopleDir, d));
    o.onStage?.(`importing ${catalogs.length} catalogues and ${people.length} people`);
    await runImport(lib, { catalogs });
    const imp = await runImport(lib, { histories: people, profilePerPath: true });
    o.onStage?.('training the two-tower model');
    const tt = performance.now();
    const prepared = prepare(lib, cfg);
    const { run, result } = await trainRun(lib, { config: cfg, modelsDir: path.join(work, 'models'), prepared });
    const trainSeconds = (performance.now() - tt) / 1000;
    await initBackend(cfg.training.backend);
    const { model } = loadModel(run.modelPath!);
    const ft = new FeatureTensors(prepared.users, prepared.items);
    const modelRanker = new ModelRanker(model, ft);
    const rankers: Ranker[] = [modelRanker, ...baselineRankers(prepared, cfg)];
    const opts = { ks: [10, 50], threshold: cfg.evaluation.threshold, bootstrap: cfg.evaluation.bootstrap, seed: cfg.training.seed };
    const tasks = { discovery: prepared.test, all_plays: allPlaysTask(prepared, cfg.preprocessing.min_positive_ms) };
    const out = {} as RealEvaluation['tasks'];
    for (const [name, task] of Object.entries(tasks) as [keyof typeof tasks, EvalTask][]) {
      out[name] = { users: task.users.length, rankers: {} };
      for (const r of rankers) {
        o.onStage?.(`${name}: ${r.name}`);
        out[name].rankers[r.name] = toReport(evaluateRanker(r, task, opts));
      }
    }
    let importance: Importance[] | undefined;
    let ablations: RealEvaluation['ablations'];
    let search: RealEvaluation['search'];
    if (o.analysis) {
      o.onStage?.('permutation importance');
      importance = permutationImportance(model, prepared, prepared.test, { seed: cfg.training.seed, repeats: 2 });
    }
    modelRanker.dispose();
    ft.dispose();
    model.dispose();
    const trainAndScore = async (overrides: string[], task: 'test' | 'valid', epochs?: number) => {
      const c = o.loadConfig!([...(o.overrides ?? []), ...overrides, ...(epochs ? [`training.epochs=${epochs}`, 'training.early_stopping.enabled=false'] : [])]);
      const P = prepare(lib, c);
      const r = await trainRun(lib, { config: c, modelsDir: path.join(work, 'models'), prepared: P });
      const lm = loadModel(r.run.modelPath!);
      const fts = new FeatureTensors(P.users, P.items);
      const mr = new ModelRanker(lm.model, fts);
      const m = evaluateRanker(mr, task === 'test' ? P.test : P.valid, { ks: [10, 50], threshold: c.evaluation.threshold }).metrics;
      mr.dispose();
      fts.dispose();
      lm.model.dispose();
      return m;
    };
    if (o.analysis && o.loadConfig) {
      ablations = [];
      for (const a of ABLATIONS) {
        o.onStage?.(`ablation: ${a.name}`);
        ablations.push({ ...a, metrics: await trainAndScore(a.overrides, 'test') });
      }
    }
    if (o.search && o.loadConfig) {
      const hs = cfg.evaluation.hyperparameter_search;
      const rng = new Rng(cfg.training.seed + 99);
      const deadline = performance.now() + hs.budget_minutes * 60000;
      let pool: string[][] = [[], ...Array.from({ length: Math.max(1, hs.trials - 1) }, () => sampleConfig(rng))];
      const trials: NonNullable<RealEvaluation['search']>['trials'] = [];
      let epochs = 2;
      let defaultValid = NaN;
      while (pool.length > 1 && performance.now() < deadline) {
        const scored: { overrides: string[]; valid: number }[] = [];
        for (const ov of pool) {
          if (performance.now() > deadline) break;
          o.onStage?.(`search: ${epochs} epochs, ${ov.join(' ') || 'defaults'}`);
          const valid = (await trainAndScore(ov, 'valid', epochs))['ndcg@10'];
          trials.push({ overrides: ov, epochs, valid });
          scored.push({ overrides: ov, valid });
          if (!ov.length) defaultValid = valid;
        }
        scored.sort((a, b) => b.valid - a.valid);
        pool = scored.slice(0, Math.max(1, Math.floor(scored.length / 2))).map((x) => x.overrides);
        epochs *= 2;
      }
      const last = trials.filter((t) => t.epochs === Math.max(...trials.map((x) => x.epochs)));
      const best = [...last].sort((a, b) => b.valid - a.valid)[0] ?? trials[0];
      const sameRungDefault = last.find((t) => !t.overrides.length)?.valid ?? defaultValid;
      search = { trials, best: best?.overrides ?? [], bestValid: best?.valid ?? NaN, defaultValid: sameRungDefault, minutes: hs.budget_minutes };
    }
    return {
      generatedAt: new Date().toISOString(),
      data: o.dataDir,
      people: people.length,
      protocol:
        'Each person’s listening period is cut by time: the last 20 % is the test period, the 10 % before it validation ' +
        '(early stopping), the rest training. Discovery: rank the whole catalogue, minus what the person played before the ' +
        'test period, against the tracks they first played (≥ 30 s) in it. All plays: rank the whole catalogue against every ' +
        'track they played (≥ 30 s) in the test period. Means over people with bootstrap 95 % intervals.',
      events: imp.events,
      trackMatch: imp.trackMatch,
      tasks: out,
      training: { epochs: result.epochs.length, bestEpoch: result.bestEpoch + 1, backend: result.backend.name, seconds: trainSeconds },
      importance,
      ablations,
      search,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    lib.close();
    if (!o.workDir) fs.rmSync(work, { recursive: true, force: true });
    log.debug(`evaluation work folder ${work} ${o.workDir ? 'kept' : 'removed'}`);
  }
}
