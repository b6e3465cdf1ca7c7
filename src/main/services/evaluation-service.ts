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
import { prepare, type Prepared } from '../recommender/pipeline';
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
  seconds: number;
}

export interface RealEvalOptions {
  dataDir: string;
  config: AppConfig;
  workDir?: string;
  onStage?: (stage: string) => void;
}

/** All plays: every catalogue track played (non-skipped) in the test period; nothing excluded. */
function allPlaysTask(P: Prepared): EvalTask {
  const { events } = P.data;
  const rel = P.data.profiles.map(() => new Set<number>());
  for (let i = 0; i < events.length; i++) {
    if (P.split.part[i] !== 2 || events.track[i] < 0) continue;
    const ms = events.msPlayed[i];
    if (Number.isFinite(ms) && ms < 30000) continue;
    rel[events.profile[i]].add(events.track[i]);
  }
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
  if (want.has('ease') && P.data.profiles.length <= 3000) out.push(easeRanker(P));
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
    const tasks = { discovery: prepared.test, all_plays: allPlaysTask(prepared) };
    const out = {} as RealEvaluation['tasks'];
    for (const [name, task] of Object.entries(tasks) as [keyof typeof tasks, EvalTask][]) {
      out[name] = { users: task.users.length, rankers: {} };
      for (const r of rankers) {
        o.onStage?.(`${name}: ${r.name}`);
        out[name].rankers[r.name] = toReport(evaluateRanker(r, task, opts));
      }
    }
    modelRanker.dispose();
    ft.dispose();
    model.dispose();
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
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    lib.close();
    if (!o.workDir) fs.rmSync(work, { recursive: true, force: true });
    log.debug(`evaluation work folder ${work} ${o.workDir ? 'kept' : 'removed'}`);
  }
}
