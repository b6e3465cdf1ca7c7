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
import type { ImportReport } from '../../shared/types';
import { openLibrary } from '../db';
import { getLogger } from '../logging';
import { FeatureTensors } from '../recommender/data/tensors';
import { ModelRanker } from '../recommender/inference/model-ranker';
import { loadModel } from '../recommender/models/io';
import { heldOutNeighbourhood, rankHeldOut } from '../recommender/evaluation/protocols';
import { positivePlays, prepareData, type Prepared } from '../recommender/data/pipeline';
import { TEST } from '../recommender/data/dataset';
import { ABLATIONS, permutationImportance, sampleConfig, type Importance } from '../recommender/evaluation/analysis';
import { Rng } from '../util/random';
import { bootstrapCI } from '../recommender/evaluation/metrics';
import { evaluateRanker, type EvalResult } from '../recommender/evaluation/ranking';
import { runImport } from './import-service';
import { importCommunity } from '../importers/community';
import { trainRun } from './model-service';
import { reportedBestEpoch } from '../recommender/training/trainer';

const log = getLogger('evaluation');

export const REPORT_METRICS = [
  'ndcg@10', 'ndcg@50', 'map@10', 'mrr', 'hit_rate@10', 'hit_rate@50', 'recall@50', 'auc',
  'precision', 'recall', 'f1', 'accuracy', 'diversity@10', 'coverage@10', 'serendipity@10', 'genre_match@10',
] as const;

export interface RankerReport {
  metrics: Record<string, number>;
  ci: Record<string, [number, number]>;
  perUser: Record<string, number[]>;
}

/** One person's own result: under the alone protocol their own model's; together, the shared model's on them. */
export interface PersonResult {
  name: string;
  events: number;
  trackMatch: number;
  epochs: number;
  /** 1-based; an ensemble's members' each. */
  bestEpoch: number | number[];
  seconds: number;
  /** Per task and ranker: the person's metrics (null when the task had nothing to rank for them). */
  tasks: Record<'discovery' | 'all_plays', Record<string, Record<string, number>> | null>;
}

export interface RealEvaluation {
  generatedAt: string;
  data: string;
  /** together: everyone in one library; alone: each person in a library of their own. */
  mode: 'together' | 'alone';
  people: number;
  /** Each person's own result (alone: their own model; together: the one model, ranked for them). */
  perPerson?: PersonResult[];
  protocol: string;
  events: number;
  trackMatch: number;
  tasks: Record<'discovery' | 'all_plays', { users: number; rankers: Record<string, RankerReport> }>;
  training: { epochs: number; bestEpoch: number | number[]; backend: string; seconds: number };
  importance?: Importance[];
  ablations?: { name: string; overrides: string[]; metrics: Record<string, number> }[];
  search?: { trials: { overrides: string[]; epochs: number; valid: number }[]; best: string[]; bestValid: number; defaultValid: number; minutes: number };
  seconds: number;
}

export interface RealEvalOptions {
  dataDir: string;
  config: AppConfig;
  /** Each person in a library of their own (catalogue + their export), trained and evaluated separately. */
  alone?: boolean;
  /** Community datasets imported after the catalogues (MPD slices, HetRec folders). */
  community?: string[];
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

function toReport(r: EvalResult): RankerReport {
  return {
    metrics: r.metrics,
    ci: Object.fromEntries(Object.entries(r.ci).map(([k, c]) => [k, [c.lo, c.hi] as [number, number]])),
    perUser: r.perUser,
  };
}

/** The catalogues and the people (one folder each) of a data folder laid out like ../shared/data. */
function dataFolder(dataDir: string): { catalogs: string[]; people: string[] } {
  const catalogDir = path.join(dataDir, 'catalog');
  const peopleDir = path.join(dataDir, 'histories', 'spotify-account');
  for (const d of [catalogDir, peopleDir]) if (!fs.existsSync(d)) throw new Error(`${d}: not found; --data must hold catalog/ and histories/spotify-account/`);
  const catalogs = fs.readdirSync(catalogDir).filter((f) => f.endsWith('.csv')).sort().map((f) => path.join(catalogDir, f));
  const people = fs.readdirSync(peopleDir).filter((d) => fs.statSync(path.join(peopleDir, d)).isDirectory()).sort().map((d) => path.join(peopleDir, d));
  return { catalogs, people };
}

const PROTOCOL_SPLIT =
  'Each person’s listening period is cut by time: the last 20 % is the test period, the 10 % before it validation ' +
  '(early stopping), the rest training. Discovery: rank the whole catalogue, minus what the person played before the ' +
  'test period, against the tracks they first played (≥ 30 s) in it. All plays: rank the whole catalogue against every ' +
  'track they played (≥ 30 s) in the test period. The model ranks from the person’s listening state at the start of ' +
  'the test period; every baseline sees the same listening.';

/** The model (from its saved folder) and every baseline on both test tasks, by ranker name. */
async function rankBoth(prep: Prepared, cfg: AppConfig, modelDir: string, bootstrap: boolean, onStage?: (s: string) => void): Promise<Record<'discovery' | 'all_plays', Record<string, EvalResult>>> {
  const opts = { ks: [10, 50], threshold: cfg.evaluation.threshold, bootstrap: bootstrap ? cfg.evaluation.bootstrap : undefined, seed: cfg.training.seed };
  const r = await rankHeldOut(prep, cfg, modelDir, { eval: opts, onStage });
  const byName = (rs: EvalResult[]) => Object.fromEntries(rs.map((x) => [x.ranker, x]));
  return { discovery: byName(r.discovery), all_plays: byName(r.allPlays) };
}

/**
 * Each person's own row of the together protocol: their metrics under every ranker, read from the
 * per-person values the means were taken over (a metric some people lack, such as AUC without
 * negatives, is left out of the rows rather than misaligned).
 */
function togetherPerPerson(prep: Prepared, ranked: Record<'discovery' | 'all_plays', Record<string, EvalResult>>, training: { epochs: number; bestEpoch: number | number[] }): PersonResult[] {
  const events = new Int32Array(prep.data.profiles.length);
  for (const p of prep.data.events.profile) events[p]++;
  const rows = prep.data.profiles.map((p, i): PersonResult => ({ name: p.name, events: events[i], trackMatch: NaN, epochs: training.epochs, bestEpoch: training.bestEpoch, seconds: 0, tasks: { discovery: null, all_plays: null } }));
  const taskUsers = { discovery: prep.test.users, all_plays: prep.testAll.users };
  for (const task of ['discovery', 'all_plays'] as const) {
    const users = taskUsers[task];
    for (const [ranker, r] of Object.entries(ranked[task])) {
      if (r.users !== users.length) continue;
      users.forEach((u, i) => {
        const mine = (rows[u].tasks[task] ??= {});
        const m = (mine[ranker] = {} as Record<string, number>);
        for (const [metric, vals] of Object.entries(r.perUser)) if (vals.length === users.length) m[metric] = vals[i];
      });
    }
  }
  return rows;
}

/**
 * The protocol people live in: each person alone in a library of their own — the catalogues and
 * their export — trained and evaluated separately; metrics averaged over people with bootstrap
 * intervals over people, and each person's own result listed.
 */
async function evaluateAlone(o: RealEvalOptions, catalogs: string[], peopleDirs: string[], work: string): Promise<RealEvaluation> {
  const t0 = performance.now();
  const cfg = o.config;
  const template = path.join(work, 'catalogue.sqlite');
  o.onStage?.(`importing ${catalogs.length} catalogues once (each person's library starts as a copy)`);
  const tl = openLibrary(template);
  try {
    await runImport(tl, { catalogs });
    for (const c of o.community ?? []) {
      o.onStage?.(`importing community data ${c}`);
      await importCommunity(tl, c);
    }
  } finally {
    tl.close();
  }
  const perPerson: PersonResult[] = [];
  const pooled: Record<'discovery' | 'all_plays', Record<string, Record<string, number[]>>> = { discovery: {}, all_plays: {} };
  let events = 0;
  let matched = 0;
  let trainSeconds = 0;
  let epochsTotal = 0;
  let backend = '';
  /** A person whose export could not be imported or learnt from: their row says so, the others go on. */
  const notEvaluated = (name: string, e: unknown, imp?: ImportReport) => {
    log.warning(`${name}: not evaluated — ${(e as Error).message}`);
    perPerson.push({ name, events: imp?.events ?? 0, trackMatch: imp?.trackMatch ?? 0, epochs: 0, bestEpoch: 0, seconds: 0, tasks: { discovery: null, all_plays: null } });
  };
  for (const [i, dir] of peopleDirs.entries()) {
    const name = path.basename(dir);
    const t1 = performance.now();
    const own = path.join(work, `person-${i}`);
    fs.mkdirSync(own, { recursive: true });
    fs.copyFileSync(template, path.join(own, 'library.sqlite'));
    const lib = openLibrary(path.join(own, 'library.sqlite'));
    try {
      o.onStage?.(`${name} (${i + 1}/${peopleDirs.length}): importing their export into their own library`);
      let imp: ImportReport;
      try {
        imp = await runImport(lib, { histories: [dir], profile: name });
      } catch (e) {
        notEvaluated(name, e);
        continue;
      }
      events += imp.events;
      matched += imp.trackMatch * imp.events;
      o.onStage?.(`${name}: training`);
      let prep: Prepared;
      try {
        prep = prepareData(lib, cfg);
      } catch (e) {
        notEvaluated(name, e, imp);
        continue;
      }
      const tt = performance.now();
      const { run, result } = await trainRun(lib, { config: cfg, modelsDir: path.join(own, 'models'), prepared: prep });
      trainSeconds += (performance.now() - tt) / 1000;
      epochsTotal += result.epochs.length;
      backend = result.backend.name;
      const res = await rankBoth(prep, cfg, run.modelPath!, false);
      const mine = { discovery: null, all_plays: null } as PersonResult['tasks'];
      for (const task of ['discovery', 'all_plays'] as const) {
        if (!Object.keys(res[task]).length) continue;
        mine[task] = {};
        for (const [ranker, r] of Object.entries(res[task])) {
          mine[task]![ranker] = r.metrics;
          const bucket = (pooled[task][ranker] ??= {});
          for (const [metric, v] of Object.entries(r.metrics)) if (Number.isFinite(v)) (bucket[metric] ??= []).push(v);
        }
      }
      const line = (['discovery', 'all_plays'] as const).map((t) => `${t} ndcg@10 ${mine[t]?.two_tower?.['ndcg@10']?.toFixed(4) ?? 'n/a'}`).join(', ');
      o.onStage?.(`${name}: ${line} (${((performance.now() - t1) / 1000).toFixed(0)} s)`);
      perPerson.push({ name, events: imp.events, trackMatch: imp.trackMatch, epochs: result.epochs.length, bestEpoch: reportedBestEpoch(result), seconds: (performance.now() - t1) / 1000, tasks: mine });
    } finally {
      lib.close();
      fs.rmSync(own, { recursive: true, force: true });
    }
  }
  const rng = new Rng(cfg.training.seed);
  const bs = cfg.evaluation.bootstrap;
  const tasks = {} as RealEvaluation['tasks'];
  for (const task of ['discovery', 'all_plays'] as const) {
    const rankers: Record<string, RankerReport> = {};
    for (const [ranker, metrics] of Object.entries(pooled[task])) {
      const rep: RankerReport = { metrics: {}, ci: {}, perUser: {} };
      for (const [metric, vals] of Object.entries(metrics)) {
        const b = bootstrapCI(vals, bs.samples, bs.confidence, () => rng.next());
        rep.metrics[metric] = b.mean;
        rep.ci[metric] = [b.lo, b.hi];
        rep.perUser[metric] = vals;
      }
      rankers[ranker] = rep;
    }
    tasks[task] = { users: perPerson.filter((p) => p.tasks[task]).length, rankers };
  }
  return {
    generatedAt: new Date().toISOString(),
    data: o.dataDir,
    mode: 'alone',
    people: peopleDirs.length,
    perPerson,
    protocol: `Each person alone: a library of their own holding the catalogues${o.community?.length ? `, the community data (${o.community.map((c) => path.basename(c)).join(', ')})` : ''} and their export only, a model trained on it, and every baseline computed from it. ${PROTOCOL_SPLIT} Metrics are each person’s own, averaged over people, with bootstrap 95 % intervals over people.`,
    events,
    trackMatch: events ? matched / events : 0,
    tasks,
    training: { epochs: epochsTotal, bestEpoch: 0, backend, seconds: trainSeconds },
    seconds: (performance.now() - t0) / 1000,
  };
}

export async function evaluateReal(o: RealEvalOptions): Promise<RealEvaluation> {
  const t0 = performance.now();
  const cfg = o.config;
  const work = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'omr-eval-real-'));
  const { catalogs, people } = dataFolder(o.dataDir);
  if (o.alone) {
    try {
      return await evaluateAlone(o, catalogs, people, work);
    } finally {
      if (!o.workDir) fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const lib = openLibrary(path.join(work, 'library.sqlite'));
  try {
    o.onStage?.(`importing ${catalogs.length} catalogues and ${people.length} people`);
    await runImport(lib, { catalogs });
    for (const c of o.community ?? []) {
      o.onStage?.(`importing community data ${c}`);
      await importCommunity(lib, c);
    }
    const imp = await runImport(lib, { histories: people, profilePerPath: true });
    o.onStage?.('training the two-tower model');
    const tt = performance.now();
    const prepared = prepareData(lib, cfg);
    const { run, result } = await trainRun(lib, { config: cfg, modelsDir: path.join(work, 'models'), prepared });
    const trainSeconds = (performance.now() - tt) / 1000;
    const ranked = await rankBoth(prepared, cfg, run.modelPath!, true, o.onStage);
    const out = {} as RealEvaluation['tasks'];
    for (const task of ['discovery', 'all_plays'] as const) {
      out[task] = { users: Object.values(ranked[task])[0]?.users ?? 0, rankers: Object.fromEntries(Object.entries(ranked[task]).map(([n, r]) => [n, toReport(r)])) };
    }
    const perPerson = togetherPerPerson(prepared, ranked, { epochs: result.epochs.length, bestEpoch: reportedBestEpoch(result) });
    let importance: Importance[] | undefined;
    let ablations: RealEvaluation['ablations'];
    let search: RealEvaluation['search'];
    if (o.analysis) {
      o.onStage?.('permutation importance');
      const { model } = loadModel(run.modelPath!);
      importance = permutationImportance(model, prepared, prepared.test, { seed: cfg.training.seed, repeats: 2 });
      model.dispose();
    }
    const trainAndScore = async (overrides: string[], task: 'test' | 'valid', epochs?: number) => {
      const c = o.loadConfig!([...(o.overrides ?? []), ...overrides, ...(epochs ? [`training.epochs=${epochs}`, 'training.early_stopping.enabled=false'] : [])]);
      const prep = prepareData(lib, c);
      const r = await trainRun(lib, { config: c, modelsDir: path.join(work, 'models'), prepared: prep });
      const lm = loadModel(r.run.modelPath!);
      const fts = new FeatureTensors(task === 'test' ? prep.testUsers : prep.users, prep.items);
      const mr = new ModelRanker(lm.model, fts, lm.manifest.fusion, undefined, heldOutNeighbourhood(prep, lm.manifest.fusion, task)).as('discover');
      const m = evaluateRanker(mr, task === 'test' ? prep.test : prep.valid, { ks: [10, 50], threshold: c.evaluation.threshold }).metrics;
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
      mode: 'together',
      people: people.length,
      perPerson,
      protocol: `Everyone in one library. ${PROTOCOL_SPLIT} Means over people with bootstrap 95 % intervals.`,
      events: imp.events,
      trackMatch: imp.trackMatch,
      tasks: out,
      training: { epochs: result.epochs.length, bestEpoch: reportedBestEpoch(result), backend: result.backend.name, seconds: trainSeconds },
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
