/**
 * npm run bench:firstrun -- [--data ../shared/data] [--person u03] [--community PATH …] [--set key=value …]
 * A new user's first run, as the app does it: a fresh data folder → both catalogues (→ the
 * community data) → one person's export → a trained model → the first list of recommendations;
 * then new feedback → a quick retraining from the serving model (warm start) → the next list, and
 * for comparison a full retraining. Prints each phase's seconds and the process's
 * peak RSS, JSON last.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/main/config';
import { openLibrary, profiles } from '../src/main/db';
import { configureLogging } from '../src/main/logging';
import { sharedDir } from '../src/main/paths';
import { Recommender } from '../src/main/recommender/inference/recommender';
import { runImport } from '../src/main/services/import-service';
import { importCommunity } from '../src/main/importers/community';
import { trainRun } from '../src/main/services/model-service';

const { values } = parseArgs({ options: { data: { type: 'string' }, person: { type: 'string', default: 'u03' }, community: { type: 'string', multiple: true }, set: { type: 'string', multiple: true } } });
configureLogging({ level: 'WARNING' });
const dataDir = path.resolve(values.data ?? path.join(sharedDir(), 'data'));
const peakMb = () => process.resourceUsage().maxRSS / 1024;

void (async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omr-bench-firstrun-'));
  const phases: Record<string, number> = {};
  const t0 = performance.now();
  let t = t0;
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = +((now - t) / 1000).toFixed(2);
    t = now;
    process.stderr.write(`${name}: ${phases[name]} s (peak RSS ${peakMb().toFixed(0)} MB)\n`);
  };
  const lib = openLibrary(path.join(dir, 'library.sqlite'));
  await runImport(lib, { catalogs: ['spotify_tracks_114k.csv', 'tidytuesday_spotify_songs.csv'].map((f) => path.join(dataDir, 'catalog', f)) });
  lap('import_catalogues');
  for (const c of values.community ?? []) await importCommunity(lib, path.resolve(c));
  if (values.community?.length) lap('import_community');
  await runImport(lib, { histories: [path.join(dataDir, 'histories', 'spotify-account', values.person)], profile: values.person });
  lap('import_history');
  const config = loadConfig({ overrides: values.set ?? [] }).config;
  const first = await trainRun(lib, { config, modelsDir: path.join(dir, 'models') });
  lap('train');
  const profileId = profiles.profileIdByName(lib.sqlite, values.person!)!;
  let rec = await Recommender.openAsync(lib, first.run.modelPath!);
  const list = rec.recommend(profileId, { k: 20, explain: true });
  lap('first_list');
  const firstRunS = (performance.now() - t0) / 1000;
  for (const r of list.slice(0, 10)) process.stderr.write(`  ${r.rank}. ${r.artist} — ${r.title} (${r.genre ?? '?'})\n`);
  // New feedback → retrained → the next list.
  const tf = performance.now();
  t = tf;
  rec.feedback(profileId, 'like', { trackId: list[0].trackId });
  rec.feedback(profileId, 'dislike', { trackId: list[1].trackId });
  rec.dispose();
  // The quick retraining the app runs after feedback: from the serving model (warm start).
  const again = await trainRun(lib, { config, modelsDir: path.join(dir, 'models'), warm: true });
  rec = await Recommender.openAsync(lib, again.run.modelPath!);
  rec.recommend(profileId, { k: 20, explain: true });
  lap('feedback_to_list');
  rec.dispose();
  // For comparison: a full retraining from scratch after the same feedback.
  const full = await trainRun(lib, { config, modelsDir: path.join(dir, 'models') });
  rec = await Recommender.openAsync(lib, full.run.modelPath!);
  rec.recommend(profileId, { k: 20, explain: true });
  lap('feedback_to_list_full_retrain');
  rec.dispose();
  lib.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const out = {
    workload: 'firstrun', person: values.person, community: (values.community ?? []).map((c) => path.basename(c)), first_run_s: +firstRunS.toFixed(1), feedback_to_list_s: phases.feedback_to_list, feedback_full_retrain_s: phases.feedback_to_list_full_retrain,
    phases, epochs: first.result.epochs.length, backend: first.result.backend.name, peak_rss_mb: Math.round(peakMb()), date: new Date().toISOString().slice(0, 10),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
})();
