import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { openLibrary } from '../../src/main/db';
import { migrationsDir } from '../../src/main/paths';
import { tmpDir } from '../helpers/env';

const journal = () => JSON.parse(fs.readFileSync(path.join(migrationsDir(), 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; tag: string; when: number }[] };

describe('migrations', () => {
  it('are numbered in order with one SQL file each', () => {
    const entries = journal().entries;
    entries.forEach((e, i) => {
      expect(e.idx).toBe(i);
      expect(e.tag.startsWith(String(i).padStart(4, '0'))).toBe(true);
      expect(fs.existsSync(path.join(migrationsDir(), `${e.tag}.sql`))).toBe(true);
    });
  });

  it('upgrades a library made before the last migration, keeping what it holds', () => {
    // The migrations folder as it was one migration ago.
    const old = tmpDir();
    const entries = journal().entries;
    const before = entries.slice(0, -1);
    fs.mkdirSync(path.join(old, 'meta'));
    fs.writeFileSync(path.join(old, 'meta', '_journal.json'), JSON.stringify({ ...journal(), entries: before }));
    for (const e of before) fs.copyFileSync(path.join(migrationsDir(), `${e.tag}.sql`), path.join(old, `${e.tag}.sql`));
    const file = path.join(tmpDir(), 'lib.sqlite');
    const sqlite = new Database(file);
    migrate(drizzle(sqlite), { migrationsFolder: old });
    sqlite.prepare("INSERT INTO profiles (name) VALUES ('kept')").run();
    sqlite.prepare("INSERT INTO community_sources (name, kind, imported_at, groups, rows, matched_rows) VALUES ('hetrec', 'hetrec', 1, 2, 3, 4)").run();
    const tables = (db: Database.Database) => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const had = tables(sqlite);
    sqlite.close();
    const lib = openLibrary(file);
    expect(lib.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(entries.length);
    expect(tables(lib.sqlite).length).toBeGreaterThan(had.length);
    expect(lib.sqlite.prepare('SELECT name FROM profiles').pluck().all()).toEqual(['kept']);
    expect(lib.sqlite.prepare('SELECT name FROM community_sources').pluck().all()).toEqual(['hetrec']);
    lib.close();
  });

  it('each applies on top of the previous ones, and applying again changes nothing', () => {
    const entries = journal().entries;
    const db = new Database(':memory:');
    for (const e of entries) {
      const sql = fs.readFileSync(path.join(migrationsDir(), `${e.tag}.sql`), 'utf8');
      for (const stmt of sql.split('--> statement-breakpoint')) if (stmt.trim()) db.exec(stmt);
    }
    const manual = db.prepare("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();
    const file = path.join(tmpDir(), 'lib.sqlite');
    const lib = openLibrary(file);
    lib.close();
    const again = openLibrary(file);
    const migrated = again.sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name").all();
    expect(migrated).toEqual(manual);
    expect(again.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(entries.length);
    expect(again.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(again.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    again.close();
  });

  it('refuses, by name and untouched, a library a newer version migrated past this one, and a file that is not a database', () => {
    const file = path.join(tmpDir(), 'lib.sqlite');
    const lib = openLibrary(file);
    const last = Math.max(...journal().entries.map((e) => e.when));
    lib.sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-a-newer-version', last + 86_400_000);
    lib.sqlite.exec('CREATE TABLE later_feature (x INTEGER)');
    lib.close();
    const bytes = fs.readFileSync(file);
    expect(() => openLibrary(file)).toThrow(`${file}: written by a newer version of the app`);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    // The same library without the newer migration opens as before.
    const raw = new Database(file);
    raw.prepare("DELETE FROM __drizzle_migrations WHERE hash = 'from-a-newer-version'").run();
    raw.close();
    openLibrary(file).close();
    const junk = path.join(tmpDir(), 'notes.sqlite');
    fs.writeFileSync(junk, 'these are my notes, not a database '.repeat(200));
    expect(() => openLibrary(junk)).toThrow(`${junk}: not a library database, or a damaged one (SQLITE_NOTADB)`);
  });
});
