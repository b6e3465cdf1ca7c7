/**
 * npm run demo [-- --json]: builds the embedded SYNTHETIC library into a fresh database, trains
 * the two-tower model, prints one person's top recommendations with explanations, and the test
 * metrics against the popularity and random baselines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAndLogConfig } from '../src/main/config';
import { openLibrary, profiles } from '../src/main/db';
import { configureLogging } from '../src/main/logging';
import { generateSyntheticLibrary } from '../src/main/recommender/data/synthetic';
import { Recommender } from '../src/main/recommender/inference/recommender';
import { evaluateModel, trainRun } from '../src/main/services/model-service';
import { formatRecommendations } from '../src/main/services/report-format';
import { main, metricsTable, rounded } from './lib/cli';
import { ProgressBar } from './lib/progress';

const { values: v } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    dir: { type: 'string' },
    tracks: { type: 'string', default: '12000' },
    profiles: { type: 'string', default: '200' },
    events: { type: 'string', default: '400' },
    seed: { type: 'string', default: '7' },
    set: { type: 'string', multiple: true },
  },
});

void main(async () => {
  const t0 = performance.now();
  const dir = path.resolve(v.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'omr-demo-')));
  fs.rmSync(path.join(dir, 'library.sqlite'), { force: true });
  fs.rmSync(path.join(dir, 'models'), { recursive: true, force: true });
  configureLogging({ level: 'INFO', file: path.join(dir, 'logs', 'demo.log'), fileLevel: 'DEBUG' });
  const { config } = loadAndLogConfig({ overrides: ['training.epochs=6', ...(v.set ?? [])] });
  const lib = openLibrary(path.join(dir, 'library.sqlite'));
  const gen = generateSyntheticLibrary(lib, { seed: Number(v.seed), tracks: Number(v.tracks), profiles: Number(v.profiles), eventsPerProfile: Number(v.events) });
  process.stderr.write(`SYNTHETIC demo library (generated, not real data): ${gen.tracks} tracks, ${gen.artists} artists, ${gen.profiles} people, ${gen.events} listens → ${dir}\n`);
  const bar = new ProgressBar('train');
  const { run, prepared } = await trainRun(lib, {
    config,
    modelsDir: path.join(dir, 'models'),
    onProgress: (p) => p.steps && bar.update(p.epoch * p.steps + p.step, p.epochs * p.steps, `epoch ${p.epoch + 1}/${p.epochs}`),
  });
  bar.done();
  const report = await evaluateModel(lib, config, run.modelPath!, prepared);
  const profile = profiles.firstProfile(lib.sqlite)!;
  const rec = Recommender.open(lib, run.modelPath!);
  const recs = rec.recommend(profile.id, { k: 10, explain: true, maxPerArtist: config.recommend.max_per_artist, diversity: config.recommend.diversity });
  rec.dispose();
  process.stdout.write(`\nTop 10 for ${profile.name} (synthetic):\n${formatRecommendations(recs)}\n\n`);
  process.stdout.write(`Test period, ${report.users} people:\n`);
  process.stdout.write(metricsTable(report.results, ['hit_rate@10', 'ndcg@10', 'recall@50', 'mrr', 'auc', 'coverage@10', 'serendipity@10']) + '\n');
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`Done in ${seconds.toFixed(0)} s. Library and model: ${dir}\n`);
  if (v.json) {
    const by = Object.fromEntries(report.results.map((r) => [r.ranker === 'two_tower' ? 'model' : r.ranker, rounded(r.metrics)]));
    process.stdout.write(
      JSON.stringify({
        ...by,
        synthetic: { tracks: gen.tracks, artists: gen.artists, profiles: gen.profiles, events: gen.events, seed: Number(v.seed) },
        users_evaluated: report.users,
        backend: report.backend,
        profile: profile.name,
        top: recs.slice(0, 3).map((r) => ({ title: r.title, artist: r.artist, score: +r.score.toFixed(4), why: r.explanation?.summary })),
        seconds: +seconds.toFixed(1),
      }) + '\n',
    );
  }
  lib.close();
});
