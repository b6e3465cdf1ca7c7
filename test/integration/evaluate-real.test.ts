/**
 * evaluate:real takes any folder laid out like ../shared/data. This one is written by the test:
 * the synthetic library exported as a Spotify-tracks catalogue CSV and one Spotify account
 * export per person.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { openLibrary } from '../../src/main/db';
import { generateSyntheticLibrary } from '../../src/main/recommender/data/synthetic';
import { evaluateReal } from '../../src/main/services/evaluation-service';
import { tmpDir } from '../helpers/env';
import { TRACKS_HEADER } from '../helpers/fixtures';

function exportSyntheticAsData(root: string, profiles = 24, eventsPerProfile = 250): void {
  const lib = openLibrary(path.join(tmpDir(), 'syn.sqlite'));
  generateSyntheticLibrary(lib, { seed: 9, tracks: 1500, profiles, eventsPerProfile });
  const q = (v: unknown) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v === null ? '' : String(v));
  const rows = lib.sqlite
    .prepare(`SELECT t.spotify_id, a.name, t.album, t.title, t.popularity, t.duration_ms, 'False', t.danceability, t.energy, t.key, t.loudness,
              t.mode, t.speechiness, t.acousticness, t.instrumentalness, t.liveness, t.valence, t.tempo, t.time_signature, g.name
              FROM tracks t JOIN artists a ON a.id = t.artist_id JOIN genres g ON g.id = t.main_genre_id`)
    .raw()
    .all() as unknown[][];
  fs.mkdirSync(path.join(root, 'catalog'), { recursive: true });
  fs.writeFileSync(path.join(root, 'catalog', 'tracks.csv'), [TRACKS_HEADER, ...rows.map((r) => r.map(q).join(','))].join('\n') + '\n');
  for (const { id, name } of lib.sqlite.prepare('SELECT id, name FROM profiles').all() as { id: number; name: string }[]) {
    const events = (lib.sqlite.prepare('SELECT ts, artist_raw, title_raw, ms_played FROM listening_events WHERE profile_id = ? ORDER BY ts').raw().all(id) as [number, string, string, number][])
      .map(([ts, artistName, trackName, msPlayed]) => ({ endTime: new Date(ts).toISOString().slice(0, 16).replace('T', ' '), artistName, trackName, msPlayed }));
    const dir = path.join(root, 'histories', 'spotify-account', name.replace(/\W+/g, '_'));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'StreamingHistory_music_0.json'), JSON.stringify(events));
  }
  lib.close();
}

describe('evaluate:real on a folder laid out like ../shared/data', () => {
  it('ranks with the model and every baseline on both tasks', async () => {
    const root = tmpDir('omr-data-');
    exportSyntheticAsData(root);
    const overrides = ['training.epochs=3', 'evaluation.bootstrap.samples=50', 'preprocessing.split.test_fraction=0.2'];
    const config = loadConfig({ overrides }).config;
    const r = await evaluateReal({ dataDir: root, config, overrides, loadConfig: (ov) => loadConfig({ overrides: ov }).config });
    expect(r.people).toBe(24);
    for (const task of ['discovery', 'all_plays'] as const) {
      expect(Object.keys(r.tasks[task].rankers).sort()).toEqual(['artist_affinity', 'catalog_popularity', 'content_knn', 'ease', 'item_cf', 'popularity', 'random', 'recent_artists', 'recent_replay', 'replay', 'two_tower']);
      expect(r.tasks[task].users).toBeGreaterThan(15);
      for (const m of Object.values(r.tasks[task].rankers)) {
        for (const k of ['ndcg@10', 'ndcg@50', 'map@10', 'mrr', 'hit_rate@10', 'hit_rate@50', 'recall@50', 'diversity@10', 'coverage@10', 'serendipity@10']) {
          expect(Number.isFinite(m.metrics[k]), k).toBe(true);
        }
      }
    }
    const tt = r.tasks.discovery.rankers.two_tower;
    // Classification metrics at the configured threshold exist; the ranking separates relevant from random tracks.
    expect(Number.isFinite(tt.metrics.f1)).toBe(true);
    expect(tt.metrics.auc).toBeGreaterThan(0.6);
    expect(tt.ci['ndcg@10'][0]).toBeLessThanOrEqual(tt.metrics['ndcg@10']);
    // The model beats random by a wide margin even on this tiny set.
    expect(tt.metrics['ndcg@10']).toBeGreaterThan(r.tasks.discovery.rankers.random.metrics['ndcg@10']);
    // Each person's own row: named, and the means are taken over exactly these rows.
    expect(r.perPerson?.length).toBe(24);
    expect(new Set(r.perPerson!.map((p) => p.name)).size).toBe(24);
    for (const task of ['discovery', 'all_plays'] as const) {
      const rows = r.perPerson!.filter((p) => p.tasks[task]);
      expect(rows.length).toBe(r.tasks[task].users);
      for (const ranker of ['two_tower', 'ease']) {
        const mean = rows.reduce((a, p) => a + p.tasks[task]![ranker]['ndcg@10'], 0) / rows.length;
        expect(mean).toBeCloseTo(r.tasks[task].rankers[ranker].metrics['ndcg@10'], 10);
      }
    }
    expect(r.perPerson!.reduce((a, p) => a + p.events, 0)).toBeGreaterThan(1000);
  });

  it('--alone: each person in a library of their own, averaged over people and listed per person', async () => {
    const root = tmpDir('omr-data-');
    exportSyntheticAsData(root, 3, 500);
    const overrides = ['training.epochs=2', 'evaluation.bootstrap.samples=50', 'preprocessing.split.test_fraction=0.2'];
    const config = loadConfig({ overrides }).config;
    const stages: string[] = [];
    const r = await evaluateReal({ dataDir: root, config, overrides, alone: true, onStage: (s) => stages.push(s) });
    expect(r.mode).toBe('alone');
    expect(r.perPerson?.length).toBe(3);
    // Each person's library held only them: one import per person after the catalogue's.
    expect(stages.filter((s) => s.includes('into their own library')).length).toBe(3);
    for (const p of r.perPerson!) {
      expect(p.events).toBeGreaterThan(100);
      expect(p.tasks.all_plays?.two_tower?.['ndcg@10']).toBeGreaterThanOrEqual(0);
    }
    const all = r.tasks.all_plays;
    expect(all.users).toBe(3);
    // The average over people is the mean of each person's own figure.
    const own = r.perPerson!.map((p) => p.tasks.all_plays!.replay['ndcg@10']);
    expect(all.rankers.replay.metrics['ndcg@10']).toBeCloseTo(own.reduce((a, b) => a + b, 0) / own.length, 6);
    expect(all.rankers.two_tower.perUser['ndcg@10'].length).toBe(3);
  });

  it('--seeds N: the whole protocol once per seed, each seed against its own best baseline, and the means', () => {
    const root = tmpDir('omr-data-');
    exportSyntheticAsData(root, 6, 150);
    const out = tmpDir('omr-out-');
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, '../../scripts/evaluate-real.ts'), '--data', root, '--out', out, ...args], { encoding: 'utf8', timeout: 240_000 });
    // Refused before anything runs.
    for (const bad of [['--seeds', '0'], ['--seeds', '2.5'], ['--seeds', '51'], ['--seeds', '2', '--analysis'], ['--seeds', '3', '--first-seed', '2147483646']]) {
      const r = cli(...bad);
      expect(r.status, bad.join(' ')).not.toBe(0);
      expect(r.stderr + r.stdout).toMatch(/--seeds|--analysis|--first-seed/);
    }
    const r = cli('--seeds', '2', '--first-seed', '5', '--json', '--set', 'training.epochs=1', '--set', 'evaluation.bootstrap.samples=20');
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const json = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(json.seeds.map((s: { seed: number }) => s.seed)).toEqual([5, 6]);
    for (const task of ['discovery', 'all_plays']) {
      // The top-level figures are the seeds' means.
      for (const ranker of ['two_tower', 'replay']) {
        const perSeed = json.seeds.map((s: Record<string, Record<string, number>>) => s[task][ranker]);
        expect(json[task][ranker]['ndcg@10']).toBeCloseTo((perSeed[0] + perSeed[1]) / 2, 3);
      }
      const best = json.seeds.map((s: Record<string, Record<string, number>>) => Math.max(...Object.entries(s[task]).filter(([n]) => !['two_tower', 'random', 'recent_replay', 'recent_artists'].includes(n)).map(([, v]) => v)));
      expect(json.summary[task].best_baseline).toBeCloseTo((best[0] + best[1]) / 2, 3);
      expect(json.summary[task].seeds_at_1x).toBeLessThanOrEqual(2);
    }
    expect(json.people).toHaveLength(6);
    const dir = path.join(out, 'reports', fs.readdirSync(path.join(out, 'reports'))[0]);
    expect(fs.readdirSync(dir).sort()).toEqual(['real-seeds.md', 'seed-5', 'seed-6']);
    expect(fs.existsSync(path.join(dir, 'seed-6', 'real.md'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'real-seeds.md'), 'utf8')).toMatch(/over 2 seeds \(5–6\)[\s\S]*\| 6 \| [\d.]+ \| \w+ \|/);
  }, 300_000);
});
