/**
 * W-IMPORT of ../shared/bench/REFERENCE.md: a fresh database; both catalogues, then every folder
 * of histories/spotify-account as one person each. Prints the workload's JSON line last.
 *   npm run bench:import -- [--data ../shared/data] [--reps 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
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

async function once() {
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
  fs.rmSync(dir, { recursive: true, force: true });
  return { catalogS: (t1 - t0) / 1000, historyS: (t2 - t1) / 1000, cat, hist };
}

void (async () => {
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const r = await once();
    runs.push(r);
    process.stderr.write(`rep ${i + 1}/${reps}: catalogue ${r.catalogS.toFixed(2)} s, history ${r.historyS.toFixed(2)} s\n`);
  }
  const last = runs[runs.length - 1];
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
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      reps,
      node: process.version,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
    }),
  );
})();
