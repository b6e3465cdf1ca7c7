/**
 * Community data: public listening datasets a person downloads themselves, imported as what they
 * teach — which artists go together (shared playlists or listeners) and how often catalogue tracks
 * are chosen — never as people. Spotify Million Playlist Dataset slices (`mpd.slice.*.json`,
 * tracks matched by Spotify URI first, then by artist name) and HetRec Last.fm
 * (`user_artists.dat` + `artists.dat`, by artist name). One transaction: a refused file changes
 * nothing. Only artists this library knows (from its catalogues and histories) are kept, so
 * import the catalogue first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CommunitySummary } from '../../shared/ipc';
import { catalog, community as communityRows, library, type Library } from '../db';
import { getLogger } from '../logging';
import { ImportError } from './errors';
import { isPlaceholderArtist, normArtist } from './normalize';

const log = getLogger('community');

/** What an import added (as the window shows it, CommunitySummary) and the source's id. */
export interface CommunityReport extends CommunitySummary {
  sourceId: number;
}

export interface CommunityProgress {
  file: string;
  filesDone: number;
  filesTotal: number;
}

/** Neighbours kept per artist (the strongest co-occurrences). */
const TOP_NEIGHBOURS = 100;
/** A playlist or listener with more distinct artists than this counts its first ones only (quadratic pairs). */
const MAX_GROUP_ARTISTS = 300;
/** Largest community file read (a slice is ~150 KB; HetRec's largest file ~1.4 MB). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

type Kind = 'mpd' | 'hetrec';

/** What a path holds: MPD slices (a file or a folder of them) or a HetRec folder. */
export function detectCommunity(p: string): { kind: Kind; files: string[] } {
  if (!fs.existsSync(p)) throw new ImportError(p, null, 'no such file or folder');
  const st = fs.statSync(p);
  const isSlice = (n: string) => /^mpd\.slice\..*\.json$/i.test(n);
  if (st.isFile()) {
    if (isSlice(path.basename(p))) return { kind: 'mpd', files: [p] };
    throw new ImportError(p, null, 'not a community dataset: expected an mpd.slice.*.json file, a folder of them, or a HetRec Last.fm folder (user_artists.dat and artists.dat)');
  }
  const names = fs.readdirSync(p).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const slices = names.filter(isSlice);
  if (slices.length) return { kind: 'mpd', files: slices.map((n) => path.join(p, n)) };
  const ua = names.find((n) => /^(data_)?user_artists\.dat$/.test(n));
  const ar = names.find((n) => /^(data_)?artists\.dat$/.test(n));
  if (ua && ar) return { kind: 'hetrec', files: [path.join(p, ar), path.join(p, ua)] };
  throw new ImportError(p, null, 'not a community dataset: expected mpd.slice.*.json files, or HetRec Last.fm\'s user_artists.dat and artists.dat');
}

function readText(file: string): string {
  const size = fs.statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new ImportError(file, null, `${(size / 1024 ** 2).toFixed(0)} MB is more than a community file holds (at most ${MAX_FILE_BYTES / 1024 ** 2} MB)`);
  const buf = fs.readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
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
  let rows = 0;
  let matchedRows = 0;
  const tick = () => new Promise<void>((r) => setImmediate(r));

  if (kind === 'mpd') {
    for (const [fi, file] of files.entries()) {
      if (opts.signal?.aborted) throw new ImportError(input, null, 'the import was cancelled; nothing was changed');
      let doc: unknown;
      try {
        doc = JSON.parse(readText(file));
      } catch (e) {
        if (e instanceof ImportError) throw e;
        throw new ImportError(file, null, `not valid JSON (${(e as Error).message.replace(/\s*in JSON at position.*$/, '').slice(0, 80)})`);
      }
      const playlists = (doc as { playlists?: unknown })?.playlists;
      if (!Array.isArray(playlists)) throw new ImportError(file, null, 'expected an object with a "playlists" array (a Million Playlist Dataset slice)');
      playlists.forEach((pl, pi) => {
        const tracksOf = (pl as { tracks?: unknown })?.tracks;
        if (!Array.isArray(tracksOf)) throw new ImportError(file, `playlist ${pi + 1}`, 'expected a "tracks" array');
        const artists = new Set<number>();
        const tracks = new Set<number>();
        for (const t of tracksOf) {
          rows++;
          if (t === null || typeof t !== 'object') continue;
          const uri = (t as { track_uri?: unknown }).track_uri;
          const id = typeof uri === 'string' && /^spotify:track:[0-9A-Za-z]{22}$/.test(uri) ? uri.slice(14) : null;
          const hit = id ? trackBySpotify.get(id) : undefined;
          const a = hit ? hit[1] : artistOf((t as { artist_name?: unknown }).artist_name);
          if (hit) tracks.add(hit[0]);
          if (a !== undefined) {
            artists.add(a);
            matchedRows++;
          }
        }
        co.add(artists, tracks);
      });
      opts.onProgress?.({ file: path.basename(file), filesDone: fi + 1, filesTotal: files.length });
      if (fi % 20 === 19) await tick();
    }
  } else {
    const [artistsFile, userArtistsFile] = files;
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
    opts.onProgress?.({ file: path.basename(userArtistsFile), filesDone: 2, filesTotal: 2 });
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
    return id;
  })();
  const report: CommunityReport = {
    sourceId, source: name, kind, groups: co.groups, rows, matchedRows, artists: co.artistGroups.size, pairs, tracks: co.trackGroups.size,
    seconds: (performance.now() - t0) / 1000,
  };
  log.info(`community data ${name} (${kind}): ${co.groups} ${kind === 'mpd' ? 'playlists' : 'listeners'}, ${(100 * matchedRows / Math.max(1, rows)).toFixed(1)} % of ${rows} rows matched to ${co.artistGroups.size} artists here, ${pairs} artist neighbours, ${co.trackGroups.size} catalogue tracks, in ${report.seconds.toFixed(1)} s`);
  return report;
}

/** Removes a community source and everything it added, in one step. */
export function deleteCommunity(lib: Library, sourceId?: number): number {
  const { sqlite } = lib;
  return sqlite.transaction(() => {
    const ids = sourceId === undefined ? communityRows.sourceIds(sqlite) : [sourceId];
    let n = 0;
    for (const id of ids) n += communityRows.deleteSource(sqlite, id);
    return n;
  })();
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
}

export function loadCommunity(lib: Library | { sqlite: Library['sqlite'] }): CommunityKnowledge {
  const { sqlite } = lib;
  const sources = communityRows.sourceCount(sqlite);
  const neighbours = new Map<number, { artist: number; sim: number }[]>();
  const trackGroups = new Map<number, number>();
  if (!sources) return { neighbours, trackGroups, sources };
  const deg = new Map<string, number>();
  for (const [s, a, g] of communityRows.artistDegrees(sqlite)) deg.set(`${s}:${a}`, g);
  const acc = new Map<number, Map<number, number>>();
  for (const [s, a, b, n] of communityRows.artistPairs(sqlite)) {
    const sim = n / Math.sqrt((deg.get(`${s}:${a}`) ?? n) * (deg.get(`${s}:${b}`) ?? n));
    const m = acc.get(a) ?? acc.set(a, new Map()).get(a)!;
    m.set(b, (m.get(b) ?? 0) + sim);
  }
  for (const [a, m] of acc) neighbours.set(a, [...m].map(([artist, sim]) => ({ artist, sim })).sort((x, y) => y.sim - x.sim || x.artist - y.artist));
  for (const [t, g] of communityRows.trackCounts(sqlite)) trackGroups.set(t, g);
  return { neighbours, trackGroups, sources };
}
