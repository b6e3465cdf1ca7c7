/**
 * W-RECOMMEND of ../shared/bench/REFERENCE.md: the W-IMPORT database plus a trained model; for
 * each person, top 50 with explanations, excluding what they played, in this process.
 *   npm run bench:recommend -- [--data ../shared/data] [--epochs 2] [--reps 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/main/config';
import { openLibrary, profiles } from '../src/main/db';
import { configureLogging } from '../src/main/logging';
import { sharedDir } from '../src/main/paths';
import { initBackend } from '../src/main/recommender/backend';
import { keepRecommendations } from '../src/main/services/last-recommendations';
import { Recommender } from '../src/main/recommender/inference/recommender';
import { runImport } from '../src/main/services/import-service';
import { trainRun } from '../src/main/services/model-service';
import { percentile } from './lib/stats';

const { values } = parseArgs({ options: { data: { type: 'string' }, epochs: { type: 'string', default: '2' }, reps: { type: 'string', default: '5' } } });
configureLogging({ level: 'WARNING' });
const dataDir = path.resolve(values.data ?? path.join(sharedDir(), 'data'));

void (async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omr-bench-rec-'));
  const lib = openLibrary(path.join(dir, 'lib.sqlite'));
  await runImport(lib, { catalogs: ['spotify_tracks_114k.csv', 'tidytuesday_spotify_songs.csv'].map((f) => path.join(dataDir, 'catalog', f)) });
  const root = path.join(dataDir, 'histories', 'spotify-account');
  await runImport(lib, { histories: fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory()).sort().map((d) => path.join(root, d)), profilePerPath: true });
  const config = loadConfig({ overrides: [`training.epochs=${values.epochs}`] }).config;
  const { run } = await trainRun(lib, { config, modelsDir: path.join(dir, 'models') });
  const backend = await initBackend(config.training.backend);
  const t0 = performance.now();
  const rec = Recommender.open(lib, run.modelPath!);
  const openMs = performance.now() - t0;
  const users = profiles.profileIds(lib.sqlite);
  const times: number[] = [];
  for (let r = 0; r < Number(values.reps); r++) {
    for (const u of users) {
      const t = performance.now();
      const opts = { k: 50, explain: true, excludePlayed: true };
      // As the app serves it: the list, then kept as the person's last list (once answered).
      keepRecommendations(lib, u, opts, rec.recommend(u, opts));
      times.push(performance.now() - t);
      await new Promise((r) => setImmediate(r));
    }
  }
  rec.dispose();
  lib.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const pct = (p: number) => percentile(times, p);
  console.log(JSON.stringify({ workload: 'W-RECOMMEND', users: users.length, requests: times.length, p50_ms: +pct(0.5).toFixed(2), p99_ms: +pct(0.99).toFixed(2), catalog_tracks: rec.catalogSize, model_open_ms: Math.round(openMs), backend: backend.name, node: process.version, cpus: os.cpus().length }));
})();
