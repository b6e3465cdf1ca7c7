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

/**
 * Opens (creating if needed) the library database and brings its schema up to date. A file that
 * is not a SQLite database, or one a newer version of the app has migrated past this version's
 * schema, is refused by name (a newer schema would otherwise be read and written as if it were
 * this one's).
 */
export function openLibrary(file: string, opts: OpenOptions = {}): Library {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file, { readonly: opts.readonly ?? false });
  try {
    sqlite.pragma('schema_version', { simple: true });
  } catch (e) {
    sqlite.close();
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new Error(`${file}: not a library database, or a damaged one (${code})`);
    throw e;
  }
  const newer = newerSchema(sqlite);
  if (newer) {
    sqlite.close();
    throw new Error(`${file}: written by a newer version of the app (${newer}); open it with that version, or start a new library`);
  }
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

/** Where the file's last applied migration is newer than any this version ships: a description; otherwise null. */
function newerSchema(sqlite: Database.Database): string | null {
  if (!appliedMigrations(sqlite)) return null;
  const last = (sqlite.prepare('SELECT max(created_at) AS t FROM __drizzle_migrations').get() as { t: number | null }).t;
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsDir(), 'meta', '_journal.json'), 'utf8')) as { entries: { when: number; tag: string }[] };
  const known = Math.max(...journal.entries.map((e) => e.when));
  return last !== null && Number(last) > known ? `its schema is from ${new Date(Number(last)).toISOString().slice(0, 10)}, this version's from ${new Date(known).toISOString().slice(0, 10)}` : null;
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
