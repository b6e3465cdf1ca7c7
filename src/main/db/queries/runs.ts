/** Training runs (model_runs) and their metrics (model_metrics). */
import { desc, eq } from 'drizzle-orm';
import { modelRuns } from '../schema';
import { orm, stmt, type Sqlite } from '../statements';

export type RunRow = typeof modelRuns.$inferSelect;

export const runById = (db: Sqlite, id: number): RunRow | undefined => orm(db).select().from(modelRuns).where(eq(modelRuns.id, id)).get();

export const runIdsNewestFirst = (db: Sqlite): number[] => orm(db).select({ id: modelRuns.id }).from(modelRuns).orderBy(desc(modelRuns.id)).all().map((r) => r.id);

/** A new run, status running; its id. */
export const insertRun = (db: Sqlite, config: string, backend: string) =>
  Number(stmt(db, "INSERT INTO model_runs (created_at, status, config, backend) VALUES (?, 'running', ?, ?)").run(Date.now(), config, backend).lastInsertRowid);

export const setRunModelPath = (db: Sqlite, id: number, modelPath: string) => stmt(db, 'UPDATE model_runs SET model_path = ? WHERE id = ?').run(modelPath, id);

export const markRunResumed = (db: Sqlite, id: number) => stmt(db, "UPDATE model_runs SET status = 'running', error = NULL WHERE id = ?").run(id);

export const markRunCompleted = (db: Sqlite, id: number, backend: string, epochs: number) =>
  stmt(db, "UPDATE model_runs SET status = 'completed', finished_at = ?, backend = ?, epochs = ? WHERE id = ?").run(Date.now(), backend, epochs, id);

export const markRunEnded = (db: Sqlite, id: number, status: 'failed' | 'cancelled', error: string) =>
  stmt(db, 'UPDATE model_runs SET status = ?, finished_at = ?, error = ? WHERE id = ?').run(status, Date.now(), error, id);

/** Runs still marked running (the app stopped while they trained) become failed; how many. */
export const markInterrupted = (db: Sqlite) =>
  stmt(db, "UPDATE model_runs SET status = 'failed', finished_at = ?, error = 'interrupted: the app stopped while this run was training; its last checkpoint can be resumed' WHERE status = 'running'")
    .run(Date.now()).changes;

/** Makes `id` the one serving run. */
export const setServingRun = (db: Sqlite, id: number) => stmt(db, 'UPDATE model_runs SET serving = (id = ?)').run(id);

export const servingRunId = (db: Sqlite) => stmt(db, "SELECT id FROM model_runs WHERE serving = 1 AND status = 'completed'").pluck().get() as number | undefined;

export const servingModelPath = (db: Sqlite) =>
  stmt(db, "SELECT model_path FROM model_runs WHERE serving = 1 AND status = 'completed' ORDER BY id DESC LIMIT 1").pluck().get() as string | undefined;

export const lastCompletedBackend = (db: Sqlite) =>
  stmt(db, "SELECT backend FROM model_runs WHERE status = 'completed' ORDER BY id DESC LIMIT 1").pluck().get() as string | undefined;

export const latestRunningRunId = (db: Sqlite) => stmt(db, "SELECT max(id) FROM model_runs WHERE status = 'running'").pluck().get() as number | null;

/** Records a metric (epoch −1: the run's best). */
export const putMetric = (db: Sqlite, runId: number, split: string, name: string, epoch: number, value: number) =>
  stmt(db, 'INSERT OR REPLACE INTO model_metrics (run_id, split, name, epoch, value) VALUES (?, ?, ?, ?, ?)').run(runId, split, name, epoch, value);

export const bestMetrics = (db: Sqlite, runId: number) =>
  stmt(db, 'SELECT split, name, value FROM model_metrics WHERE run_id = ? AND epoch = -1').all(runId) as { split: string; name: string; value: number }[];

export const validationCurve = (db: Sqlite, runId: number) =>
  stmt(db, "SELECT name, epoch, value FROM model_metrics WHERE run_id = ? AND split = 'valid' AND epoch >= 0 ORDER BY epoch").all(runId) as {
    name: string; epoch: number; value: number;
  }[];
