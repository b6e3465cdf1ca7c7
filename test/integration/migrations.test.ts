import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openLibrary } from '../../src/main/db';
import { migrationsDir } from '../../src/main/paths';
import { tmpDir } from '../helpers/env';

const journal = () => JSON.parse(fs.readFileSync(path.join(migrationsDir(), 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };

describe('migrations', () => {
  it('are numbered in order with one SQL file each', () => {
    const entries = journal().entries;
    entries.forEach((e, i) => {
      expect(e.idx).toBe(i);
      expect(e.tag.startsWith(String(i).padStart(4, '0'))).toBe(true);
      expect(fs.existsSync(path.join(migrationsDir(), `${e.tag}.sql`))).toBe(true);
    });
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
});
