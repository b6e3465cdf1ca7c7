/**
 * The recommender on real people: three Spotify account exports from ../shared with both real
 * catalogues. Training completes, the test metrics are computed, and explanations cite the
 * person's own listening.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { openLibrary } from '../../src/main/db';
import { Recommender } from '../../src/main/recommender/inference/recommender';
import { runImport } from '../../src/main/services/import-service';
import { evaluateModel, trainRun } from '../../src/main/services/model-service';
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
});
