/**
 * Imports the real exports of ../shared/data (read at run time, never copied into the repo).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../src/main/db';
import { collect } from '../../src/main/importers/collect';
import { detect } from '../../src/main/importers/detect';
import { runImport } from '../../src/main/services/import-service';
import { HAS_SHARED, data, tmpDir } from '../helpers/env';
import { snapshot } from '../helpers/fixtures';

const catalogs = () => [data('catalog', 'spotify_tracks_114k.csv'), data('catalog', 'tidytuesday_spotify_songs.csv')];
const people = () =>
  fs.readdirSync(data('histories', 'spotify-account')).filter((d) => /^u\d+$/.test(d)).sort().map((d) => data('histories', 'spotify-account', d));

describe.skipIf(!HAS_SHARED)('real exports under ../shared/data/histories', () => {
  it('detects every file through the importer for its format', async () => {
    const expected: [RegExp, string][] = [
      [/spotify-account\/u\d+\/StreamingHistory.*\.json$/, 'spotify-account'],
      [/spotify-extended\/.*(Streaming_History_Audio|endsong).*\.json$/, 'spotify-extended'],
      [/spotify-extended\/.*Streaming_History_Video.*\.json$/, 'spotify-extended'],
      [/lastfm-csv\/.*\.csv$/, 'lastfm-csv'],
      [/listenbrainz\/.*\.jsonl$/, 'listenbrainz'],
      [/exportify\/.*\.csv$/, 'exportify'],
    ];
    const seen = new Set<string>();
    for (const { source } of collect([data('histories')])) {
      const rule = expected.find(([re]) => re.test(source.name));
      if (!rule) continue;
      const d = await detect(source);
      expect(d.kind === 'history' || d.kind === 'both' ? d.format : `${d.kind}: ${'why' in d ? d.why : ''}`, source.name).toBe(rule[1]);
      seen.add(rule[1]);
    }
    expect([...seen].sort()).toEqual(['exportify', 'lastfm-csv', 'listenbrainz', 'spotify-account', 'spotify-extended']);
  });

  describe('the whole W-IMPORT set', () => {
    let lib: Library;
    beforeAll(() => {
      lib = openLibrary(path.join(tmpDir(), 'lib.sqlite'));
    });
    afterAll(() => lib.close());

    it('imports both catalogues and 20 people with the required match rates, then adds nothing the second time', async () => {
      const cat = await runImport(lib, { catalogs: catalogs() });
      expect(cat.catalog.rows).toBe(114000 + 32833);
      expect(cat.catalog.tracksTotal).toBeGreaterThan(110000);
      const r = await runImport(lib, { histories: people(), profilePerPath: true });
      expect(lib.sqlite.prepare('SELECT count(*) FROM profiles').pluck().get()).toBe(20);
      expect(r.events).toBeGreaterThan(300000);
      expect(r.imported + r.duplicates + r.skipped).toBe(r.events);
      expect(r.trackMatch).toBeGreaterThanOrEqual(0.3);
      expect(r.artistMatch).toBeGreaterThanOrEqual(0.7);
      // Every person's listens are there, in their own profile.
      const perProfile = lib.sqlite.prepare('SELECT p.name, count(*) n FROM listening_events e JOIN profiles p ON p.id = e.profile_id GROUP BY 1').all() as { name: string; n: number }[];
      expect(perProfile).toHaveLength(20);
      const again = await runImport(lib, { histories: people(), profilePerPath: true });
      expect(again.imported).toBe(0);
      expect(again.duplicates).toBe(r.imported + r.duplicates);
    });
  });

  it('imports a real export sliced into two overlapping requests without counting a listen twice', async () => {
    const dir = tmpDir();
    const lib = openLibrary(path.join(dir, 'lib.sqlite'));
    const real = JSON.parse(fs.readFileSync(data('histories', 'spotify-account', 'u00', 'StreamingHistory_music_0.json'), 'utf8')) as unknown[];
    const third = Math.floor(real.length / 3);
    fs.writeFileSync(path.join(dir, 'StreamingHistory_music_0.json'), JSON.stringify(real.slice(0, 2 * third)));
    fs.mkdirSync(path.join(dir, 'later'));
    fs.writeFileSync(path.join(dir, 'later', 'StreamingHistory_music_0.json'), JSON.stringify(real.slice(third)));
    const a = await runImport(lib, { histories: [path.join(dir, 'StreamingHistory_music_0.json')], profile: 'u00' });
    const b = await runImport(lib, { histories: [path.join(dir, 'later')], profile: 'u00' });
    const whole = await runImport(lib, { histories: [data('histories', 'spotify-account', 'u00')], profile: 'u00' });
    expect(b.duplicates).toBeGreaterThanOrEqual(third);
    expect(whole.imported).toBe(0);
    expect(a.imported + b.imported).toBe(lib.sqlite.prepare('SELECT count(*) FROM listening_events').pluck().get());
    lib.close();
  });

  it('rolls back a real import that breaks half-way', async () => {
    const dir = tmpDir();
    const lib = openLibrary(path.join(dir, 'lib.sqlite'));
    await runImport(lib, { histories: [data('histories', 'lastfm-csv', 'zsteve+metal-listening-analysis')], profile: 'z' });
    const before = snapshot(lib.sqlite);
    const text = fs.readFileSync(data('histories', 'spotify-extended', 'erickmay+Spotify-Shuffle-Analysis', 'endsong_1.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'endsong_0.json'), text.slice(0, Math.floor(text.length * 0.55)));
    await expect(runImport(lib, { histories: [path.join(dir, 'endsong_0.json')], profile: 'z' })).rejects.toThrow(/endsong_0\.json \(record \d+ starting at line 1\): the file ends inside this record/);
    expect(snapshot(lib.sqlite)).toBe(before);
    lib.close();
  });

  it('imports every other real history folder', async () => {
    const lib = openLibrary(path.join(tmpDir(), 'lib.sqlite'));
    await runImport(lib, { catalogs: catalogs() });
    const folders = ['spotify-extended', 'lastfm-csv', 'listenbrainz', 'exportify'].flatMap((k) =>
      fs.readdirSync(data('histories', k)).map((d) => data('histories', k, d)),
    );
    for (const f of folders) {
      const r = await runImport(lib, { histories: [f], profile: path.basename(f) });
      expect(r.imported, f).toBeGreaterThan(0);
      expect(r.artistMatch, f).toBeGreaterThan(0.5);
      // Every record is counted once; the match figures are over what was stored or already there
      // (Kacper's liked songs list three twice: merged, and not matched twice — once 100.1 %).
      expect(r.imported + r.duplicates + r.repeats + r.skipped, f).toBe(r.events);
      expect(r.trackMatched, f).toBeLessThanOrEqual(r.imported + r.duplicates);
      expect(r.artistMatch, f).toBeLessThanOrEqual(1);
    }
    // Exportify joins a track's artists with ";" today, and names hold ", ": Kacper's liked songs
    // name "Kali Uchis;Tyler, The Creator;Bootsy Collins" and "Dombóváry Roly;DÖGÖS ROBI".
    const named = (n: string) => (lib.sqlite.prepare('SELECT COUNT(*) AS n FROM artists WHERE name = ?').get(n) as { n: number }).n;
    for (const n of ['Tyler, The Creator', 'Grover Washington, Jr.', 'Dombóváry Roly', 'DÖGÖS ROBI', 'Bootsy Collins']) expect(named(n), n).toBe(1);
    for (const n of ['The Creator', 'Jr.', 'Dombóváry Roly;DÖGÖS ROBI']) expect(named(n), n).toBe(0);
    lib.close();
  });
});
