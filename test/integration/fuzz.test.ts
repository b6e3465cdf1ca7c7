/**
 * A malformed-input corpus grown from the formats the project reads: each seed file (the test's
 * own fixtures, plus the head of every real export format in ../shared when present) is mutated —
 * truncated, bytes flipped, re-encoded, given a huge field, nested deeply, emptied — and imported.
 * Every case must import or be refused with an error naming the file; none may crash the process,
 * hang, or change the database when refused. OMR_FUZZ sets the cases per seed (default 12); the
 * outcome counts are written to test-results/fuzz-summary.json (docs/RELIABILITY.md quotes a run).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLibrary } from '../../src/main/db';
import { resourceDir } from '../../src/main/paths';
import { Rng } from '../../src/main/util/random';
import { runImport } from '../../src/main/services/import-service';
import { HAS_SHARED, data, tmpDir } from '../helpers/env';
import { accountEvents, snapshot, tidyCsv, tracksCsv } from '../helpers/fixtures';

const PER_SEED = Number(process.env.OMR_FUZZ ?? 12);
const HEAD = 24 * 1024;

function seeds(dir: string): { name: string; bytes: Buffer }[] {
  const out = [
    { name: 'StreamingHistory_music_0.json', bytes: Buffer.from(JSON.stringify(accountEvents(60))) },
    { name: 'scrobbles.csv', bytes: Buffer.from(['artist,track,album,uts', ...Array.from({ length: 60 }, (_, i) => `Gen Hoshino,Comedy,Alb,${1700000000 + i * 300}`)].join('\n') + '\n') },
    { name: 'listens.jsonl', bytes: Buffer.from(Array.from({ length: 40 }, (_, i) => JSON.stringify({ listened_at: 1700000000 + i * 200, track_metadata: { artist_name: 'Ben Woodward', track_name: 'Ghost' } })).join('\n') + '\n') },
    { name: 'Streaming_History_Audio_2024.json', bytes: Buffer.from(JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ ts: new Date(Date.UTC(2024, 0, 1) + i * 400000).toISOString(), ms_played: 120000, master_metadata_track_name: 'Fight Song', master_metadata_album_artist_name: 'Rachel Platten', spotify_track_uri: null })))) },
    { name: 'tracks.csv', bytes: fs.readFileSync(tracksCsv(dir)) },
    { name: 'tidy.csv', bytes: fs.readFileSync(tidyCsv(dir)) },
  ];
  if (HAS_SHARED) {
    // The head of each real format, cut at a line end.
    for (const f of [
      data('histories', 'spotify-account', 'u03', 'StreamingHistory0.json'),
      data('histories', 'spotify-extended', 'erickmay+Spotify-Shuffle-Analysis', 'endsong_1.json'),
      data('histories', 'lastfm-csv', 'zsteve+metal-listening-analysis', 'scrobbles.csv'),
      data('histories', 'lastfm-csv', '89rael+infovis', 'data_lastfm_scrobbles.csv'),
      data('histories', 'listenbrainz', 'metabrainz+listenbrainz-server', 'listenbrainz_listens.jsonl'),
      data('histories', 'exportify', 'seru9+Spotify-Data-Analisys', 'data_Kacper_Liked_Songs.csv'),
    ]) {
      if (!fs.existsSync(f)) continue;
      const fd = fs.openSync(f, 'r');
      const buf = Buffer.alloc(HEAD);
      const n = fs.readSync(fd, buf, 0, HEAD, 0);
      fs.closeSync(fd);
      const head = buf.subarray(0, n);
      const cut = head.lastIndexOf(0x0a);
      out.push({ name: path.basename(f), bytes: Buffer.from(cut > 0 ? head.subarray(0, cut + 1) : head) });
    }
  }
  return out;
}

const MUTATIONS = ['truncate', 'flip', 'utf16', 'latin1', 'huge-field', 'deep-nesting', 'empty', 'nul-bytes', 'duplicate-header', 'garbage-lines'] as const;

function mutate(kind: (typeof MUTATIONS)[number], b: Buffer, rng: Rng): Buffer {
  switch (kind) {
    case 'truncate':
      return b.subarray(0, rng.int(Math.max(1, b.length)));
    case 'flip': {
      const c = Buffer.from(b);
      for (let i = 0; i < 1 + rng.int(12); i++) c[rng.int(c.length)] = rng.int(256);
      return c;
    }
    case 'utf16':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b.toString('utf8'), 'utf16le')]);
    case 'latin1':
      return Buffer.from(b.toString('utf8').replace(/e/g, 'é'), 'latin1');
    case 'huge-field': {
      const s = b.toString('utf8');
      const at = rng.int(s.length);
      return Buffer.from(s.slice(0, at) + 'x'.repeat(2_000_000 + rng.int(1000)) + s.slice(at));
    }
    case 'deep-nesting':
      return Buffer.from('['.repeat(20000) + ']'.repeat(20000));
    case 'empty':
      return Buffer.alloc(rng.int(3));
    case 'nul-bytes': {
      const c = Buffer.from(b);
      for (let i = 0; i < 20; i++) c[rng.int(c.length)] = 0;
      return c;
    }
    case 'duplicate-header': {
      const s = b.toString('utf8');
      const nl = s.indexOf('\n');
      return Buffer.from(nl > 0 ? s.slice(0, nl + 1) + s : s + s);
    }
    case 'garbage-lines': {
      const lines = b.toString('utf8').split('\n');
      for (let i = 0; i < 5; i++) lines.splice(rng.int(lines.length), 0, '"unterminated,{"a":,,,\u0000\u001f');
      return Buffer.from(lines.join('\n'));
    }
  }
}

describe('importers on a malformed-input corpus', () => {
  it(`import or refuse with the file named, never crash, hang or half-write (${PER_SEED} cases per seed)`, async () => {
    const dir = tmpDir();
    const lib = openLibrary(path.join(dir, 'lib.sqlite'));
    await runImport(lib, { catalogs: [tracksCsv(dir), tidyCsv(dir)] });
    const rng = new Rng(2024);
    const outcomes: Record<string, { imported: number; refused: number }> = {};
    let cases = 0;
    for (const seed of seeds(dir)) {
      for (let k = 0; k < PER_SEED; k++) {
        const kind = MUTATIONS[cases % MUTATIONS.length];
        const bytes = mutate(kind, seed.bytes, rng);
        const file = path.join(dir, `case-${cases}`, seed.name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, bytes);
        const isCatalog = /tracks|tidy/.test(seed.name);
        const before = snapshot(lib.sqlite);
        const t0 = performance.now();
        const o = (outcomes[kind] ??= { imported: 0, refused: 0 });
        try {
          await runImport(lib, isCatalog ? { catalogs: [file] } : { histories: [file], profile: 'fuzz' });
          o.imported++;
        } catch (e) {
          o.refused++;
          if (process.env.OMR_FUZZ_VERBOSE) console.log(kind, (e as Error).message.slice(0, 160));
          const msg = (e as Error).message;
          expect(msg, `${kind} of ${seed.name}`).toContain(seed.name);
          expect(snapshot(lib.sqlite), `${kind} of ${seed.name}: refused but changed the database`).toBe(before);
        }
        expect(performance.now() - t0, `${kind} of ${seed.name} took too long`).toBeLessThan(20000);
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
        cases++;
      }
    }
    expect(lib.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    lib.close();
    const out = path.join(path.dirname(resourceDir('package.json')), 'test-results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'fuzz-summary.json'), JSON.stringify({ cases, seeds: seeds(dir).length, outcomes, date: new Date().toISOString() }, null, 1));
    expect(cases).toBeGreaterThanOrEqual(PER_SEED * 6);
  }, 600_000);
});
