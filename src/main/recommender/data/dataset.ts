/**
 * From the database to plain typed arrays: the catalogue, the people, their listening events,
 * and a time-based split of each person's history.
 */
import { catalog as catalogRows, columns, community as communityRows, profiles as profileRows, type Sqlite } from '../../db';
import { AUDIO_COLUMNS } from '../../db/queries/columns';
import { artistTagVectors, type ItemTags } from '../inference/content';

export { AUDIO_COLUMNS };
export type AudioColumn = (typeof AUDIO_COLUMNS)[number];

export interface Catalog {
  /** Database ids, row i ↔ trackId[i]. */
  trackId: Int32Array;
  rowOf: Map<number, number>;
  spotifyId: string[];
  title: string[];
  artistId: Int32Array; // database artist id
  genreId: Int32Array; // database genre id, -1 when missing
  year: Float32Array; // NaN when missing
  durationMs: Float32Array;
  popularity: Float32Array;
  /** AUDIO_COLUMNS.length values per track, NaN when missing. */
  audio: Float32Array;
  /**
   * Per row: the row that stands for the same recording (same artist, same normalised title —
   * catalogues list a song once per album, genre or release). Listens are credited to it, and
   * only such rows are recommended or ranked.
   */
  canonical: Int32Array;
  artistName: Map<number, string>;
  genreName: Map<number, string>;
  /**
   * Tag vectors of the rows, where there are tags (inference/content.ts): a public benchmark's, or
   * in a library the tags imported community data gave each row's artist (catalogueTags).
   */
  tags?: ItemTags;
}

export interface Profile {
  id: number;
  name: string;
  age: number | null;
  gender: string | null;
  country: string | null;
}

export interface Events {
  /** Index into profiles[]. */
  profile: Int32Array;
  ts: Float64Array;
  /** Catalogue row, -1 when the listen matched no track. */
  track: Int32Array;
  /** Database artist id, -1 when unmatched. */
  artist: Int32Array;
  msPlayed: Float64Array; // NaN when the format has none
  skipped: Int8Array; // -1 unknown, 0, 1
  length: number;
}

export interface LoadedData {
  catalog: Catalog;
  profiles: Profile[];
  events: Events;
  /**
   * Per catalogue row: 1 when the recording came only from a person's export (Exportify files
   * carry catalogue rows), not from a catalogue. Such a row exists because someone saved it: before
   * the period that first holds it, a library would not have it, so evaluation neither ranks nor
   * counts it there (data/pipeline.ts `hiddenBefore`). Unset: every row is a catalogue's.
   */
  exportOnly?: Uint8Array;
}

/** The library's catalogue; `tags: false` leaves out the community tags (catalogueTags: ~0.15 s with HetRec's) where nothing reads them. */
export function loadCatalog(sqlite: Sqlite, opts: { tags?: boolean } = {}): Catalog {
  const cols = columns.trackColumns(sqlite);
  const n = cols[0].length;
  const c: Catalog = {
    trackId: new Int32Array(n),
    rowOf: new Map(),
    spotifyId: new Array(n),
    title: new Array(n),
    artistId: new Int32Array(n),
    genreId: new Int32Array(n),
    year: new Float32Array(n),
    durationMs: new Float32Array(n),
    popularity: new Float32Array(n),
    audio: new Float32Array(n * AUDIO_COLUMNS.length),
    canonical: new Int32Array(n),
    artistName: new Map(),
    genreName: new Map(),
  };
  const num = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
  const [id, spotifyId, title, artistId, genreId, year, duration, popularity] = cols;
  const NA = AUDIO_COLUMNS.length;
  for (let i = 0; i < n; i++) {
    c.trackId[i] = id[i] as number;
    c.rowOf.set(id[i] as number, i);
    c.spotifyId[i] = spotifyId[i] as string;
    c.title[i] = title[i] as string;
    c.artistId[i] = artistId[i] as number;
    c.genreId[i] = genreId[i] === null ? -1 : (genreId[i] as number);
    c.year[i] = num(year[i]);
    c.durationMs[i] = num(duration[i]);
    c.popularity[i] = num(popularity[i]);
    for (let k = 0; k < NA; k++) c.audio[i * NA + k] = num(cols[8 + k][i]);
  }
  c.canonical = canonicalRows(c.artistId, cols[8 + NA] as string[]);
  for (const [id, name] of catalogRows.artistNames(sqlite)) c.artistName.set(id, name);
  for (const [id, name] of catalogRows.genreNames(sqlite)) c.genreName.set(id, name);
  if (opts.tags !== false) c.tags = catalogueTags(sqlite, c.artistId);
  return c;
}

/**
 * The rows' tag vectors from the tags imported community data gave their artists (HetRec's
 * tagging, summed over sources; each row carries its artist's), with the tags' names; undefined
 * without any.
 */
export function catalogueTags(sqlite: Sqlite, artistId: Int32Array): ItemTags | undefined {
  const byArtist = new Map<number, [number, number][]>();
  const index = new Map<string, number>();
  const names: string[] = [];
  for (const [a, tag, uses] of communityRows.artistTags(sqlite)) {
    let t = index.get(tag);
    if (t === undefined) {
      index.set(tag, (t = names.length));
      names.push(tag);
    }
    (byArtist.get(a) ?? byArtist.set(a, []).get(a)!).push([t, uses]);
  }
  if (!byArtist.size) return undefined;
  return { ...artistTagVectors(artistId, byArtist), names };
}

/** Per row, the first row with the same artist and normalised title. */
export function canonicalRows(artistId: Int32Array, titleNorm: ArrayLike<string | null>): Int32Array {
  const first = new Map<string, number>();
  return Int32Array.from(artistId, (a, i) => {
    const t = titleNorm[i];
    if (!t) return i;
    const key = `${a}\u0000${t}`;
    const f = first.get(key);
    if (f !== undefined) return f;
    first.set(key, i);
    return i;
  });
}

/**
 * Events from the columns ts, track_id, artist_id, ms_played, skipped of listening_events (track
 * ids mapped to catalogue rows, missing values to -1 / NaN); `profileOf(r)` is row r's profile
 * index, or undefined to leave the row out.
 */
function eventsFrom(catalog: Catalog, [ts, track, artist, ms, skipped]: (number | null)[][], profileOf: (r: number) => number | undefined): Events {
  const n = ts.length;
  const ev: Events = {
    profile: new Int32Array(n), ts: new Float64Array(n), track: new Int32Array(n), artist: new Int32Array(n),
    msPlayed: new Float64Array(n), skipped: new Int8Array(n), length: 0,
  };
  let i = 0;
  for (let r = 0; r < n; r++) {
    const p = profileOf(r);
    if (p === undefined) continue;
    ev.profile[i] = p;
    ev.ts[i] = ts[r]!;
    const trackId = track[r];
    const row = trackId === null ? undefined : catalog.rowOf.get(trackId);
    ev.track[i] = row === undefined ? -1 : catalog.canonical[row];
    ev.artist[i] = artist[r] ?? -1;
    ev.msPlayed[i] = ms[r] ?? NaN;
    ev.skipped[i] = skipped[r] ?? -1;
    i++;
  }
  ev.length = i;
  return ev;
}

/**
 * `LoadedData.exportOnly` for `catalog` (read with the data, not with the catalogue: serving never
 * needs it, and a catalogue given from a serving snapshot would not carry it). A recording is export-only
 * when every row standing for it is (listens are credited to its canonical row).
 */
function exportOnlyRows(sqlite: Sqlite, catalog: Catalog): Uint8Array | undefined {
  const ids = catalogRows.exportOnlyTrackIds(sqlite);
  if (!ids.length) return undefined;
  const n = catalog.trackId.length;
  const rowFlags = new Uint8Array(n);
  for (const id of ids) {
    const r = catalog.rowOf.get(id);
    if (r !== undefined) rowFlags[r] = 1;
  }
  const eo = rowFlags.slice();
  for (let r = 0; r < n; r++) if (!rowFlags[r]) eo[catalog.canonical[r]] = 0;
  return eo;
}

/** The library's catalogue, people and listening; `exportOnly`: with `LoadedData.exportOnly` (what evaluation needs; a scan of the tracks, ~20 ms on 120k). */
export function loadData(sqlite: Sqlite, opts: { profileIds?: number[]; catalog?: Catalog; exportOnly?: boolean; tags?: boolean } = {}): LoadedData {
  const catalog = opts.catalog ?? loadCatalog(sqlite, { tags: opts.tags });
  const profiles = (profileRows.allProfiles(sqlite) as Profile[]).filter(
    (p) => !opts.profileIds || opts.profileIds.includes(p.id),
  );
  const pIndex = new Map(profiles.map((p, i) => [p.id, i]));
  const [pid, ...cols] = columns.allEventColumns(sqlite);
  return { catalog, profiles, events: eventsFrom(catalog, cols, (r) => pIndex.get(pid[r]!)), exportOnly: opts.exportOnly ? exportOnlyRows(sqlite, catalog) : undefined };
}

export const TRAIN = 0;
export const VALID = 1;
export const TEST = 2;

export interface Split {
  /** Per event: TRAIN, VALID or TEST. */
  part: Uint8Array;
  /** Per profile: the time where validation starts and where test starts. */
  validStart: Float64Array;
  testStart: Float64Array;
}

/**
 * Each person's listening period is cut by time: the first (1 − v − t) is training, then
 * validation, then test. Someone with too few events is kept entirely in training so every
 * profile stays represented.
 */
export function timeSplit(data: LoadedData, validFraction: number, testFraction: number, minEvents: number): Split {
  const { events, profiles } = data;
  const part = new Uint8Array(events.length);
  const validStart = new Float64Array(profiles.length).fill(Infinity);
  const testStart = new Float64Array(profiles.length).fill(Infinity);
  let start = 0;
  while (start < events.length) {
    const p = events.profile[start];
    let end = start;
    while (end < events.length && events.profile[end] === p) end++;
    const count = end - start;
    if (count >= minEvents) {
      const t0 = events.ts[start];
      const t1 = events.ts[end - 1];
      let vs = t0 + (t1 - t0) * (1 - validFraction - testFraction);
      let ts = t0 + (t1 - t0) * (1 - testFraction);
      // A listening period with long gaps (a year without an export) can leave a part empty or
      // nearly so: fall back to event counts when training holds under 30 % of the events, or
      // validation or test under a tenth of their share.
      const countBefore = (t: number) => {
        let k = start;
        while (k < end && events.ts[k] < t) k++;
        return k - start;
      };
      const [beforeValid, beforeTest] = [countBefore(vs), countBefore(ts)];
      const scarce = (n: number, fraction: number) => fraction > 0 && n < Math.max(1, count * fraction * 0.1);
      if (beforeValid < count * 0.3 || scarce(beforeTest - beforeValid, validFraction) || scarce(count - beforeTest, testFraction)) {
        vs = events.ts[start + Math.floor(count * (1 - validFraction - testFraction))];
        ts = events.ts[Math.min(end - 1, start + Math.floor(count * (1 - testFraction)))];
      }
      validStart[p] = validFraction > 0 ? vs : ts;
      testStart[p] = testFraction > 0 ? ts : Infinity;
      for (let k = start; k < end; k++) {
        const t = events.ts[k];
        part[k] = t >= testStart[p] ? TEST : t >= validStart[p] ? VALID : TRAIN;
      }
    }
    start = end;
  }
  return { part, validStart, testStart };
}

/** One person's profile and listening, against an already loaded catalogue (serving). */
export function loadProfileData(sqlite: Sqlite, catalog: Catalog, profileId: number): LoadedData {
  const p = profileRows.profileById(sqlite, profileId) as Profile | undefined;
  if (!p) throw new Error(`no profile with id ${profileId}`);
  const cols = columns.profileEventColumns(sqlite, profileId);
  return { catalog, profiles: [p], events: eventsFrom(catalog, cols, () => 0) };
}
