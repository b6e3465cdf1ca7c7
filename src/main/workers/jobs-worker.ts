/**
 * Long work off the main thread: imports and training run here with their own database
 * connection, stream progress back, and can be cancelled.
 */
import { parentPort } from 'node:worker_threads';
import { loadConfig } from '../config';
import { openLibrary, runs } from '../db';
import { configureLogging, getLogger, type LogLevel } from '../logging';
import { importCommunity } from '../importers/community';
import { runImport, type ImportRequest } from '../services/import-service';
import { evaluateModel, trainRun } from '../services/model-service';
import { CancelledError } from '../recommender/training/trainer';

export type JobMessage =
  | { type: 'import'; dbPath: string; logFile: string; logLevel: LogLevel; request: Omit<ImportRequest, 'onProgress'> }
  | { type: 'train'; dbPath: string; logFile: string; logLevel: LogLevel; modelsDir: string; layers: string[]; overrides: string[]; warm?: boolean }
  | { type: 'evaluate'; dbPath: string; logFile: string; logLevel: LogLevel; modelDir: string; layers: string[]; overrides: string[]; profileId?: number }
  | { type: 'community'; dbPath: string; logFile: string; logLevel: LogLevel; path: string }
  | { type: 'cancel' };

export type JobReply =
  | { type: 'progress'; payload: unknown }
  | { type: 'result'; payload: unknown }
  | { type: 'error'; message: string; cancelled: boolean };

const port = parentPort!;
const controller = new AbortController();

port.on('message', async (m: JobMessage) => {
  if (m.type === 'cancel') {
    controller.abort();
    return;
  }
  configureLogging({ level: m.logLevel, file: m.logFile, quiet: true });
  const log = getLogger('worker');
  const lib = openLibrary(m.dbPath);
  try {
    if (m.type === 'community') {
      const r = await importCommunity(lib, m.path, {
        signal: controller.signal,
        onProgress: (p) => port.postMessage({ type: 'progress', payload: { phase: 'community', file: p.file, bytesDone: p.filesDone, bytesTotal: p.filesTotal, records: 0 } } satisfies JobReply),
      });
      const { sourceId: _id, ...summary } = r;
      port.postMessage({ type: 'result', payload: summary } satisfies JobReply);
    } else if (m.type === 'import') {
      const report = await runImport(lib, { ...m.request, onProgress: (p) => port.postMessage({ type: 'progress', payload: p } satisfies JobReply) });
      port.postMessage({ type: 'result', payload: report } satisfies JobReply);
    } else if (m.type === 'evaluate') {
      const { config } = loadConfig({ layers: m.layers, overrides: m.overrides });
      const report = await evaluateModel(lib, config, m.modelDir, undefined, undefined, { profileIds: m.profileId ? [m.profileId] : undefined });
      // Only what the window shows crosses back (the per-person lists stay here).
      const slim = (rs: typeof report.results) => rs.map((r) => ({ name: r.ranker, metrics: r.metrics }));
      port.postMessage({ type: 'result', payload: { users: report.users, rankers: slim(report.results), allPlays: slim(report.allPlays) } } satisfies JobReply);
    } else {
      const { config } = loadConfig({ layers: m.layers, overrides: m.overrides });
      let runId: number | null = null;
      const { run } = await trainRun(lib, {
        config,
        modelsDir: m.modelsDir,
        signal: controller.signal,
        warm: m.warm,
        onProgress: (p) => {
          if (runId === null) runId = runs.latestRunningRunId(lib.sqlite);
          port.postMessage({ type: 'progress', payload: { ...p, runId } } satisfies JobReply);
        },
      });
      port.postMessage({ type: 'result', payload: { runId: run.id } } satisfies JobReply);
    }
  } catch (e) {
    if (!(e instanceof CancelledError)) log.error(e);
    port.postMessage({ type: 'error', message: (e as Error).message, cancelled: e instanceof CancelledError } satisfies JobReply);
  } finally {
    lib.close();
  }
});
