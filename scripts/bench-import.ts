/**
 * W-IMPORT of ../shared/bench/REFERENCE.md: a fresh database; both catalogues, then every folder
 * of histories/spotify-account as one person each. Prints the workload's JSON line last.
 *   npm run bench:import -- [--data ../shared/data] [--reps 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openLibrary } from '../src/main/db';
import { configureLogging } from '../src/main/logging';
import { sharedDir } from '../src/main/paths';
import { runImport } from '../src/main/services/import-service';
import { percentile } from './lib/stats';

const { values } = parseArgs({ options: { data: { type: 'string' }, reps: { type: 'string', default: '3' } } });
const dataDir = path.resolve(values.data ?? path.join(sharedDir(), 'data'));
const reps = Math.max(1, Number(values.reps));
configureLogging({ level: 'WARNING' });

const median = (xs: number[]) => percentile(xs, 0.5);

/**
 * The SQLite write floor: every row the import left in `file`, read into memory first, then
 * inserted into a fresh library in one transaction with prepared statements (the importer's own
 * way of writing) — no parsing, normalising or matching. With `indexes: false` the secondary
 * indexes are dropped first and foreign keys are off: the least any import of this data into
 * this schema can cost here.
 */
function writeFloor(file: string, indexes: boolean): { seconds: number; rows: number } {
  // Raw SQL on purpose (the one place outside src/main/db/): this measures the floor *under* the
  // query layer — generic copies of whole tables, which no query of the app's would answer.
  const src = new Database(file, { readonly: true });
  const tables = ['artists', 'genres', 'profiles', 'imports', 'tracks', 'track_artists', 'track_genres', 'listening_events'];
  const data = tables.map((t) => {
    const stmt = src.prepare(`SELECT * FROM ${t}`);
    return { t, cols: stmt.columns().map((c) => c.name), rows: stmt.raw().all() as unknown[][] };
  });
  src.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omr-bench-floor-'));
  const lib = openLibrary(path.join(dir, 'floor.sqlite'));
  if (!indexes) {
    lib.sqlite.pragma('foreign_keys = OFF');
    for (const { name } of lib.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string }[]) {
      lib.sqlite.exec(`DROP INDEX ${name}`);
    }
  }
  const t0 = performance.now();
  lib.sqlite.exec('BEGIN');
  for (const { t, cols, rows } of data) {
    const ins = lib.sqlite.prepare(`INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    for (const r of rows) ins.run(r);
  }
  lib.sqlite.exec('COMMIT');
  const seconds = (performance.now() - t0) / 1000;
  lib.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { seconds, rows: data.reduce((n, d) => n + d.rows.length, 0) };
}

async function once(keep = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omr-bench-import-'));
  const lib = openLibrary(path.join(dir, 'lib.sqlite'));
  const t0 = performance.now();
  const cat = await runImport(lib, {
    catalogs: ['spotify_tracks_114k.csv', 'tidytuesday_spotify_songs.csv'].map((f) => path.join(dataDir, 'catalog', f)),
  });
  const t1 = performance.now();
  const root = path.join(dataDir, 'histories', 'spotify-account');
  const people = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory()).sort().map((d) => path.join(root, d));
  const hist = await runImport(lib, { histories: people, profilePerPath: true });
  const t2 = performance.now();
  lib.close();
  const file = path.join(dir, 'lib.sqlite');
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  return { catalogS: (t1 - t0) / 1000, historyS: (t2 - t1) / 1000, cat, hist, dir, file };
}

void (async () => {
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const r = await once(i === reps - 1);
    runs.push(r);
    process.stderr.write(`rep ${i + 1}/${reps}: catalogue ${r.catalogS.toFixed(2)} s, history ${r.historyS.toFixed(2)} s\n`);
  }
  const last = runs[runs.length - 1];
  // The import's own high-water mark, before the floor measurement holds every row in memory.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const floor = writeFloor(last.file, true);
  const floorBare = writeFloor(last.file, false);
  fs.rmSync(last.dir, { recursive: true, force: true });
  process.stderr.write(
    `SQLite write floor (${floor.rows} rows already in memory): ${floor.seconds.toFixed(2)} s with this schema, ` +
      `${floorBare.seconds.toFixed(2)} s without secondary indexes or foreign keys\n`,
  );
  const catalogS = median(runs.map((r) => r.catalogS));
  const historyS = median(runs.map((r) => r.historyS));
  const totalS = median(runs.map((r) => r.catalogS + r.historyS));
  const events = last.hist.events;
  console.log(
    JSON.stringify({
      workload: 'W-IMPORT',
      events,
      events_per_s: Math.round(events / historyS),
      events_per_s_end_to_end: Math.round(events / totalS),
      catalog_tracks: last.cat.catalog.tracksTotal,
      catalog_rows: last.cat.catalog.rows,
      catalog_s: +catalogS.toFixed(3),
      history_s: +historyS.toFixed(3),
      total_s: +totalS.toFixed(3),
      track_match: +last.hist.trackMatch.toFixed(4),
      artist_match: +last.hist.artistMatch.toFixed(4),
      peak_rss_mb: peakRssMb,
      write_floor_s: +floor.seconds.toFixed(3),
      write_floor_bare_s: +floorBare.seconds.toFixed(3),
      rows_written: floor.rows,
      reps,
      node: process.version,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
    }),
  );
})();
