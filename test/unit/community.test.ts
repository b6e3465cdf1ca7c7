import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLibrary } from '../../src/main/db';
import { deleteCommunity, detectCommunity, importCommunity, loadCommunity } from '../../src/main/importers/community';
import { readCache } from '../../src/main/importers/community-cache';
import { colistenScores } from '../../src/main/recommender/data/features';
import { runImport } from '../../src/main/services/import-service';
import { loadCatalog } from '../../src/main/recommender/data/dataset';
import { HAS_SHARED, data, tmpDir } from '../helpers/env';
import { ID, snapshot, tracksCsv, write } from '../helpers/fixtures';

const track = (artist: string, uri: string | null, name = 'x') => ({ artist_name: artist, track_uri: uri, track_name: name });

async function library() {
  const dir = tmpDir();
  const lib = openLibrary(path.join(dir, 'lib.sqlite'));
  await runImport(lib, { catalogs: [tracksCsv(dir)] });
  return { dir, lib };
}

describe('community data', () => {
  it('keeps MPD playlists as artist co-occurrence and track counts, matched by URI first', async () => {
    const { dir, lib } = await library();
    const slice = {
      info: { slice: '0-2' },
      playlists: [
        // The URI finds Ghost's track (and its artist) even under another artist name.
        { pid: 1, tracks: [track('Somebody Else', `spotify:track:${ID.ghost}`), track('Gen Hoshino', null), track('Unknown Band', null)] },
        { pid: 2, tracks: [track('Ben Woodward', null), track('Gen Hoshino', `spotify:track:${ID.comedy}`)] },
        { pid: 3, tracks: [track('Ingrid Michaelson', null), track('ZAYN', null)] },
        { pid: 4, tracks: [track('Nobody Here', null)] },
      ],
    };
    const folder = path.join(dir, 'mpd');
    write(folder, 'mpd.slice.0-999.json', slice);
    const r = await importCommunity(lib, folder);
    expect(r.kind).toBe('mpd');
    expect(r.groups).toBe(3); // the playlist naming no known artist adds nothing
    expect(r.rows).toBe(8);
    expect(r.matchedRows).toBe(6);
    const id = (name: string) => lib.sqlite.prepare('SELECT id FROM artists WHERE name = ?').pluck().get(name) as number;
    const pairs = lib.sqlite.prepare('SELECT artist_id, neighbor_id, together FROM community_artist_pairs ORDER BY artist_id, neighbor_id').raw().all();
    // Gen Hoshino and Ben Woodward share two playlists; Ingrid Michaelson and ZAYN one.
    expect(pairs).toContainEqual([id('Gen Hoshino'), id('Ben Woodward'), 2]);
    expect(pairs).toContainEqual([id('Ben Woodward'), id('Gen Hoshino'), 2]);
    expect(pairs).toContainEqual([id('Ingrid Michaelson'), id('ZAYN'), 1]);
    expect(lib.sqlite.prepare('SELECT count(*) FROM community_tracks').pluck().get()).toBe(2);
    // Similarities: cosine of co-occurrence, symmetric.
    const k = loadCommunity(lib);
    const sim = k.neighbours.get(id('Gen Hoshino'))!.find((n) => n.artist === id('Ben Woodward'))!.sim;
    expect(sim).toBeCloseTo(2 / Math.sqrt(2 * 2), 6);
    // "People who play Gen Hoshino also play Ben Woodward": all of the person's weight on Gen Hoshino.
    const scores = colistenScores(new Map([[id('Gen Hoshino'), 10]]), k);
    expect(scores.get(id('Ben Woodward'))).toBeCloseTo(sim, 6);
    expect(scores.has(id('Gen Hoshino'))).toBe(false);
    // Never shown as people: no profile, no listening.
    expect(lib.sqlite.prepare('SELECT count(*) FROM profiles').pluck().get()).toBe(0);
    expect(lib.sqlite.prepare('SELECT count(*) FROM listening_events').pluck().get()).toBe(0);
    // Read once while nothing changes (a listen does not change it), and again once it does.
    lib.sqlite.prepare("INSERT INTO profiles (name) VALUES ('someone')").run();
    expect(loadCommunity(lib)).toBe(k);
    // Kept beside the library for the next process, exactly (the feature must not depend on it);
    // a damaged copy is ignored.
    const kept = () => fs.readdirSync(dir).filter((f) => /^community-.*\.bin$/.test(f));
    expect(kept()).toHaveLength(1);
    const file = path.join(dir, kept()[0]);
    expect(readCache(file)).toEqual(k);
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, good.subarray(0, good.length - 4));
    expect(readCache(file)).toBeNull();
    fs.writeFileSync(file, good);
    // Deleted in one step, everything it added with it.
    expect(deleteCommunity(lib)).toBe(1);
    for (const t of ['community_sources', 'community_artists', 'community_artist_pairs', 'community_tracks']) {
      expect(lib.sqlite.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), t).toBe(0);
    }
    expect(loadCommunity(lib).sources).toBe(0);
    expect(kept()).toEqual([]); // nothing of it stays beside the library
    // Imported again — the same source id, another import — it is read afresh.
    slice.playlists = slice.playlists.slice(2);
    write(folder, 'mpd.slice.0-999.json', slice);
    await importCommunity(lib, folder);
    const again = loadCommunity(lib);
    expect(again).not.toBe(k);
    expect(again.neighbours.has(id('Gen Hoshino'))).toBe(false);
    expect(again.neighbours.get(id('ZAYN'))!.map((n) => n.artist)).toEqual([id('Ingrid Michaelson')]);
    lib.close();
  });

  it('reads HetRec listeners by artist name', async () => {
    const { dir, lib } = await library();
    const folder = path.join(dir, 'hetrec');
    write(folder, 'artists.dat', 'id\tname\turl\tpictureURL\n1\tGen Hoshino\tu\tp\n2\tBen Woodward\tu\tp\n3\tNot Here\tu\tp\n');
    write(folder, 'user_artists.dat', 'userID\tartistID\tweight\n7\t1\t100\n7\t2\t50\n8\t1\t10\n8\t3\t5\n');
    const r = await importCommunity(lib, folder);
    expect(r).toMatchObject({ kind: 'hetrec', groups: 2, rows: 4, matchedRows: 3, artists: 2 });
    lib.close();
  });

  it('keeps HetRec\'s tags of the artists here (Latin-1 names, both parts of the tagging), those applied at least five times, and deletes them with the source', async () => {
    const { dir, lib } = await library();
    const folder = path.join(dir, 'hetrec');
    write(folder, 'artists.dat', 'id\tname\turl\tpictureURL\n1\tGen Hoshino\tu\tp\n2\tBen Woodward\tu\tp\n3\tNot Here\tu\tp\n');
    write(folder, 'user_artists.dat', 'userID\tartistID\tweight\n7\t1\t100\n7\t2\t50\n8\t1\t10\n');
    // tags.dat is ISO-8859-1 in the published dataset ("música" here); a name with a control character is cleaned.
    fs.writeFileSync(path.join(folder, 'tags.dat'), Buffer.from('tagID\ttagValue\n1\tJ-Pop\n2\tm\xfasica\n3\trare\n4\tlo\u0007fi\n', 'latin1'));
    const line = (u: number, a: number, t: number) => `${u}\t${a}\t${t}\t1\t4\t2009`;
    const part1 = ['userID\tartistID\ttagID\tday\tmonth\tyear', line(7, 1, 1), line(8, 1, 1), line(9, 1, 1), line(7, 2, 2), line(8, 2, 2), line(7, 1, 3), line(7, 2, 4)];
    // The second part (a mirror split the file): tag 1 on Gen Hoshino twice more and once on an artist not here, tag 2 three times more, tag 4 four times more.
    const part2 = ['userID\tartistID\ttagID\tday\tmonth\tyear', line(10, 1, 1), line(11, 1, 1), line(12, 3, 1), line(9, 2, 2), line(10, 2, 2), line(11, 1, 2), line(8, 2, 4), line(9, 2, 4), line(10, 2, 4), line(11, 2, 4)];
    write(folder, 'user_taggedartists.dat', part1.join('\n') + '\n');
    write(folder, 'user_taggedartists_2.dat', part2.join('\r\n') + '\r\n');
    const files = detectCommunity(folder).files.map((f) => path.basename(f));
    expect(files.slice(0, 3)).toEqual(['artists.dat', 'user_artists.dat', 'tags.dat']);
    expect(files.slice(3).sort()).toEqual(['user_taggedartists.dat', 'user_taggedartists_2.dat'].sort());
    const r = await importCommunity(lib, folder);
    const id = (name: string) => lib.sqlite.prepare('SELECT id FROM artists WHERE name = ?').pluck().get(name) as number;
    const rows = lib.sqlite.prepare('SELECT artist_id, tag, uses FROM community_artist_tags WHERE source_id = ? ORDER BY artist_id, tag').raw().all(r.sourceId);
    // j-pop 6 uses in all (5 on an artist here), música 5, lo fi 5; "rare" once: left out.
    expect(rows).toEqual([[id('Gen Hoshino'), 'j-pop', 5], [id('Gen Hoshino'), 'música', 1], [id('Ben Woodward'), 'lo fi', 5], [id('Ben Woodward'), 'música', 4]].sort((a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1]))));
    // The catalogue's rows carry their artist's tags.
    const cat = loadCatalog(lib.sqlite);
    const row = cat.artistId.findIndex((a) => a === id('Gen Hoshino'));
    const names = Array.from(cat.tags!.tag.subarray(cat.tags!.offsets[row], cat.tags!.offsets[row + 1]), (t) => cat.tags!.names![t]);
    expect(names.sort()).toEqual(['j-pop', 'música']);
    // A malformed tagging line is refused by file and line, and changes nothing.
    const before = snapshot(lib.sqlite);
    write(folder, 'user_taggedartists_2.dat', 'userID\tartistID\ttagID\n7\t1\t1\nseven\tone\n');
    await expect(importCommunity(lib, folder)).rejects.toThrow(/user_taggedartists_2\.dat \(line 3\): expected tab-separated userID, artistID and tagID/);
    write(folder, 'user_taggedartists_2.dat', '');
    fs.writeFileSync(path.join(folder, 'tags.dat'), 'tagID\ttagValue\nx\tnot an id\n');
    await expect(importCommunity(lib, folder)).rejects.toThrow(/tags\.dat \(line 2\): expected tab-separated tagID and tagValue/);
    expect(snapshot(lib.sqlite)).toBe(before);
    deleteCommunity(lib, r.sourceId);
    expect(lib.sqlite.prepare('SELECT count(*) FROM community_artist_tags').pluck().get()).toBe(0);
    expect(loadCatalog(lib.sqlite).tags).toBeUndefined();
    lib.close();
  });

  it('reads a playlist CSV (TidyTuesday: playlist_id per row) as playlists, in any row order, by track id first', async () => {
    const { dir, lib } = await library();
    const file = path.join(dir, 'songs.csv');
    fs.writeFileSync(file, [
      'track_id,track_name,track_artist,playlist_name,playlist_id',
      `${ID.comedy},x,Somebody Else,A,p1`,
      '1234567890123456789012,y,Ben Woodward,B,p2',
      '1234567890123456789012,y,ZAYN,A,p1',
      '1234567890123456789012,y,Ben Woodward,A,p1',
      '1234567890123456789012,z,Nobody Here,C,p3',
      '1234567890123456789012,w,Ingrid Michaelson,B,p2',
    ].join('\n'));
    expect(detectCommunity(file).kind).toBe('playlists');
    const r = await importCommunity(lib, file);
    expect(r).toMatchObject({ kind: 'playlists', groups: 2, rows: 6, matchedRows: 5, tracks: 1 });
    const id = (name: string) => lib.sqlite.prepare('SELECT id FROM artists WHERE name = ?').pluck().get(name) as number;
    const k = loadCommunity(lib);
    // p1 (rows 1, 3 and 4, not together in the file): Gen Hoshino's "Comedy" by its id (under
    // another artist name), ZAYN and Ben Woodward.
    expect(k.neighbours.get(id('Gen Hoshino'))!.map((n) => n.artist).sort()).toEqual([id('ZAYN'), id('Ben Woodward')].sort());
    expect(id('Somebody Else')).toBeUndefined();
    expect(k.neighbours.get(id('Ingrid Michaelson'))!.map((n) => n.artist)).toEqual([id('Ben Woodward')]);
    // A catalogue without playlists is not community data: refused by name and line.
    const plain = path.join(dir, 'plain.csv');
    fs.writeFileSync(plain, 'track_id,track_name,track_artist\n1234567890123456789012,y,Ben Woodward\n');
    const before = snapshot(lib.sqlite);
    await expect(importCommunity(lib, plain)).rejects.toThrow(/plain\.csv \(line 1\): expected a playlist CSV: a playlist_id column/);
    const short = path.join(dir, 'short.csv');
    fs.writeFileSync(short, 'track_id,track_artist,playlist_id\n1234567890123456789012,Ben Woodward,p1\n1234567890123456789012,Gen Hoshino\n');
    await expect(importCommunity(lib, short)).rejects.toThrow(/short\.csv \(line 3\): expected 3 fields, found 2/);
    expect(snapshot(lib.sqlite)).toBe(before);
    lib.close();
  });

  it('refuses malformed files naming the file and the record, and changes nothing', async () => {
    const { dir, lib } = await library();
    const before = snapshot(lib.sqlite);
    const cases: [string, string, RegExp][] = [
      ['bad1', '{"playlists": [{"pid": 1, "tracks": 5}]}', /mpd\.slice\.0-999\.json \(playlist 1\): expected a "tracks" array/],
      ['bad2', '{"playlists": [', /mpd\.slice\.0-999\.json: not valid JSON/],
      ['bad3', '{"nothing": 1}', /expected an object with a "playlists" array/],
      ['bad4', '{"playlists": [{"tracks": [{"artist_name": "Nobody"}]}]}', /no playlist or listener in it names an artist this library knows/],
    ];
    for (const [name, text, want] of cases) {
      const folder = path.join(dir, name);
      write(folder, 'mpd.slice.0-999.json', text);
      await expect(importCommunity(lib, folder)).rejects.toThrow(want);
    }
    const het = path.join(dir, 'het');
    write(het, 'artists.dat', 'id\tname\n1\tGen Hoshino\n');
    write(het, 'user_artists.dat', 'userID\tartistID\tweight\n7\t1\t1\nnot a line\n');
    await expect(importCommunity(lib, het)).rejects.toThrow(/user_artists\.dat \(line 3\): expected tab-separated userID, artistID and weight/);
    await expect(importCommunity(lib, path.join(dir, 'nothing-here'))).rejects.toThrow(/no such file or folder/);
    fs.mkdirSync(path.join(dir, 'empty'));
    await expect(importCommunity(lib, path.join(dir, 'empty'))).rejects.toThrow(/not a community dataset/);
    expect(snapshot(lib.sqlite)).toBe(before);
    lib.close();
  });
});

describe('community listening logs', () => {
  it('reads Last.fm 1K and 360K TSVs and ListenBrainz listens, one group per listener, refusing a bad line by file and line', async () => {
    const { dir, lib } = await library();
    // Last.fm 1K: user, timestamp, artist id, artist, track id, track (sorted by user).
    const k1 = write(dir, '1k/userid-timestamp-artid-artname-traid-traname.tsv', [
      'user_000001\t2009-05-04T23:08:57Z\tf1b1cf71\tGen Hoshino\t\tComedy',
      'user_000001\t2009-05-04T13:54:10Z\ta7f7df4a\tIngrid Michaelson\t\tTo Begin Again',
      'user_000002\t2009-05-03T10:00:00Z\t\tBen Woodward\t\tGhost',
      'user_000002\t2009-05-03T09:00:00Z\t\tSomeone Unknown\t\tX',
    ].join('\n') + '\n');
    const r1 = await importCommunity(lib, path.dirname(k1));
    expect(r1).toMatchObject({ kind: 'lastfm-1k', groups: 2, rows: 4, matchedRows: 3 });
    const c1 = loadCommunity(lib);
    expect(c1.neighbours.size).toBe(2); // Gen Hoshino ↔ Ingrid Michaelson; Ben Woodward listened alone
    // Last.fm 360K: user, artist mbid, artist, plays.
    const k3 = write(dir, 'usersha1-artmbid-artname-plays.tsv', ['00000c28\t\tben woodward\t120', '00000c28\t\tzayn\t80', '00001411\t\tGen Hoshino\t5'].join('\n'));
    expect(await importCommunity(lib, k3)).toMatchObject({ kind: 'lastfm-360k', groups: 2, rows: 3, matchedRows: 3 });
    // ListenBrainz listens: the Spotify id finds the track even under another artist name.
    const lb = write(dir, 'lb/anna.listens', [
      JSON.stringify({ user_name: 'anna', listened_at: 1, track_metadata: { artist_name: 'Not Ben', track_name: 'Ghost', additional_info: { spotify_id: `https://open.spotify.com/track/${ID.ghost}` } } }),
      JSON.stringify({ user_name: 'anna', listened_at: 2, track_metadata: { artist_name: 'Gen Hoshino', track_name: 'Comedy' } }),
    ].join('\n'));
    const r3 = await importCommunity(lib, path.dirname(lb));
    expect(r3).toMatchObject({ kind: 'listenbrainz', groups: 1, rows: 2, matchedRows: 2, tracks: 1 });
    // A malformed line: refused naming the file and the line, and nothing of that file is kept.
    const before = snapshot(lib.sqlite);
    const bad = write(dir, 'bad/userid-timestamp-artid-artname-traid-traname.tsv', 'u1\t2009-05-04T23:08:57Z\ta\tGen Hoshino\tt\tComedy\nu1\tbroken line\n');
    await expect(importCommunity(lib, path.dirname(bad))).rejects.toThrow(/userid-timestamp-artid-artname-traid-traname\.tsv.*line 2.*expected 6 tab-separated columns/);
    expect(snapshot(lib.sqlite)).toBe(before);
    // A line that never ends is refused by its number before it is gathered whole (readline had no limit).
    const endless = write(dir, 'endless/usersha1-artmbid-artname-plays.tsv', `00000c28\t\tben woodward\t120\r\n00000c28\t\t${'z'.repeat(3 << 20)}`);
    await expect(importCommunity(lib, path.dirname(endless))).rejects.toThrow(/usersha1-artmbid-artname-plays\.tsv \(line 2\): a line of more than 64 KB is not a listen/);
    expect(snapshot(lib.sqlite)).toBe(before);
    // Lines across the reader's megabyte batches, CRLF ends and a byte that is not UTF-8 are read as lines.
    const many = Array.from({ length: 40_000 }, (_, i) => `${String(i).padStart(8, '0')}\t\t${i % 2 ? 'Gen Hoshino' : 'ben woodward'}\t${i}`);
    const crlf = Buffer.concat([Buffer.from(many.join('\r\n') + '\r\n'), Buffer.from([0x30, 0x09, 0x09, 0xff, 0x09, 0x31, 0x0a])]);
    const bigLog = path.join(dir, 'big', 'usersha1-artmbid-artname-plays.tsv');
    fs.mkdirSync(path.dirname(bigLog));
    fs.writeFileSync(bigLog, crlf);
    // (the last line, its artist a lone bad byte, is read and counted but names no artist here: no group)
    expect(await importCommunity(lib, path.dirname(bigLog))).toMatchObject({ kind: 'lastfm-360k', groups: 40_000, rows: 40_001, matchedRows: 40_000 });
    // Not a log at all.
    const other = write(dir, 'other/notes.tsv', 'hello\tworld\n');
    await expect(importCommunity(lib, path.dirname(other))).rejects.toThrow(/notes\.tsv.*line 1.*expected Last\.fm 1K/);
    lib.close();
  });

  it('reads a folder of other people’s exports, one listener per sub-folder or file, their listening only', async () => {
    const { dir, lib } = await library();
    const folder = path.join(dir, 'others');
    const plays = (artists: string[]) => artists.map((a, i) => ({ endTime: `2023-01-0${i + 1} 10:00`, artistName: a, trackName: 'x', msPlayed: 200000 }));
    write(folder, 'ana/StreamingHistory0.json', plays(['Gen Hoshino', 'Ingrid Michaelson', 'Gen Hoshino']));
    write(folder, 'bo/StreamingHistory0.json', plays(['Ben Woodward', 'Nobody Known']));
    write(folder, 'catalogue-someone-left.csv', fs.readFileSync(tracksCsv(dir), 'utf8')); // not listening: ignored
    const r = await importCommunity(lib, folder);
    expect(r).toMatchObject({ kind: 'exports', groups: 2, rows: 5, matchedRows: 4 });
    expect(loadCommunity(lib).neighbours.get([...loadCommunity(lib).neighbours.keys()][0])).toHaveLength(1);
    // A file that is not an export (cut short) is passed over, as a history import of a folder does.
    write(folder, 'cy/StreamingHistory0.json', '[{"endTime": "2023-01-01 10:00", "artistName": ');
    expect(await importCommunity(lib, folder)).toMatchObject({ kind: 'exports', groups: 2, rows: 5 });
    // A folder with nothing of the kind: refused, naming it.
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expect(() => detectCommunity(empty)).toThrow(/empty: not a community dataset/);
    lib.close();
  });
});

describe.skipIf(!HAS_SHARED)('community data from real exports', () => {
  it('reads the TidyTuesday catalogue\'s 471 playlists as community playlists', async () => {
    const dir = tmpDir();
    const lib = openLibrary(path.join(dir, 'lib.sqlite'));
    const file = data('catalog', 'tidytuesday_spotify_songs.csv');
    await runImport(lib, { catalogs: [file] });
    const r = await importCommunity(lib, file);
    expect(r).toMatchObject({ kind: 'playlists', groups: 471, rows: 32833, matchedRows: 32833 });
    expect(r.tracks).toBeGreaterThan(28000);
    lib.close();
  });

  it('reads the shared Last.fm and Spotify extended exports of other people as one listener each', async () => {
    const lib = openLibrary(path.join(tmpDir(), 'lib.sqlite'));
    await runImport(lib, { catalogs: [data('catalog', 'tidytuesday_spotify_songs.csv')] });
    const lastfm = await importCommunity(lib, data('histories', 'lastfm-csv'));
    expect(lastfm).toMatchObject({ kind: 'exports', groups: fs.readdirSync(data('histories', 'lastfm-csv')).filter((e) => !e.startsWith('.') && fs.statSync(data('histories', 'lastfm-csv', e)).isDirectory()).length });
    expect(lastfm.matchedRows / lastfm.rows).toBeGreaterThan(0.2);
    const extended = await importCommunity(lib, data('histories', 'spotify-extended'));
    expect(extended.kind).toBe('exports');
    expect(extended.tracks).toBeGreaterThan(0); // extended history carries track URIs: matched by URI first
    expect(loadCommunity(lib).sources).toBe(2);
    lib.close();
  });
});

describe('cold start', () => {
  it('a new person names artists and gets a list at once: theirs, then what the community co-listens with them', async () => {
    const { dir } = await library().then(async (x) => (x.lib.close(), x));
    const { AppService } = await import('../../src/main/services/app-service');
    const { dispatch } = await import('../../src/main/ipc/handlers');
    const service = new AppService(dir, () => {}, { quiet: true });
    // The fixture library is at dir/lib.sqlite; the service uses its own data folder: import there.
    await runImport(service.lib, { catalogs: [tracksCsv(dir)] });
    const folder = path.join(dir, 'mpd2');
    write(folder, 'mpd.slice.0-999.json', { playlists: [{ tracks: [track('Gen Hoshino', null), track('Ingrid Michaelson', null)] }] });
    await importCommunity(service.lib, folder);
    const h = service.handlers();
    const fav = await dispatch(h, 'profile:favourites', { name: 'newcomer', artists: ['Gen Hoshino', 'Nobody We Know'], country: 'jp' });
    expect(fav).toMatchObject({ ok: true, value: { matched: ['Gen Hoshino'], unknown: ['Nobody We Know'] } });
    const profileId = (fav as { value: { profileId: number } }).value.profileId;
    const list = await dispatch(h, 'recommend:list', { profileId, options: { k: 5 } });
    expect(list.ok).toBe(true);
    const artists = (list as { value: { artist: string }[] }).value.map((r) => r.artist);
    expect(artists[0]).toBe('Gen Hoshino');
    expect(artists).toContain('Ingrid Michaelson');
    expect(artists).not.toContain('Ben Woodward');
    // Refused without anyone to attach them to.
    expect((await dispatch(h, 'profile:favourites', { artists: ['x'] })).ok).toBe(false);
    service.close();
  });
});

describe('community data from the window', () => {
  it('imports what the person picked in the worker, shows it in the library, refuses other paths, and deletes it in one step', async () => {
    const dir = tmpDir();
    const { AppService } = await import('../../src/main/services/app-service');
    const { dispatch } = await import('../../src/main/ipc/handlers');
    const events: { event: string; payload: { phase?: string } }[] = [];
    const service = new AppService(dir, (event, payload) => events.push({ event, payload: payload as { phase?: string } }), { quiet: true });
    await runImport(service.lib, { catalogs: [tracksCsv(dir)] });
    const folder = path.join(dir, 'mpd');
    write(folder, 'mpd.slice.0-999.json', {
      playlists: [
        { pid: 1, tracks: [track('Gen Hoshino', null), track('Ingrid Michaelson', null)] },
        { pid: 2, tracks: [track('Gen Hoshino', null), track('Ingrid Michaelson', null), track('ZAYN', null)] },
      ],
    });
    const h = service.handlers();
    const before = snapshot(service.lib.sqlite);
    // Not picked: refused, nothing read or changed.
    const refused = await dispatch(h, 'import:community', { path: folder });
    expect(refused.ok).toBe(false);
    expect(snapshot(service.lib.sqlite)).toBe(before);
    service.grant([folder]);
    const r = await dispatch(h, 'import:community', { path: folder });
    expect(r).toMatchObject({ ok: true, value: { kind: 'mpd', groups: 2, rows: 5, matchedRows: 5, artists: 3 } });
    expect(events.some((e) => e.event === 'import:progress' && e.payload.phase === 'community')).toBe(true);
    expect(await dispatch(h, 'library:stats', {})).toMatchObject({ ok: true, value: { communitySources: 1 } });
    expect(loadCommunity(service.lib).neighbours.size).toBeGreaterThan(0);
    expect(await dispatch(h, 'import:community-delete', {})).toMatchObject({ ok: true, value: { deleted: 1 } });
    expect(await dispatch(h, 'library:stats', {})).toMatchObject({ ok: true, value: { communitySources: 0 } });
    expect(snapshot(service.lib.sqlite)).toBe(before);
    service.close();
  });
});
