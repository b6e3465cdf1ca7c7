/**
 * Community data: public listening datasets a person downloads themselves, imported as what they
 * teach — which artists go together (shared playlists or listeners) and how often catalogue tracks
 * are chosen — never as people. Spotify Million Playlist Dataset slices (`mpd.slice.*.json`,
 * tracks matched by Spotify URI first, then by artist name) and HetRec Last.fm
 * (`user_artists.dat` + `artists.dat`, by artist name), listening logs, a folder of other people's
 * exports, and playlist CSVs whose rows carry a `playlist_id` (TidyTuesday's spotify_songs: the
 * catalogue's own playlists, which tracks curators put together). One transaction: a refused file changes
 * nothing. Only artists this library knows (from its catalogues and histories) are kept, so
 * import the catalogue first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CommunityKind, CommunitySummary } from '../../shared/ipc';
import { groupsArePlaylists } from '../../shared/types';
import { catalog, community as communityRows, library, versions, type Library } from '../db';
import { getLogger } from '../logging';
import { collect } from './collect';
import { cacheFile, readCache, removeCaches, writeCache } from './community-cache';
import { detect } from './detect';
import { ImportError, jsonProblem } from './errors';
import { Header, detectDelimiter, readCsvBatches } from './csv';
import { historyReader } from './read-history';
import { fileSource } from './source';
import { spotifyIdOf } from './types';
import type { ArtistNeighbours } from '../recommender/data/features';
import { isPlaceholderArtist, normArtist } from './normalize';
import { HETREC_MIN_TAG_USES } from '../recommender/data/hetrec';

const log = getLogger('community');

/** What an import added (as the window shows it, CommunitySummary) and the source's id. */
export interface CommunityReport extends CommunitySummary {
  sourceId: number;
}

export interface CommunityProgress {
  file: string;
  /** How far it got: files of MPD slices and HetRec, bytes of listening logs. */
  filesDone: number;
  filesTotal: number;
}

/** Neighbours kept per artist (the strongest co-occurrences). */
const TOP_NEIGHBOURS = 100;
/** A playlist or listener with more distinct artists than this counts its first ones only (quadratic pairs). */
const MAX_GROUP_ARTISTS = 300;
/** Most playlists one playlist CSV may hold (TidyTuesday's has 471; each is kept in memory until the file ends). */
const MAX_CSV_PLAYLISTS = 200_000;
/** A tag counts (is stored, and read by the content term) once applied this many times in the whole file, as in the HetRec benchmark. */
const MIN_TAG_USES = HETREC_MIN_TAG_USES;
/** Longest tag name kept. */
const MAX_TAG_LENGTH = 64;
/** Largest community file read (a slice is ~150 KB; HetRec's largest file ~2.5 MB). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

type Kind = CommunityKind;
/** Listening logs read line by line, grouped by listener. */
type LogKind = 'lastfm-1k' | 'lastfm-360k' | 'listenbrainz';
const LOG_FILE = /\.(tsv|listens|jsonl)$/i;
/** A line longer than this is not a listening log's line. */
const MAX_LINE = 64 * 1024;

/**
 * What a path holds: MPD slices (a file or a folder of them), a HetRec folder, or listening logs —
 * Last.fm 1K (`userid-timestamp-artid-artname-traid-traname.tsv`), Last.fm 360K
 * (`usersha1-artmbid-artname-plays.tsv`), ListenBrainz listens (JSON lines with `user_name` and
 * `track_metadata`) — a file or a folder of them, recognised from their first line.
 */
export function detectCommunity(p: string): { kind: Kind; files: string[] } {
  if (!fs.existsSync(p)) throw new ImportError(p, null, 'no such file or folder');
  const st = fs.statSync(p);
  const isSlice = (n: string) => /^mpd\.slice\..*\.json$/i.test(n);
  const expected = 'expected mpd.slice.*.json files, a playlist CSV with playlist_id (TidyTuesday spotify_songs.csv), HetRec Last.fm\'s user_artists.dat and artists.dat, a Last.fm 1K or 360K .tsv, or ListenBrainz listens (.listens / .jsonl)';
  if (st.isFile()) {
    if (isSlice(path.basename(p))) return { kind: 'mpd', files: [p] };
    if (/\.csv$/i.test(p)) {
      if (playlistColumns(firstLine(p)) === null) throw new ImportError(p, 'line 1', 'expected a playlist CSV: a playlist_id column, and a track id (track_id or Track URI) or artist (track_artist or Artist Name(s)) column');
      return { kind: 'playlists', files: [p] };
    }
    if (LOG_FILE.test(p)) return { kind: logKind(p), files: [p] };
    throw new ImportError(p, null, `not a community dataset: ${expected}`);
  }
  const names = fs.readdirSync(p).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const slices = names.filter(isSlice);
  if (slices.length) return { kind: 'mpd', files: slices.map((n) => path.join(p, n)) };
  const ua = names.find((n) => /^(data_)?user_artists\.dat$/.test(n));
  const ar = names.find((n) => /^(data_)?artists\.dat$/.test(n));
  if (ua && ar) return { kind: 'hetrec', files: [path.join(p, ar), path.join(p, ua), ...hetrecTagFiles(names).map((n) => path.join(p, n))] };
  const logs = names.filter((n) => LOG_FILE.test(n) && fs.statSync(path.join(p, n)).isFile()).map((n) => path.join(p, n));
  if (logs.length) {
    const kind = logKind(logs[0]);
    for (const f of logs.slice(1)) if (logKind(f) !== kind) throw new ImportError(f, null, `another format than ${path.basename(logs[0])} (${kind}): one kind of listening log per folder`);
    return { kind, files: logs };
  }
  // A folder of other people's exports: each sub-folder, .zip or export file in it is one listener.
  const entries = names.filter((n) => !n.startsWith('.')).map((n) => path.join(p, n))
    .filter((e) => fs.statSync(e).isDirectory() || /\.(zip|json|csv)$/i.test(e));
  if (entries.length) return { kind: 'exports', files: entries };
  throw new ImportError(p, null, `not a community dataset: ${expected}, or a folder of other people's exports`);
}

/**
 * HetRec's tagging, when the folder has it: `tags.dat` (tag id → name) first, then the
 * assignments (`user_taggedartists.dat`, or the same assignments with timestamps, or parts of the
 * file a mirror split: `…_2.dat`). None without both.
 */
function hetrecTagFiles(names: string[]): string[] {
  const tags = names.find((n) => /^(data_)?tags\.dat$/.test(n));
  const parts = names.filter((n) => /^(data_)?user_taggedartists(_\d+)?\.dat$/.test(n));
  const assigned = parts.length ? parts : names.filter((n) => /^(data_)?user_taggedartists-timestamps\.dat$/.test(n));
  return tags && assigned.length ? [tags, ...assigned] : [];
}

/**
 * A tag name as stored: control characters out, spaces collapsed, lower case, at most
 * MAX_TAG_LENGTH characters; '' when nothing is left.
 */
function cleanTag(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const t = raw.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
  return t.length > MAX_TAG_LENGTH ? t.slice(0, MAX_TAG_LENGTH).trim() : t;
}

/**
 * A listening log's lines (without their ends; UTF-8, a bad byte read as U+FFFD as readline did),
 * in batches of about a megabyte, numbered from 1. A line still open after `maxLine` bytes refuses
 * the file by its number at once: a log of one endless line would otherwise be gathered whole
 * (readline has no limit, and past V8's longest string it failed without naming the file).
 */
export async function* lineBatches(file: string, maxLine: number): AsyncGenerator<{ lines: string[]; firstLine: number; bytesRead: number }> {
  const dec = new TextDecoder('utf-8');
  let pending: Buffer | null = null;
  let lineNo = 0;
  let bytes = 0;
  const text = (b: Buffer, start: number, end: number) => dec.decode(b.subarray(start, end > start && b[end - 1] === 13 ? end - 1 : end));
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    const buf: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    const first = lineNo + 1;
    const lines: string[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      lines.push(text(buf, start, nl));
      lineNo++;
      start = nl + 1;
    }
    pending = start < buf.length ? buf.subarray(start) : null;
    if (pending && pending.length > maxLine) throw new ImportError(file, `line ${lineNo + 1}`, `a line of more than ${maxLine / 1024} KB is not a listen`);
    yield { lines, firstLine: first, bytesRead: bytes };
  }
  if (pending) yield { lines: [text(pending, 0, pending.length)], firstLine: lineNo + 1, bytesRead: bytes };
}

/** A file's first non-empty line (of its first 64 KB). */
function firstLine(file: string): string {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(MAX_LINE);
  const n = fs.readSync(fd, buf, 0, MAX_LINE, 0);
  fs.closeSync(fd);
  const first = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim());
  if (first === undefined) throw new ImportError(file, null, 'empty');
  return first;
}

/** A playlist CSV's columns (playlist, track id, artist), from its header line; null when it is not one. */
function playlistColumns(header: string | string[]): { playlist: number; track: number; artist: number } | null {
  const names = typeof header === 'string' ? header.split(detectDelimiter(header)).map((h) => h.replace(/^"|"$/g, '')) : header;
  const h = new Header(names);
  const c = { playlist: h.find('playlist_id'), track: h.find('track_id', 'track uri', 'spotify_id'), artist: h.find('track_artist', 'artist name(s)', 'artists', 'artist_name', 'artist') };
  return c.playlist >= 0 && (c.track >= 0 || c.artist >= 0) ? c : null;
}

/** The format of a listening log, from its first non-empty line. */
function logKind(file: string): LogKind {
  const first = firstLine(file);
  const cols = first.split('\t');
  if (cols.length === 6 && /^\d{4}-\d\d-\d\dT/.test(cols[1])) return 'lastfm-1k';
  if (cols.length === 4 && /^\d+$/.test(cols[3].trim())) return 'lastfm-360k';
  if (first.trimStart().startsWith('{')) {
    try {
      const o = JSON.parse(first) as Record<string, unknown>;
      if (o && typeof o === 'object' && 'track_metadata' in o) return 'listenbrainz';
    } catch {
      // not JSON: falls through to the error
    }
  }
  throw new ImportError(file, 'line 1', 'expected Last.fm 1K (user, ISO timestamp, artist id, artist, track id, track; tab-separated), Last.fm 360K (user, artist id, artist, plays) or a ListenBrainz listen (JSON with track_metadata)');
}

/** One line of a listening log: whose it is, the artist, and the Spotify track id when the line has one. */
function parseLogLine(kind: LogKind, line: string, file: string, lineNo: number): { group: string; artist: unknown; spotifyId: string | null } {
  if (kind !== 'listenbrainz') {
    const cols = line.split('\t');
    const want = kind === 'lastfm-1k' ? 6 : 4;
    if (cols.length !== want) throw new ImportError(file, `line ${lineNo}`, `expected ${want} tab-separated columns (${kind === 'lastfm-1k' ? 'user, timestamp, artist id, artist, track id, track' : 'user, artist id, artist, plays'})`);
    return { group: cols[0], artist: kind === 'lastfm-1k' ? cols[3] : cols[2], spotifyId: null };
  }
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    throw new ImportError(file, `line ${lineNo}`, 'expected one JSON listen per line');
  }
  const meta = (o as { track_metadata?: unknown })?.track_metadata as { artist_name?: unknown; additional_info?: { spotify_id?: unknown } } | undefined;
  const user = (o as { user_name?: unknown })?.user_name;
  if (!meta || typeof meta !== 'object') throw new ImportError(file, `line ${lineNo}`, 'expected a listen with track_metadata');
  const sid = meta.additional_info?.spotify_id;
  const m = typeof sid === 'string' ? /(?:open\.spotify\.com\/track\/|spotify:track:)([0-9A-Za-z]{22})/.exec(sid) : null;
  // A file of one person's listens (a user's export) has no user_name: the file is the group.
  return { group: typeof user === 'string' ? user : file, artist: meta.artist_name, spotifyId: m ? m[1] : null };
}

/** A community file's text: UTF-8, or (`latin1Fallback`: HetRec's tags.dat is ISO-8859-1) Latin-1 when it is not UTF-8. */
function readText(file: string, latin1Fallback = false): string {
  const size = fs.statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new ImportError(file, null, `${(size / 1024 ** 2).toFixed(0)} MB is more than a community file holds (at most ${MAX_FILE_BYTES / 1024 ** 2} MB)`);
  const buf = fs.readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
    if (latin1Fallback) return new TextDecoder('latin1').decode(buf);
    throw new ImportError(file, null, 'not UTF-8 text');
  }
}

/** Accumulates groups (playlists, listeners) of artists and tracks. */
class CoCounter {
  readonly artistGroups = new Map<number, number>();
  readonly pairs = new Map<number, number>();
  readonly trackGroups = new Map<number, number>();
  groups = 0;

  add(artists: Set<number>, tracks: Set<number>): void {
    if (!artists.size && !tracks.size) return;
    this.groups++;
    const list = [...artists].slice(0, MAX_GROUP_ARTISTS).sort((a, b) => a - b);
    for (const a of list) this.artistGroups.set(a, (this.artistGroups.get(a) ?? 0) + 1);
    for (let i = 0; i < list.length; i++) {
      const base = list[i] * 2 ** 24;
      for (let j = i + 1; j < list.length; j++) {
        const k = base + list[j];
        this.pairs.set(k, (this.pairs.get(k) ?? 0) + 1);
      }
    }
    for (const t of tracks) this.trackGroups.set(t, (this.trackGroups.get(t) ?? 0) + 1);
  }
}

export async function importCommunity(lib: Library, input: string, opts: { onProgress?: (p: CommunityProgress) => void; signal?: AbortSignal } = {}): Promise<CommunityReport> {
  const t0 = performance.now();
  const { kind, files } = detectCommunity(input);
  const { sqlite } = lib;
  if (!library.trackCount(sqlite)) {
    throw new ImportError(input, null, 'import a catalogue first: community listening is matched to its tracks and artists');
  }
  const artistByNorm = new Map<string, number>(catalog.artistIdsByNorm(sqlite));
  const trackBySpotify = new Map<string, [number, number]>(catalog.trackKeys(sqlite).map(([s, id, a]) => [s, [id, a]]));
  const artistOf = (name: unknown): number | undefined => {
    if (typeof name !== 'string' || name.length > 1000) return undefined;
    const n = normArtist(name);
    return isPlaceholderArtist(n) ? undefined : artistByNorm.get(n);
  };
  const co = new CoCounter();
  /** HetRec's tags of the artists here: artist id → tag name → times applied. */
  let tags = new Map<number, Map<string, number>>();
  let rows = 0;
  let matchedRows = 0;
  /** One row of a group: its track by Spotify id first, else its artist by name. */
  const count = (spotifyId: string | null, artistName: unknown, artists: Set<number>, tracks: Set<number>) => {
    rows++;
    const hit = spotifyId ? trackBySpotify.get(spotifyId) : undefined;
    const a = hit ? hit[1] : artistOf(artistName);
    if (hit) tracks.add(hit[0]);
    if (a !== undefined) {
      artists.add(a);
      matchedRows++;
    }
  };
  const tick = () => new Promise<void>((r) => setImmediate(r));

  if (kind === 'mpd') {
    for (const [fi, file] of files.entries()) {
      if (opts.signal?.aborted) throw new ImportError(input, null, 'the import was cancelled; nothing was changed');
      let doc: unknown;
      try {
        doc = JSON.parse(readText(file));
      } catch (e) {
        if (e instanceof ImportError) throw e;
        throw new ImportError(file, null, `not valid JSON (${jsonProblem(e)})`);
      }
      const playlists = (doc as { playlists?: unknown })?.playlists;
      if (!Array.isArray(playlists)) throw new ImportError(file, null, 'expected an object with a "playlists" array (a Million Playlist Dataset slice)');
      playlists.forEach((pl, pi) => {
        const tracksOf = (pl as { tracks?: unknown })?.tracks;
        if (!Array.isArray(tracksOf)) throw new ImportError(file, `playlist ${pi + 1}`, 'expected a "tracks" array');
        const artists = new Set<number>();
        const tracks = new Set<number>();
        for (const t of tracksOf) {
          if (t === null || typeof t !== 'object') {
            rows++;
            continue;
          }
          const uri = (t as { track_uri?: unknown }).track_uri;
          const id = typeof uri === 'string' && /^spotify:track:[0-9A-Za-z]{22}$/.test(uri) ? uri.slice(14) : null;
          count(id, (t as { artist_name?: unknown }).artist_name, artists, tracks);
        }
        co.add(artists, tracks);
      });
      opts.onProgress?.({ file: path.basename(file), filesDone: fi + 1, filesTotal: files.length });
      if (fi % 20 === 19) await tick();
    }
  } else if (kind === 'playlists') {
    // Rows in any order: each playlist's artists and tracks gathered by its id.
    const [file] = files;
    const groups = new Map<string, { artists: Set<number>; tracks: Set<number> }>();
    let cols: ReturnType<typeof playlistColumns> = null;
    let width = 0;
    const size = fs.statSync(file).size;
    if (size > MAX_FILE_BYTES) throw new ImportError(file, null, `larger than ${MAX_FILE_BYTES / 2 ** 20} MB`);
    for await (const batch of readCsvBatches(fileSource(file), { onProgress: (b) => opts.onProgress?.({ file: path.basename(file), filesDone: b, filesTotal: size }) })) {
      if (opts.signal?.aborted) throw new ImportError(input, null, 'the import was cancelled; nothing was changed');
      for (const rec of batch) {
        const f = rec.fields;
        if (!cols) {
          cols = playlistColumns(f);
          if (!cols) throw new ImportError(file, 'line 1', 'expected a playlist_id column, and a track id or artist column');
          width = f.length;
          continue;
        }
        if (f.length !== width) throw new ImportError(file, `line ${rec.line}`, `expected ${width} fields, found ${f.length}`);
        const id = f[cols.playlist]?.trim();
        if (!id) {
          rows++;
          continue;
        }
        let g = groups.get(id);
        if (!g) {
          if (groups.size >= MAX_CSV_PLAYLISTS) throw new ImportError(file, `line ${rec.line}`, `more than ${MAX_CSV_PLAYLISTS.toLocaleString('en')} playlists in one file`);
          groups.set(id, (g = { artists: new Set(), tracks: new Set() }));
        }
        // The first credited artist (the 114k catalogue separates with ";").
        const artist = cols.artist >= 0 ? f[cols.artist]?.split(';')[0] : undefined;
        count(cols.track >= 0 ? spotifyIdOf(f[cols.track]) : null, artist, g.artists, g.tracks);
      }
      await tick();
    }
    for (const g of groups.values()) co.add(g.artists, g.tracks);
  } else if (kind === 'exports') {
    // Each entry is one person's export (any format the importer reads); only their listening
    // counts. Files that are not a listening history are passed over, as a history import of a
    // folder does, and named in the log.
    const passedOver: string[] = [];
    for (const [fi, entry] of files.entries()) {
      if (opts.signal?.aborted) throw new ImportError(input, null, 'the import was cancelled; nothing was changed');
      const artists = new Set<number>();
      const tracks = new Set<number>();
      for (const { source } of collect([entry])) {
        const d = await detect(source);
        if (d.kind !== 'history') {
          passedOver.push(source.name);
          continue;
        }
        for await (const batch of historyReader(d, source, () => {})) {
          for (const it of batch) if (it.kind === 'event') count(it.event.spotifyId, it.event.artist, artists, tracks);
        }
      }
      co.add(artists, tracks);
      opts.onProgress?.({ file: path.basename(entry), filesDone: fi + 1, filesTotal: files.length });
      await tick();
    }
    if (passedOver.length) log.warning(`${input}: ${passedOver.length} file(s) are not a listening history and were passed over: ${passedOver.slice(0, 5).map((f) => path.basename(f)).join(', ')}${passedOver.length > 5 ? ', …' : ''}`);
  } else if (kind !== 'hetrec') {
    // Listening logs are sorted by listener: a group ends when the listener changes.
    const total = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    let before = 0;
    for (const file of files) {
      let group: string | null = null;
      let artists = new Set<number>();
      let tracks = new Set<number>();
      for await (const batch of lineBatches(file, MAX_LINE)) {
        for (let k = 0; k < batch.lines.length; k++) {
          const lineNo = batch.firstLine + k;
          const line = lineNo === 1 ? batch.lines[k].replace(/^\uFEFF/, '') : batch.lines[k];
          if (!line.trim()) continue;
          if (line.length > MAX_LINE) throw new ImportError(file, `line ${lineNo}`, `a line of more than ${MAX_LINE / 1024} KB is not a listen`);
          const e = parseLogLine(kind, line, file, lineNo);
          if (e.group !== group) {
            if (group !== null) co.add(artists, tracks);
            group = e.group;
            artists = new Set();
            tracks = new Set();
          }
          count(e.spotifyId, e.artist, artists, tracks);
        }
        if (opts.signal?.aborted) throw new ImportError(input, null, 'the import was cancelled; nothing was changed');
        opts.onProgress?.({ file: path.basename(file), filesDone: before + batch.bytesRead, filesTotal: total });
        await tick();
      }
      if (group !== null) co.add(artists, tracks);
      before += fs.statSync(file).size;
      opts.onProgress?.({ file: path.basename(file), filesDone: before, filesTotal: total });
    }
  } else {
    const [artistsFile, userArtistsFile, tagsFile, ...taggedFiles] = files;
    const idToArtist = new Map<string, number>();
    readText(artistsFile).split(/\r?\n/).forEach((line, i) => {
      if (i === 0 || !line.trim()) return;
      const cols = line.split('\t');
      if (cols.length < 2) throw new ImportError(artistsFile, `line ${i + 1}`, 'expected tab-separated id and name');
      const a = artistOf(cols[1]);
      if (a !== undefined) idToArtist.set(cols[0], a);
    });
    opts.onProgress?.({ file: path.basename(artistsFile), filesDone: 1, filesTotal: 2 });
    const byUser = new Map<string, Set<number>>();
    readText(userArtistsFile).split(/\r?\n/).forEach((line, i) => {
      if (i === 0 || !line.trim()) return;
      const cols = line.split('\t');
      if (cols.length < 2 || !/^\d+$/.test(cols[0]) || !/^\d+$/.test(cols[1])) throw new ImportError(userArtistsFile, `line ${i + 1}`, 'expected tab-separated userID, artistID and weight');
      rows++;
      const a = idToArtist.get(cols[1]);
      if (a === undefined) return;
      matchedRows++;
      (byUser.get(cols[0]) ?? byUser.set(cols[0], new Set()).get(cols[0])!).add(a);
    });
    for (const artists of byUser.values()) co.add(artists, new Set());
    opts.onProgress?.({ file: path.basename(userArtistsFile), filesDone: 2, filesTotal: files.length });
    if (tagsFile) tags = readHetrecTags(tagsFile, taggedFiles, idToArtist, (f, done) => opts.onProgress?.({ file: path.basename(f), filesDone: 2 + done, filesTotal: files.length }));
  }
  if (!co.groups) throw new ImportError(input, null, 'no playlist or listener in it names an artist this library knows (import the catalogue first)');

  // Each artist's strongest neighbours, both directions.
  const neighbours = new Map<number, [number, number][]>();
  for (const [k, n] of co.pairs) {
    const a = Math.floor(k / 2 ** 24);
    const b = k - a * 2 ** 24;
    (neighbours.get(a) ?? neighbours.set(a, []).get(a)!).push([b, n]);
    (neighbours.get(b) ?? neighbours.set(b, []).get(b)!).push([a, n]);
  }
  let pairs = 0;
  const name = path.basename(path.resolve(input));
  const sourceId = sqlite.transaction(() => {
    const id = communityRows.insertSource(sqlite, { name, kind, groups: co.groups, rows, matchedRows });
    for (const [a, n] of co.artistGroups) communityRows.insertArtistDegree(sqlite, id, a, n);
    for (const [a, list] of neighbours) {
      list.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
      for (const [b, n] of list.slice(0, TOP_NEIGHBOURS)) {
        communityRows.insertArtistPair(sqlite, id, a, b, n);
        pairs++;
      }
    }
    for (const [t, n] of co.trackGroups) communityRows.insertTrackCount(sqlite, id, t, n);
    for (const [a, m] of tags) for (const [tag, n] of m) communityRows.insertArtistTag(sqlite, id, a, tag, n);
    return id;
  })();
  const tagged = tags.size;
  const report: CommunityReport = {
    sourceId, source: name, kind, groups: co.groups, rows, matchedRows, artists: co.artistGroups.size, pairs, tracks: co.trackGroups.size,
    taggedArtists: tagged, seconds: (performance.now() - t0) / 1000,
  };
  log.info(`community data ${name} (${kind}): ${co.groups} ${groupsArePlaylists(kind) ? 'playlists' : 'listeners'}, ${(100 * matchedRows / Math.max(1, rows)).toFixed(1)} % of ${rows} rows matched to ${co.artistGroups.size} artists here, ${pairs} artist neighbours, ${co.trackGroups.size} catalogue tracks${tagged ? `, tags of ${tagged} artists` : ''}, in ${report.seconds.toFixed(1)} s`);
  return report;
}

/**
 * HetRec's tagging (`tags.dat`: tag id and name; `user_taggedartists*.dat`: user, artist, tag, …)
 * as, per artist of this library, each tag's name and how many times it was applied. Tags applied
 * fewer than MIN_TAG_USES times in the whole file are left out (one person's private label says
 * nothing about the artist); names are cleaned (cleanTag), and tags whose names clean to the same
 * text are one tag.
 */
function readHetrecTags(tagsFile: string, taggedFiles: string[], idToArtist: Map<string, number>, progress: (file: string, done: number) => void): Map<number, Map<string, number>> {
  const names = new Map<string, string>();
  readText(tagsFile, true).split(/\r?\n/).forEach((line, i) => {
    if (i === 0 || !line.trim()) return;
    const tab = line.indexOf('\t');
    if (tab < 1 || !/^\d+$/.test(line.slice(0, tab))) throw new ImportError(tagsFile, `line ${i + 1}`, 'expected tab-separated tagID and tagValue');
    const name = cleanTag(line.slice(tab + 1));
    if (name) names.set(line.slice(0, tab), name);
  });
  progress(tagsFile, 1);
  const uses = new Map<string, number>();
  const perArtist = new Map<number, Map<string, number>>();
  taggedFiles.forEach((file, fi) => {
    readText(file).split(/\r?\n/).forEach((line, i) => {
      if (i === 0 || !line.trim()) return;
      const cols = line.split('\t');
      if (cols.length < 3 || !/^\d+$/.test(cols[0]) || !/^\d+$/.test(cols[1]) || !/^\d+$/.test(cols[2])) {
        throw new ImportError(file, `line ${i + 1}`, 'expected tab-separated userID, artistID and tagID');
      }
      const name = names.get(cols[2]);
      if (name === undefined) return;
      uses.set(name, (uses.get(name) ?? 0) + 1);
      const a = idToArtist.get(cols[1]);
      if (a === undefined) return;
      const m = perArtist.get(a) ?? perArtist.set(a, new Map()).get(a)!;
      m.set(name, (m.get(name) ?? 0) + 1);
    });
    progress(file, 2 + fi);
  });
  for (const [a, m] of perArtist) {
    for (const t of m.keys()) if (uses.get(t)! < MIN_TAG_USES) m.delete(t);
    if (!m.size) perArtist.delete(a);
  }
  return perArtist;
}

/** Removes a community source and everything it added, in one step. */
export function deleteCommunity(lib: Library, sourceId?: number): number {
  const { sqlite } = lib;
  const n = sqlite.transaction(() => {
    const ids = sourceId === undefined ? communityRows.sourceIds(sqlite) : [sourceId];
    let n = 0;
    for (const id of ids) n += communityRows.deleteSource(sqlite, id);
    return n;
  })();
  // What was kept beside the library goes with it (the next read keeps what remains).
  if (n && !sqlite.memory) removeCaches(sqlite.name);
  return n;
}

/**
 * What the community data in the library says about artists: for each artist its neighbours with
 * a cosine similarity of co-occurrence (together / √(groups_a · groups_b)), summed over sources.
 */
export interface CommunityKnowledge {
  neighbours: Map<number, { artist: number; sim: number }[]>;
  /** Catalogue track id → in how many community playlists it appears. */
  trackGroups: Map<number, number>;
  sources: number;
  /** Per profile, co-listening counted without that person (see ArtistNeighbours in recommender/data/features.ts). */
  ofProfile?: (profileId: number) => ArtistNeighbours;
}

/** The knowledge last read, per database file, with the catalogue version (community sources included) it was read at. */
const loaded = new Map<string, { version: string; value: CommunityKnowledge }>();

/**
 * What the imported community data says: each artist's neighbours (cosine over the groups both
 * appear in, summed over sources, strongest first) and each track's group count. Reading a
 * million pairs takes seconds, and every training and every opened recommender needs it, so the
 * answer is kept per database file until the catalogue or the community sources change (their
 * version, `versions.catalogueVersion`) — in memory, and in a file beside the library for the
 * next process (community-cache.ts). Callers must not modify it.
 */
export function loadCommunity(lib: Library | { sqlite: Library['sqlite'] }): CommunityKnowledge {
  const { sqlite } = lib;
  const file = sqlite.memory ? null : sqlite.name;
  const version = file ? versions.catalogueVersion(sqlite) : '';
  const hit = file ? loaded.get(file) : undefined;
  if (hit && hit.version === version) return hit.value;
  if (!file) return readCommunity(sqlite);
  // Another process (the window's, an earlier training's worker) may have kept it beside the library.
  const kept = cacheFile(file, version);
  let value = readCache(kept);
  if (!value) {
    value = readCommunity(sqlite);
    if (value.sources) writeCache(kept, value);
    else removeCaches(file); // deleted: nothing of it stays beside the library
  }
  loaded.clear(); // one library at a time: keep one answer
  loaded.set(file, { version, value });
  return value;
}

function readCommunity(sqlite: Library['sqlite']): CommunityKnowledge {
  const sources = communityRows.sourceCount(sqlite);
  const neighbours = new Map<number, { artist: number; sim: number }[]>();
  const trackGroups = new Map<number, number>();
  if (!sources) return { neighbours, trackGroups, sources };
  // Numeric keys (source × 2^32 + artist): a string per row made this several times slower.
  const key = (s: number, a: number) => s * 4294967296 + a;
  const deg = new Map<number, number>();
  for (const [s, a, g] of communityRows.artistDegrees(sqlite)) deg.set(key(s, a), g);
  const acc = new Map<number, Map<number, number>>();
  for (const [s, a, b, n] of communityRows.artistPairs(sqlite)) {
    const sim = n / Math.sqrt((deg.get(key(s, a)) ?? n) * (deg.get(key(s, b)) ?? n));
    let m = acc.get(a);
    if (!m) acc.set(a, (m = new Map()));
    m.set(b, (m.get(b) ?? 0) + sim);
  }
  for (const [a, m] of acc) {
    const list: { artist: number; sim: number }[] = [];
    for (const [artist, sim] of m) list.push({ artist, sim });
    neighbours.set(a, list.sort((x, y) => y.sim - x.sim || x.artist - y.artist));
  }
  for (const [t, g] of communityRows.trackCounts(sqlite)) trackGroups.set(t, g);
  return { neighbours, trackGroups, sources };
}
