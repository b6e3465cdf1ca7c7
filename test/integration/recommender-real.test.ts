/**
 * The recommender on real people: three Spotify account exports from ../shared with both real
 * catalogues. Training completes, the test metrics are computed, and explanations cite the
 * person's own listening.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { openLibrary } from '../../src/main/db';
import { TEST } from '../../src/main/recommender/data/dataset';
import { prepareData } from '../../src/main/recommender/data/pipeline';
import { Recommender } from '../../src/main/recommender/inference/recommender';
import { runImport } from '../../src/main/services/import-service';
import { evaluateModel, trainRun } from '../../src/main/services/model-service';
import { profileDetail } from '../../src/main/services/profile-service';
import { HAS_SHARED, data, tmpDir } from '../helpers/env';

describe.skipIf(!HAS_SHARED)('recommender on real exports', () => {
  it('trains, evaluates, and explains recommendations with the person’s real listening', async () => {
    const dir = tmpDir('omr-real-');
    const lib = openLibrary(path.join(dir, 'lib.sqlite'));
    await runImport(lib, { catalogs: [data('catalog', 'spotify_tracks_114k.csv'), data('catalog', 'tidytuesday_spotify_songs.csv')] });
    const people = ['u03', 'u05', 'u08'].map((u) => data('histories', 'spotify-account', u));
    await runImport(lib, { histories: people, profilePerPath: true });
    const { config } = loadConfig({ overrides: ['training.epochs=2', 'evaluation.bootstrap.samples=50'] });
    const { run, prepared } = await trainRun(lib, { config, modelsDir: path.join(dir, 'models') });
    expect(run.status).toBe('completed');
    const report = await evaluateModel(lib, config, run.modelPath!, prepared);
    const model = report.results.find((r) => r.ranker === 'two_tower')!;
    expect(model.users).toBeGreaterThan(0);
    expect(model.metrics.auc).toBeGreaterThan(0.5);

    const rec = Recommender.open(lib, run.modelPath!);
    const p = lib.sqlite.prepare("SELECT id FROM profiles WHERE name = 'u03'").pluck().get() as number;
    const playedArtists = new Map(
      (lib.sqlite.prepare('SELECT artist_id, count(*) n FROM listening_events WHERE profile_id = ? AND artist_id IS NOT NULL GROUP BY 1').raw().all(p) as [number, number][]),
    );
    const recs = rec.recommend(p, { k: 15, explain: true });
    expect(recs).toHaveLength(15);
    let cited = 0;
    for (const r of recs) {
      const artistFactor = r.explanation!.factors.find((f) => f.kind === 'artist');
      if (artistFactor && playedArtists.has(r.artistId)) {
        // "you have played them N times" with the true count from the database.
        expect(artistFactor.text).toContain(`played them ${playedArtists.get(r.artistId)} time`);
        cited++;
      }
      for (const b of r.explanation!.becauseArtists) expect(b.plays).toBeGreaterThan(0);
    }
    expect(cited).toBeGreaterThan(0);
    rec.dispose();
    lib.close();
  });

  it('a liked-songs file does not hand the model its own held-out answers: tracks only it lists are not ranked before they are saved', async () => {
    // Kacper's Exportify liked songs: 3,120 rows, each a catalogue row (with audio features) and a
    // saved-track event; 2,500 of them no catalogue lists. A library at the start of the test
    // period would not hold those saved in it, so evaluating there must not rank or count them.
    const dir = tmpDir('omr-exportify-');
    const lib = openLibrary(path.join(dir, 'lib.sqlite'));
    await runImport(lib, { catalogs: [data('catalog', 'tidytuesday_spotify_songs.csv')] });
    await runImport(lib, { histories: [data('histories', 'exportify')], profile: 'kacper' });
    const { config } = loadConfig();
    const prepared = prepareData(lib, config);
    const { catalog, events } = prepared.data;
    const exportOnly = prepared.data.exportOnly!;
    expect(exportOnly.reduce((s, x) => s + x, 0)).toBeGreaterThan(1500);
    // Each export-only row's first save, from the events.
    const first = new Map<number, number>();
    for (let i = 0; i < events.length; i++) {
      const t = events.track[i];
      if (t >= 0 && exportOnly[t] && !first.has(t)) first.set(t, prepared.split.part[i]);
    }
    const savedInTest = [...first].filter(([, part]) => part === TEST).map(([t]) => t);
    const savedBefore = [...first].filter(([, part]) => part !== TEST).map(([t]) => t);
    expect(savedInTest.length).toBeGreaterThan(200);
    for (const task of [prepared.test, prepared.testAll]) {
      expect(task.users).toEqual([0]);
      // What is left to find is catalogue tracks saved in the period (and, for all plays, a
      // recording saved again) …
      expect(task.relevant[0].size).toBeGreaterThan(20);
      for (const t of task.relevant[0]) expect(exportOnly[t] === 0 || first.get(t) !== TEST, catalog.title[t]).toBe(true);
      // … and the rows only the period's own saves brought are not ranked at all.
      for (const t of savedInTest) expect(task.exclude[0].has(t)).toBe(true);
    }
    // Rows saved before the period are the library's: the all-plays task ranks them.
    expect(savedBefore.length).toBeGreaterThan(1000);
    for (const t of savedBefore) expect(prepared.testAll.exclude[0].has(t)).toBe(false);
    lib.close();
  });

  it('explains a liked-songs listener\'s picks by what he saved, not by plays he never made', async () => {
    const dir = tmpDir('omr-saves-');
    const lib = openLibrary(path.join(dir, 'lib.sqlite'));
    await runImport(lib, { catalogs: [data('catalog', 'tidytuesday_spotify_songs.csv')] });
    await runImport(lib, { histories: [data('histories', 'exportify')], profile: 'kacper' });
    const id = lib.sqlite.prepare("SELECT id FROM profiles WHERE name = 'kacper'").pluck().get() as number;
    // A save is not listening time: no hours per month made up of 3.5-minute guesses.
    const profile = profileDetail(lib, id);
    expect(profile.saved).toBeGreaterThan(3000);
    expect(profile.events).toBe(0);
    expect(profile.hours).toBe(0);
    expect(profile.monthlyHours).toEqual([]);
    const { config } = loadConfig({ overrides: ['training.epochs=1', 'logging.tensorboard=false'] });
    const { run } = await trainRun(lib, { config, modelsDir: path.join(dir, 'models') });
    const saved = new Map(lib.sqlite.prepare("SELECT artist_id, count(*) FROM listening_events WHERE profile_id = ? AND reason_start = 'saved' GROUP BY 1").raw().all(id) as [number, number][]);
    const rec = Recommender.open(lib, run.modelPath!);
    let cited = 0;
    for (const discovery of [-1, 1]) {
      for (const r of rec.recommend(id, { k: 30, explain: true, discovery, excludePlayed: false })) {
        for (const f of r.explanation!.factors) expect(f.text, f.text).not.toMatch(/played them|\d+ plays|you play (it|\S+)|playing .+ lately|coming back to it|of your listening/);
        const text = r.explanation!.factors.find((f) => f.kind === 'artist')?.text;
        if (text && saved.has(r.artistId)) {
          expect(text).toContain(`saved ${saved.get(r.artistId)} of their tracks`);
          cited++;
        }
        for (const b of r.explanation!.becauseArtists) {
          expect(b.plays).toBe(0);
          expect(b.saved).toBeGreaterThan(0);
        }
      }
    }
    expect(cited).toBeGreaterThan(0);
    rec.dispose();
    lib.close();
  });
});
