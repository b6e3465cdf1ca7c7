import fs from 'node:fs';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../src/main/db';
import { CatalogMatcher } from '../../src/main/importers/matcher';
import { matcherFor, runImport } from '../../src/main/services/import-service';
import { tmpDir } from '../helpers/env';
import { ID, TRACKS_HEADER, accountEvents, snapshot, tidyCsv, tracksCsv, write } from '../helpers/fixtures';

let dir: string;
let lib: Library;
beforeEach(() => {
  dir = tmpDir();
  lib = openLibrary(path.join(dir, 'lib.sqlite'));
  return () => lib.close();
});

const q = <T>(sql: string, ...args: unknown[]) => lib.sqlite.prepare(sql).get(...args) as T;

describe('catalogue import', () => {
  it('leaves a value outside what its column can hold missing — never clamped — and says so once per file', async () => {
    const file = write(dir, 'odd.csv', [
      TRACKS_HEADER,
      `${ID.comedy},Gen Hoshino,Comedy,Comedy,73,230666,FALSE,7,0.461,1,-6.746,0,0.143,0.0322,1.01e-6,0.358,0.715,1e308,4,acoustic`,
      `${ID.ghost},Ben Woodward,Ghost (Acoustic),Ghost - Acoustic,-3,149610,FALSE,0.42,0.166,1,-17.235,1,0.0763,0.924,5.56e-6,0.101,0.267,1e308,4,acoustic`,
      `${ID.duet},Ingrid Michaelson;ZAYN,To Begin Again,To Begin Again,57,210826,FALSE,0.438,0.359,0,-9.734,1,0.0557,0.21,0,0.117,0.12,76.332,4,acoustic`,
    ].join('\n') + '\n');
    const r = await runImport(lib, { catalogs: [file] });
    expect(r.catalog).toMatchObject({ rows: 3, inserted: 3, skipped: 0 });
    const row = (id: string) => q<Record<string, number | null>>('SELECT danceability, tempo, popularity, energy FROM tracks WHERE spotify_id = ?', id);
    expect(row(ID.comedy)).toEqual({ danceability: null, tempo: null, popularity: 73, energy: 0.461 });
    expect(row(ID.ghost)).toMatchObject({ tempo: null, popularity: null, danceability: 0.42 });
    expect(row(ID.duet)).toMatchObject({ tempo: 76.332, popularity: 57 });
    expect(r.files[0].notes).toEqual(['4 value(s) outside what the column can hold were left missing (the first: danceability on line 2)']);
    // A name no track has is a line skipped; a record of megabytes refuses the file, by line, with nothing written.
    const long = write(dir, 'long.csv', `${TRACKS_HEADER}\n${ID.fight},Rachel Platten,Wildfire,${'x'.repeat(1001)},70,202000,FALSE,0.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.5,120,4,pop\n`);
    expect((await runImport(lib, { catalogs: [long] })).catalog).toMatchObject({ rows: 1, inserted: 0, skipped: 1 });
    const before = snapshot(lib.sqlite);
    const huge = write(dir, 'huge.csv', `${TRACKS_HEADER}\n${ID.fight},Rachel Platten,Wildfire,"${'x'.repeat(5 * 1024 * 1024)}`);
    await expect(runImport(lib, { catalogs: [huge] })).rejects.toThrow(`${huge} (line 2): a record longer than 4 M characters (a quoted field that never closes?)`);
    expect(snapshot(lib.sqlite)).toBe(before);
    // A later file with the value in range fills the gap, as for any missing value.
    await runImport(lib, { catalogs: [tracksCsv(dir)] });
    expect(row(ID.comedy)).toMatchObject({ danceability: 0.676, tempo: 87.917 });
  });

  it('merges the same track across files and keeps every genre, one of them main', async () => {
    const r = await runImport(lib, { catalogs: [tracksCsv(dir), tidyCsv(dir)] });
    expect(r.catalog).toMatchObject({ rows: 6, inserted: 4, merged: 2, skipped: 0, tracksTotal: 4 });
    const ghost = q<Record<string, unknown>>('SELECT * FROM tracks WHERE spotify_id = ?', ID.ghost);
    expect(ghost.year).toBe(2019); // only TidyTuesday has it
    expect(ghost.time_signature).toBe(4); // only the 114k file has it
    expect(ghost.danceability).toBe(0.42); // the first value wins
    expect(ghost.sources).toBe('spotify-tracks-csv,tidytuesday-csv');
    const genres = lib.sqlite
      .prepare('SELECT g.name FROM track_genres tg JOIN genres g ON g.id = tg.genre_id WHERE tg.track_id = ? ORDER BY g.name')
      .pluck()
      .all(ghost.id);
    expect(genres).toEqual(['acoustic', 'chill', 'indie poptimism', 'pop']);
    expect(q<{ name: string }>('SELECT name FROM genres WHERE id = ?', ghost.main_genre_id).name).toBe('acoustic');
    // Columns a file lacks stay missing: Fight Song only comes from TidyTuesday (no time_signature).
    expect(q<{ time_signature: number | null }>('SELECT time_signature FROM tracks WHERE spotify_id = ?', ID.fight).time_signature).toBeNull();
    // Both credited artists are linked.
    expect(q<{ n: number }>('SELECT count(*) n FROM track_artists ta JOIN tracks t ON t.id = ta.track_id WHERE t.spotify_id = ?', ID.duet).n).toBe(2);
  });
});

describe('catalogue matcher kept in step by the import', () => {
  it('equals one read back from the database, including versions decided by a popularity a later file fills in', async () => {
    const feats = '200000,FALSE,0.5,0.5,1,-7,1,0.05,0.1,0,0.1,0.5,120,4';
    const a = write(dir, 'a.csv', [
      TRACKS_HEADER,
      `0000000000000000000001,Nova Band,Album,Song,,${feats},pop`, // no popularity yet
      `0000000000000000000002,Nova Band,Live Album,Song (Live),40,${feats},pop`,
      `0000000000000000000003,Nova Band;Guest,Other,Other Song,10,${feats},rock`,
    ].join('\n') + '\n');
    const b = write(dir, 'b.csv', [
      TRACKS_HEADER,
      `0000000000000000000001,Nova Band;Later Guest,Album,Song,60,${feats},indie`, // popularity 60 + a new credit
      `0000000000000000000004,Newcomer,Debut,Song,5,${feats},pop`,
    ].join('\n') + '\n');
    await runImport(lib, { catalogs: [a] });
    await runImport(lib, { catalogs: [b] });
    const kept = matcherFor(lib);
    expect(kept.state()).toEqual(CatalogMatcher.load(lib.sqlite).state());
    // "Song" by Nova Band: the studio version, once its popularity (60) beats the live one's (40).
    const id1 = q<{ id: number }>("SELECT id FROM tracks WHERE spotify_id = '0000000000000000000001'").id;
    expect(kept.match('Nova Band', 'Song', null).trackId).toBe(id1);
    expect(kept.match('Later Guest', 'Song', null).trackId).toBe(id1);
    // Both in one import as well.
    const lib2 = openLibrary(path.join(dir, 'two.sqlite'));
    try {
      await runImport(lib2, { catalogs: [a, b] });
      expect(matcherFor(lib2).state()).toEqual(CatalogMatcher.load(lib2.sqlite).state());
      // A write from elsewhere makes the kept matcher stale: it is read again.
      const before = matcherFor(lib2);
      lib2.sqlite.prepare("INSERT INTO artists (name, name_norm) VALUES ('Side Door', 'side door')").run();
      expect(matcherFor(lib2)).not.toBe(before);
      expect(matcherFor(lib2).state().byArtist.some(([n]) => n === 'side door')).toBe(true);
    } finally {
      lib2.close();
    }
  });
});

describe('history import', () => {
  it('imports, matches by artist + title, keeps unmatched listens, and adds nothing on re-import', async () => {
    await runImport(lib, { catalogs: [tracksCsv(dir), tidyCsv(dir)] });
    const file = write(dir, 'export/StreamingHistory_music_0.json', accountEvents(10));
    const r = await runImport(lib, { histories: [file], profile: 'ana' });
    expect(r).toMatchObject({ events: 10, imported: 10, duplicates: 0, skipped: 0 });
    expect(r.trackMatch).toBeCloseTo(0.8); // 4 of 5 songs are in the catalogue
    expect(r.artistMatch).toBeCloseTo(0.8);
    expect(r.topUnmatchedArtists).toEqual([{ artist: 'Nobody Knows Me', plays: 2 }]);
    expect(q<{ n: number }>('SELECT count(*) n FROM listening_events WHERE track_id IS NULL').n).toBe(2);
    const again = await runImport(lib, { histories: [file], profile: 'ana' });
    expect(again).toMatchObject({ events: 10, imported: 0, duplicates: 10 });
    expect(q<{ n: number }>('SELECT count(*) n FROM listening_events').n).toBe(10);
    expect(q<{ n: number }>("SELECT count(*) n FROM imports WHERE kind = 'history'").n).toBe(2);
  });

  it('imports a newer export that overlaps an older one without double counting', async () => {
    const events = accountEvents(30);
    const older = write(dir, 'old/StreamingHistory0.json', events.slice(0, 20));
    const newer = write(dir, 'new/StreamingHistory0.json', events.slice(10));
    expect((await runImport(lib, { histories: [older], profile: 'ana' })).imported).toBe(20);
    const r = await runImport(lib, { histories: [newer], profile: 'ana' });
    expect(r).toMatchObject({ imported: 10, duplicates: 10 });
    // The same listens belong to another person independently.
    expect((await runImport(lib, { histories: [newer], profile: 'ben' })).imported).toBe(20);
  });

  it('leaves the database exactly as it was when a file breaks half-way', async () => {
    await runImport(lib, { catalogs: [tracksCsv(dir)] });
    await runImport(lib, { histories: [write(dir, 'a/StreamingHistory0.json', accountEvents(5))], profile: 'ana' });
    const before = snapshot(lib.sqlite);
    const good = write(dir, 'b/StreamingHistory0.json', accountEvents(40, Date.UTC(2024, 5, 1)));
    const text = JSON.stringify(accountEvents(40, Date.UTC(2024, 6, 1)), null, 2);
    // Cut inside a record, half-way through the file.
    write(dir, 'b/StreamingHistory1.json', text.slice(0, text.indexOf('"msPlayed"', text.length / 2)));
    await expect(runImport(lib, { histories: [path.join(dir, 'b')], profile: 'cara' })).rejects.toThrow(
      /StreamingHistory1\.json \(record \d+ starting at line \d+\): the file ends inside this record/,
    );
    expect(snapshot(lib.sqlite)).toBe(before);
    expect(fs.existsSync(good)).toBe(true);
  });

  it('reads a Spotify .zip, skipping what is not listening data', async () => {
    const zip = zipSync({
      'my_spotify_data/Spotify Account Data/StreamingHistory_music_0.json': strToU8(JSON.stringify(accountEvents(7))),
      'my_spotify_data/Spotify Account Data/StreamingHistory_podcast_0.json': strToU8(
        JSON.stringify([{ endTime: '2024-01-01 10:00', podcastName: 'Pod', episodeName: 'Ep 1', msPlayed: 1000 }]),
      ),
      'my_spotify_data/Spotify Account Data/SearchQueries.json': strToU8(JSON.stringify([{ platform: 'x', searchTime: 't', searchQuery: 'q' }])),
      'my_spotify_data/Spotify Account Data/Read Me First.pdf': strToU8('%PDF'),
    });
    const file = path.join(dir, 'my_spotify_data.zip');
    fs.writeFileSync(file, zip);
    const r = await runImport(lib, { histories: [file], profile: 'zoe' });
    expect(r.imported).toBe(7);
    expect(r.ignoredFiles.map((f) => path.basename(f.path))).toEqual(['SearchQueries.json', 'StreamingHistory_podcast_0.json']);
  });

  it('follows links to export files in a folder, and refuses a folder with nothing to import by name', async () => {
    const real = path.join(dir, 'elsewhere');
    write(real, 'StreamingHistory_music_0.json', accountEvents(5));
    const linked = path.join(dir, 'linked');
    fs.mkdirSync(linked);
    fs.symlinkSync(path.join(real, 'StreamingHistory_music_0.json'), path.join(linked, 'StreamingHistory_music_0.json'));
    fs.symlinkSync(real, path.join(linked, 'loop')); // a link to a folder is not walked
    expect((await runImport(lib, { histories: [linked], profile: 'lin' })).imported).toBe(5);
    const empty = path.join(dir, 'notes');
    write(empty, 'README.txt', 'my exports are elsewhere');
    write(empty, 'SearchQueries.json', [{ platform: 'x', searchTime: 't', searchQuery: 'q' }]);
    const before = snapshot(lib.sqlite);
    await expect(runImport(lib, { histories: [empty], profile: 'lin' })).rejects.toThrow(new RegExp(`${empty}: nothing to import here: 1 file\\(s\\) read, none of them music listening or a catalogue \\(search queries, not listening\\)`));
    fs.rmSync(path.join(empty, 'SearchQueries.json'));
    await expect(runImport(lib, { histories: [empty], profile: 'lin' })).rejects.toThrow(/nothing to import here: no \.json, \.jsonl, \.csv, \.tsv or \.zip file/);
    expect(snapshot(lib.sqlite)).toBe(before);
  });

  it('counts and skips podcast, audiobook and video records of extended history', async () => {
    const base = { ts: '2023-01-01T10:00:00Z', ms_played: 200000, platform: 'android', reason_start: 'clickrow', reason_end: 'trackdone', shuffle: true, skipped: false };
    const music = { ...base, master_metadata_track_name: 'Fight Song', master_metadata_album_artist_name: 'Rachel Platten', master_metadata_album_album_name: 'Wildfire', spotify_track_uri: `spotify:track:${ID.fight}`, episode_name: null, spotify_episode_uri: null, audiobook_uri: null };
    const podcast = { ...base, ts: '2023-01-01T11:00:00Z', master_metadata_track_name: null, master_metadata_album_artist_name: null, spotify_track_uri: null, episode_name: 'Ep', episode_show_name: 'Show', spotify_episode_uri: 'spotify:episode:abc' };
    const book = { ...base, ts: '2023-01-01T12:00:00Z', master_metadata_track_name: null, spotify_track_uri: null, audiobook_title: 'Book', audiobook_uri: 'spotify:audiobook:x' };
    write(dir, 'ext/Streaming_History_Audio_2023.json', [music, podcast, book]);
    write(dir, 'ext/Streaming_History_Video_2023.json', [{ ...music, ts: '2023-02-01T10:00:00Z' }]);
    await runImport(lib, { catalogs: [tidyCsv(dir)] });
    const r = await runImport(lib, { histories: [path.join(dir, 'ext')], profile: 'eve' });
    expect(r).toMatchObject({ events: 4, imported: 1, skipped: 3, skippedReasons: { 'podcast episode': 1, audiobook: 1, video: 1 } });
    expect(r.trackMatch).toBe(1); // matched by Spotify URI
    const e = q<Record<string, unknown>>('SELECT * FROM listening_events');
    expect(e).toMatchObject({ shuffle: 1, skipped: 0, reason_end: 'trackdone', platform: 'android', ms_played: 200000 });
  });

  it('skips listens no clock or player could have made — before 2000, in the future, a play below 0 or over a day — in every format, counted with their reasons', async () => {
    const at = (endTime: string, msPlayed: number) => ({ endTime, artistName: 'Rachel Platten', trackName: 'Fight Song', msPlayed });
    write(dir, 'odd/acc/StreamingHistory0.json', [at('2023-01-01 10:00', 200000), at('1970-01-01 00:00', 200000), at('9999-12-31 23:59', 200000), at('2023-01-02 10:00', -5), at('2023-01-03 10:00', 1e308), { ...at('2023-01-04 10:00', 200000), trackName: 'x'.repeat(1001) }]);
    const ext = { ts: '2023-02-01T10:00:00Z', ms_played: 200000, master_metadata_track_name: 'Comedy', master_metadata_album_artist_name: 'Gen Hoshino', spotify_track_uri: `spotify:track:${ID.comedy}` };
    write(dir, 'odd/ext/Streaming_History_Audio_2023.json', [ext, { ...ext, ts: '2023-02-02T10:00:00Z', ms_played: 25 * 3600 * 1000 }]);
    // (four good rows to the bad one: the time column is found by most of its values being believable)
    const lfRow = (d: string) => `Rachel Platten,Wildfire,Fight Song,${d}\n`;
    write(dir, 'odd/lastfm.csv', 'artist,album,track,date\n' + ['31 Jan 2021 12:34', '01 Jan 1970 00:00', '01 Feb 2021 12:34', '02 Feb 2021 12:34', '03 Feb 2021 12:34'].map(lfRow).join(''));
    write(dir, 'odd/listens.jsonl', [2000000000, 32503680000].map((t) => JSON.stringify({ listened_at: t - 300000000, track_metadata: { artist_name: 'Gen Hoshino', track_name: 'Comedy' } })).join('\n') + '\n');
    const exportify = 'Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Danceability,Energy\n' +
      `spotify:track:${ID.fight},Fight Song,Wildfire,Rachel Platten,2015-05-19,202000,70,false,,2021-03-01T10:00:00Z,0.5,0.6\n` +
      `spotify:track:${ID.comedy},Comedy,Comedy,Gen Hoshino,2019-01-01,200000,60,false,,1999-12-31T23:00:00Z,0.5,0.6\n`;
    write(dir, 'odd/liked.csv', exportify);
    await runImport(lib, { catalogs: [tracksCsv(dir), tidyCsv(dir)] });
    const r = await runImport(lib, { histories: [path.join(dir, 'odd')], profile: 'odd' });
    expect(r.skippedReasons).toEqual({
      'time before 2000 (a player without a clock?)': 3, // Spotify, Last.fm, Exportify's Added At
      'time in the future': 2, // Spotify's 9999, ListenBrainz's year 3000
      'play time below 0 or over 24 hours': 3, // −5 ms, 1e308 ms, 25 hours
      'a name over 1,000 characters': 1,
    });
    expect(r).toMatchObject({ imported: 8, skipped: 9 });
    // What was kept is what was believable: no listen before 2000 or after today, no play time out of range.
    const kept = lib.sqlite.prepare('SELECT min(ts) lo, max(ts) hi, min(ms_played) mlo, max(ms_played) mhi FROM listening_events').get() as Record<string, number>;
    expect(kept.lo).toBeGreaterThanOrEqual(Date.UTC(2000, 0, 1));
    expect(kept.hi).toBeLessThanOrEqual(Date.now());
    expect(kept.mlo).toBeGreaterThanOrEqual(0);
    expect(kept.mhi).toBeLessThanOrEqual(24 * 3600 * 1000);
    // Each skip names its file and record or line.
    expect(r.skippedExamples).toContainEqual({ file: path.join(dir, 'odd', 'lastfm.csv'), where: 'line 3', reason: 'time before 2000 (a player without a clock?)' });
  });

  it('reads header-less Last.fm CSV and ListenBrainz API shapes', async () => {
    const lf = write(dir, 'lastfm.csv', 'Rachel Platten,Wildfire,Fight Song,31 Jan 2021 12:34\nGen Hoshino,Comedy,Comedy,31 Jan 2021 12:30\n');
    const lb = write(dir, 'listens.json', { payload: { count: 1, listens: [{ listened_at: 1700000000, track_metadata: { artist_name: 'Gen Hoshino', track_name: 'Comedy', additional_info: { spotify_id: `https://open.spotify.com/track/${ID.comedy}` } } }] } });
    await runImport(lib, { catalogs: [tracksCsv(dir), tidyCsv(dir)] });
    const r1 = await runImport(lib, { histories: [lf], profile: 'lee' });
    expect(r1).toMatchObject({ imported: 2, trackMatch: 1 });
    expect(q<{ ts: number }>("SELECT ts FROM listening_events WHERE title_raw = 'Fight Song'").ts).toBe(Date.UTC(2021, 0, 31, 12, 34));
    const r2 = await runImport(lib, { histories: [lb], profile: 'lee' });
    expect(r2).toMatchObject({ imported: 1, trackMatch: 1 });
  });

  it('re-matches earlier listens when the catalogue grows', async () => {
    await runImport(lib, { histories: [write(dir, 'StreamingHistory0.json', accountEvents(5))], profile: 'ana' });
    expect(q<{ n: number }>('SELECT count(*) n FROM listening_events WHERE track_id IS NOT NULL').n).toBe(0);
    const r = await runImport(lib, { catalogs: [tracksCsv(dir), tidyCsv(dir)] });
    expect(r.rematched.tracks).toBe(4);
    expect(q<{ n: number }>('SELECT count(*) n FROM listening_events WHERE track_id IS NOT NULL').n).toBe(4);
  });

  it('gives clear errors for unusable input', async () => {
    const notExport = write(dir, 'notes.csv', 'colour,size\nred,3\n');
    await expect(runImport(lib, { histories: [notExport], profile: 'x' })).rejects.toThrow(/notes\.csv: not a supported export/);
    await expect(runImport(lib, { histories: [write(dir, 'StreamingHistory9.json', accountEvents(1))] })).rejects.toThrow(/say whose it is/);
    await expect(runImport(lib, { histories: [path.join(dir, 'missing.json')], profile: 'x' })).rejects.toThrow(/missing\.json: no such file or folder/);
    const truncated = write(dir, 'cat.csv', `${fs.readFileSync(tracksCsv(dir), 'utf8').slice(0, 400)}`);
    await expect(runImport(lib, { catalogs: [truncated] })).rejects.toThrow(/cat\.csv \(line 3\): expected 20 fields, found \d+ \(truncated line\?\)/);
    expect(q<{ n: number }>('SELECT count(*) n FROM tracks').n).toBe(0);
  });
});
