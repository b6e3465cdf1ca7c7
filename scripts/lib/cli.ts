/** Shared command-line handling for the scripts: --db, --config, --set, --data-dir, --log-level, --json. */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadAndLogConfig, type LoadedConfig } from '../../src/main/config';
import { configureLogging, getLogger, parseLevel } from '../../src/main/logging';
import { dataPaths } from '../../src/main/paths';

export const COMMON_OPTIONS = {
  db: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(options: O, usage: string) {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ options: { ...COMMON_OPTIONS, ...options }, allowPositionals: false, strict: true }).values as Record<string, unknown>;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return values as { [K in keyof (typeof COMMON_OPTIONS & O)]: any };
}

export interface Context {
  dbPath: string;
  dataDir: string;
  loaded: LoadedConfig;
}

/** Sets up logging (console + a log file in the data folder) and loads the configuration. */
export function setup(values: { db?: string; 'data-dir'?: string; config?: string[]; set?: string[]; 'log-level'?: string }): Context {
  const paths = dataPaths(values['data-dir'] ? path.resolve(values['data-dir']) : undefined);
  const dbPath = values.db ? path.resolve(values.db) : paths.db;
  const logFile = values.db ? path.join(path.dirname(dbPath), 'logs', 'cli.log') : path.join(paths.logs, 'cli.log');
  configureLogging({ level: values['log-level'] ? parseLevel(values['log-level']) : 'INFO', file: logFile, fileLevel: 'DEBUG' });
  const userLayer = fs.existsSync(paths.userConfigs) ? [paths.userConfigs] : [];
  const loaded = loadAndLogConfig({ layers: [...userLayer, ...(values.config ?? [])], overrides: values.set ?? [] });
  if (!values['log-level']) configureLogging({ level: loaded.config.logging.level, file: logFile, fileLevel: 'DEBUG' });
  return { dbPath, dataDir: paths.root, loaded };
}

/** Runs a script body, turning any error into one clear line (and a non-zero exit). */
export async function main(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    getLogger('cli').error((e as Error).message);
    if (process.env.OMR_DEBUG) console.error(e);
    process.exitCode = 1;
  }
}

/** Where models live for a given database: beside it (--db) or in the data folder. */
export function modelsDirFor(ctx: Context, explicitDb: boolean): string {
  return explicitDb ? path.join(path.dirname(ctx.dbPath), 'models') : path.join(ctx.dataDir, 'models');
}

/** Rounds every number of a metrics object for printing. */
export function rounded(m: Record<string, number>, digits = 4): Record<string, number> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number.isFinite(v) ? +v.toFixed(digits) : v]));
}

/** A fixed-width table of metrics (rows) by ranker (columns). */
export function metricsTable(results: { ranker: string; metrics: Record<string, number> }[], names: string[]): string {
  const w = Math.max(...names.map((n) => n.length)) + 2;
  // Each column as wide as its ranker's name and a gap (at a fixed 17, catalog_popularity ran into its neighbour).
  const c = results.map((r) => Math.max(6, r.ranker.length) + 2);
  const head = ''.padEnd(w) + results.map((r, j) => r.ranker.padStart(c[j])).join('');
  const rows = names.map((n) => n.padEnd(w) + results.map((r, j) => (Number.isFinite(r.metrics[n]) ? r.metrics[n].toFixed(4) : '—').padStart(c[j])).join(''));
  return [head, ...rows].join('\n');
}
