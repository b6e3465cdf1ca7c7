import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';
import { migrationsDir } from '../paths';
import { getLogger } from '../logging';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Library {
  /** The raw connection, for prepared statements on hot paths (bulk import). */
  sqlite: Database.Database;
  /** Typed queries. */
  db: Db;
  close(): void;
}

export interface OpenOptions {
  readonly?: boolean;
  /** Skip applying migrations (read-only tools on an up-to-date file). */
  skipMigrations?: boolean;
}

/** Opens (creating if needed) the library database and brings its schema up to date. */
export function openLibrary(file: string, opts: OpenOptions = {}): Library {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file, { readonly: opts.readonly ?? false });
  if (!opts.readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('temp_store = MEMORY');
  const db = drizzle(sqlite, { schema });
  if (!opts.readonly && !opts.skipMigrations) {
    const before = appliedMigrations(sqlite);
    migrate(db, { migrationsFolder: migrationsDir() });
    const after = appliedMigrations(sqlite);
    if (after > before) getLogger('db').info(`applied ${after - before} migration(s) to ${file}`);
  }
  return { sqlite, db, close: () => sqlite.close() };
}

function appliedMigrations(sqlite: Database.Database): number {
  const exists = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!exists) return 0;
  return (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
}

/**
 * Changes whenever anything was committed to the database since the last call — by this
 * connection (`total_changes()`) or another one, such as the import worker's (`data_version`).
 * Microseconds, so a cache can check it on every request before re-reading what it keys on.
 */
export function dbVersion(sqlite: Database.Database): string {
  const dv = sqlite.pragma('data_version', { simple: true }) as number;
  const tc = sqlite.prepare('SELECT total_changes()').pluck().get() as number;
  return `${dv}/${tc}`;
}

export { schema };
