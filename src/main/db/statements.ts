/**
 * Prepared statements, compiled once per connection and reused: the query modules call
 * `stmt(db, sql)` with constant SQL, so a hot path pays for parsing once. Each SQL text belongs to
 * one query function, so a statement's mode (`pluck`, `raw`) is always the one its function set.
 */
import type Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function stmt(db: Database.Database, sql: string): Database.Statement {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}

export type Sqlite = Database.Database;

const orms = new WeakMap<Database.Database, BetterSQLite3Database<typeof schema>>();

/** drizzle's typed query builder over a connection (one per connection). */
export function orm(db: Database.Database): BetterSQLite3Database<typeof schema> {
  let o = orms.get(db);
  if (!o) orms.set(db, (o = drizzle(db, { schema })));
  return o;
}

/** Transactions spanning async work (an import reads files between writes): BEGIN IMMEDIATE takes the write lock at once. */
export const beginImmediate = (db: Database.Database): void => void db.exec('BEGIN IMMEDIATE');
export const commit = (db: Database.Database): void => void db.exec('COMMIT');
/** Rolls back when a transaction is open (a no-op otherwise). */
export const rollback = (db: Database.Database): void => {
  if (db.inTransaction) db.exec('ROLLBACK');
};
