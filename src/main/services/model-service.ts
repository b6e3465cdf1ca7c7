/**
 * Training runs as the app and the CLI see them: each run is recorded in model_runs with its
 * configuration, backend, metrics and model folder; a completed run becomes the serving model.
 * A failed or cancelled run leaves the serving model as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../../shared/config-schema';
import type { RunSummary } from '../../shared/ipc';
import { runs, versions, type Library } from '../db';
import { getLogger } from '../logging';
import { backendInfo } from '../recommender/backend';
import { readManifest, recoverDir } from '../recommender/models/io';
import { catalogFingerprint, loadSnapshot, saveSnapshot } from '../recommender/inference/serving-snapshot';
import { prepareData, type Prepared } from '../recommender/data/pipeline';
import { rankHeldOut } from '../recommender/evaluation/protocols';
import type { EvalResult, EvalTask } from '../recommender/evaluation/ranking';
import { CancelledError, train, type TrainProgress, type TrainResult } from '../recommender/training/trainer';

const log = getLogger('models');

export interface RunRecord {
  id: number;
  createdAt: number;
  finishedAt: number | null;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  backend: string;
  modelPath: string | null;
  epochs: number | null;
  serving: boolean;
  error: string | null;
  metrics: Record<string, number>;
}

export interface TrainRunOptions {
  config: AppConfig;
  modelsDir: string;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** Reuse prepared data (tests, evaluation right after training). */
  prepared?: Prepared;
  /** Continue an interrupted run. */
  resumeRunId?: number;
  /**
   * A quick retraining: start from the serving model's weights and feature space and train
   * `training.warm_start` epochs (after new listening or feedback). Without a serving model, or
   * with another model configuration, a full training runs instead.
   */
  warm?: boolean;
}

/** The configuration, feature space and starting weights of a warm start from the serving model, or null. */
function warmStartFrom(lib: Library, config: AppConfig): { config: AppConfig; dir: string; prepared: Prepared } | null {
  const dir = servingModelDir(lib);
  if (!dir) return null;
  if ((config.model.ensemble ?? 1) > 1) {
    log.info('an ensemble retrains its members in full (a quick retraining starts one network from the serving one)');
    return null;
  }
  const manifest = readManifest(dir);
  if (JSON.stringify(manifest.config.model) !== JSON.stringify(config.model) || manifest.featureSpace?.version !== 2) {
    log.info('the serving model has another configuration: a full training runs instead of a quick one');
    return null;
  }
  const ws = config.training.warm_start;
  const warm: AppConfig = { ...config, training: { ...config.training, epochs: ws.epochs, max_positives_per_epoch: ws.max_positives_per_epoch, lr_schedule: { ...config.training.lr_schedule, warmup_epochs: 0 } } };
  // The serving model's snapshot holds the catalogue and its item features in this feature space,
  // as the library has them now (its fingerprint says so): read instead of rebuilt.
  const snap = loadSnapshot(dir, catalogFingerprint(lib.sqlite, dir), config.model.embedding_dim);
  return { config: warm, dir, prepared: prepareData(lib, warm, { featureSpace: manifest.featureSpace, known: snap ?? undefined }) };
}

export async function trainRun(lib: Library, opts: TrainRunOptions): Promise<{ run: RunRecord; result: TrainResult; prepared: Prepared }> {
  const { sqlite } = lib;
  opts.onProgress?.({ phase: 'prepare', epoch: 0, epochs: opts.config.training.epochs, step: 0, steps: 0, loss: null, etaS: null, examplesPerS: null });
  // The catalogue as this run reads it: its serving snapshot is saved only if no import changed
  // the catalogue meanwhile (an import may run beside a training).
  const catalogueBefore = opts.prepared ? null : versions.catalogueVersion(sqlite);
  const warm = opts.warm && opts.resumeRunId === undefined ? warmStartFrom(lib, opts.config) : null;
  if (warm) opts = { ...opts, config: warm.config };
  const prepared = warm?.prepared ?? opts.prepared ?? prepareData(lib, opts.config);
  let runId: number;
  let runDir: string;
  if (opts.resumeRunId !== undefined) {
    const row = runs.runById(sqlite, opts.resumeRunId);
    if (!row?.modelPath) throw new Error(`no run ${opts.resumeRunId} to resume`);
    runId = row.id;
    runDir = path.dirname(row.modelPath);
    runs.markRunResumed(sqlite, runId);
  } else {
    runId = runs.insertRun(sqlite, JSON.stringify(opts.config), opts.config.training.backend);
    runDir = path.join(opts.modelsDir, `run-${String(runId).padStart(4, '0')}`);
    runs.setRunModelPath(sqlite, runId, path.join(runDir, 'best'));
  }
  try {
    const result = await train({ config: opts.config, prepared, runDir, signal: opts.signal, onProgress: opts.onProgress, resume: opts.resumeRunId !== undefined, initFrom: warm?.dir });
    // What opening the model would compute (catalogue, item features, item vectors), saved beside
    // it from this run's validation: the first list after training comes without recomputing it.
    // Only for data prepared here from the library, whose catalogue the fingerprint describes.
    if (result.itemVecs && catalogueBefore !== null && versions.catalogueVersion(sqlite) === catalogueBefore) {
      saveSnapshot(result.bestDir, catalogFingerprint(sqlite, result.bestDir), { catalog: prepared.data.catalog, items: prepared.items, itemVecs: result.itemVecs });
    }
    const best = result.epochs.find((e) => e.epoch === result.bestEpoch);
    const tx = sqlite.transaction(() => {
      runs.markRunCompleted(sqlite, runId, result.backend.name, result.epochs.length);
      for (const e of result.epochs) for (const [name, value] of Object.entries(e.valid)) if (Number.isFinite(value)) runs.putMetric(sqlite, runId, 'valid', name, e.epoch, value);
      for (const [name, value] of Object.entries(best?.valid ?? {})) if (Number.isFinite(value)) runs.putMetric(sqlite, runId, 'valid', name, -1, value);
      runs.setServingRun(sqlite, runId);
    });
    tx();
    return { run: getRun(lib, runId)!, result, prepared };
  } catch (e) {
    const cancelled = e instanceof CancelledError;
    runs.markRunEnded(sqlite, runId, cancelled ? 'cancelled' : 'failed', (e as Error).message);
    if (!cancelled) log.error(`training run ${runId} failed: ${(e as Error).message}`);
    throw e;
  }
}

export function getRun(lib: Library, id: number): RunRecord | null {
  const r = runs.runById(lib.sqlite, id);
  if (!r) return null;
  const metrics: Record<string, number> = {};
  for (const m of runs.bestMetrics(lib.sqlite, id)) metrics[`${m.split}/${m.name}`] = m.value;
  return {
    id: r.id, createdAt: r.createdAt, finishedAt: r.finishedAt ?? null, status: r.status, backend: r.backend, modelPath: r.modelPath ?? null,
    epochs: r.epochs ?? null, serving: Boolean(r.serving), error: r.error ?? null, metrics,
  };
}

/** A run as the Training page lists it: the record and its validation curve. */
export function runSummary(lib: Library, id: number): RunSummary {
  const r = getRun(lib, id)!;
  const curve = new Map<number, RunSummary['curve'][number]>();
  for (const m of runs.validationCurve(lib.sqlite, id)) {
    const c = curve.get(m.epoch) ?? { epoch: m.epoch + 1, loss: NaN, ndcg10: null, hitRate10: null };
    if (m.name === 'loss') c.loss = m.value;
    if (m.name === 'ndcg@10') c.ndcg10 = m.value;
    if (m.name === 'hit_rate@10') c.hitRate10 = m.value;
    curve.set(m.epoch, c);
  }
  return { ...r, curve: [...curve.values()] };
}

export function listRuns(lib: Library): RunRecord[] {
  return runs.runIdsNewestFirst(lib.sqlite).map((id) => getRun(lib, id)!);
}

/** The folder of the model that serves recommendations, or null before the first training. */
export function servingModelDir(lib: Library): string | null {
  const p = runs.servingModelPath(lib.sqlite);
  if (p) recoverDir(p);
  return p && fs.existsSync(path.join(p, 'manifest.json')) ? p : null;
}

/**
 * Runs still marked running when the app starts were interrupted (the app or the computer
 * stopped): they are marked failed with the reason; their folders keep the last checkpoint.
 */
export function markInterruptedRuns(lib: Library): number {
  return runs.markInterrupted(lib.sqlite);
}

export function setServing(lib: Library, runId: number): void {
  const run = getRun(lib, runId);
  if (!run || run.status !== 'completed') throw new Error(`run ${runId} is not a completed run`);
  runs.setServingRun(lib.sqlite, runId);
}

export interface EvaluationReport {
  task: 'test';
  users: number;
  backend: string | null;
  /** Discovery: tracks first played in the held-out period, without what was played before. */
  results: EvalResult[];
  /** All plays: everything played in the held-out period. */
  allPlays: EvalResult[];
}

export async function evaluateModel(
  lib: Library, config: AppConfig, modelDir: string, prepared?: Prepared, task?: EvalTask, opts: { profileIds?: number[] } = {},
): Promise<EvaluationReport> {
  const prep = prepared ?? prepareData(lib, config);
  const people = opts.profileIds ? new Set(prep.data.profiles.map((p, i) => (opts.profileIds!.includes(p.id) ? i : -1)).filter((i) => i >= 0)) : undefined;
  const evalOpts = { ks: config.evaluation.k_values, threshold: config.evaluation.threshold, bootstrap: config.evaluation.bootstrap, seed: config.training.seed };
  const r = await rankHeldOut(prep, config, modelDir, { eval: evalOpts, people, discovery: task });
  return { task: 'test', users: r.users, backend: backendInfo()?.name ?? null, results: r.discovery, allPlays: r.allPlays };
}
