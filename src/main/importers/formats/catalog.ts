/**
 * Catalogue CSVs with audio features: the Spotify Tracks Dataset (114k), TidyTuesday
 * spotify_songs and Exportify playlists. Columns are found by name; a column the file lacks
 * gives null.
 */
import { Header, readCsvBatches } from '../csv';
import { ImportError } from '../errors';
import type { Source } from '../source';
import { parseTimestamp, parseYear } from '../time';
import { dropOutOfRange, implausibleListen, overlongName, spotifyIdOf, type CatalogFormat, type CatalogItem, type CatalogRow, type HistoryItem } from '../types';

interface Columns {
  id: number;
  title: number;
  album: number;
  artists: number;
  splitArtists: (field: string) => string[];
  genres: number[];
  release: number;
  duration: number;
  popularity: number;
  explicit: number;
  features: Record<string, number>;
  addedAt: number;
}

const FEATURE_COLUMNS: [keyof CatalogRow, string][] = [
  ['danceability', 'danceability'], ['energy', 'energy'], ['key', 'key'], ['loudness', 'loudness'],
  ['mode', 'mode'], ['speechiness', 'speechiness'], ['acousticness', 'acousticness'],
  ['instrumentalness', 'instrumentalness'], ['liveness', 'liveness'], ['valence', 'valence'],
  ['tempo', 'tempo'], ['timeSignature', 'time_signature'],
];

function columns(h: Header, format: CatalogFormat): Columns {
  const features: Record<string, number> = {};
  for (const [k, col] of FEATURE_COLUMNS) features[k] = h.find(col);
  const c: Columns = {
    id: h.find('track_id', 'track uri', 'spotify_id', 'id'),
    title: h.find('track_name', 'track name', 'name'),
    album: h.find('album_name', 'track_album_name', 'album name', 'album'),
    artists: h.find('artists', 'track_artist', 'artist name(s)', 'artist_name'),
    // 114k separates with ";"; TidyTuesday has one artist; Exportify: see exportifyArtists.
    splitArtists: format === 'spotify-tracks-csv' ? (s) => s.split(';') : format === 'exportify' ? exportifyArtists : (s) => [s],
    genres:
      format === 'spotify-tracks-csv' ? [h.find('track_genre')]
        : format === 'tidytuesday-csv' ? [h.find('playlist_genre'), h.find('playlist_subgenre')]
          : [h.find('genres')],
    release: h.find('track_album_release_date', 'release date', 'release_date', 'year'),
    duration: h.find('duration_ms', 'duration (ms)'),
    popularity: h.find('popularity', 'track_popularity'),
    explicit: h.find('explicit'),
    features,
    addedAt: h.find('added at', 'added_at'),
  };
  if (c.id < 0 || c.title < 0 || c.artists < 0) {
    throw new ImportError('', 'line 1', 'expected track id, track name and artist columns');
  }
  return c;
}

/**
 * Exportify's "Artist Name(s)": today joined with ";" ("Kali Uchis;Tyler, The Creator"), in older
 * exports with "," and no space ("Drake,Future"). Names themselves hold ", " ("Tyler, The
 * Creator", "Earth, Wind & Fire", "Grover Washington, Jr."), so a field with ";" splits on ";" only,
 * and one without splits only on a comma that no space follows.
 */
export function exportifyArtists(field: string): string[] {
  return field.includes(';') ? field.split(';') : field.split(/,(?!\s)/);
}

const num = (s: string | undefined): number | null => {
  if (s === undefined) return null;
  const t = s.trim();
  if (!t || t === 'NA' || t === 'NaN' || t === 'null') return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
};
const boolOf = (s: string | undefined): boolean | null => {
  const t = s?.trim().toLowerCase();
  return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : null;
};

export interface CatalogReadOptions {
  format: CatalogFormat;
  onProgress?: (b: number) => void;
  /** Exportify only: also yield each row as a saved-track history event. */
  onSaved?: (item: HistoryItem) => void;
}

/** Items in batches, one per decoded chunk. */
export async function* readCatalogCsv(src: Source, opts: CatalogReadOptions): AsyncGenerator<CatalogItem[]> {
  let cols: Columns | null = null;
  let width = 0;
  for await (const batch of readCsvBatches(src, { onProgress: opts.onProgress })) {
    const out: CatalogItem[] = [];
    for (const rec of batch) {
      const f = rec.fields;
      if (!cols) {
        try {
          cols = columns(new Header(f), opts.format);
        } catch (e) {
          if (e instanceof ImportError) throw new ImportError(src.name, e.where, e.problem);
          throw e;
        }
        width = f.length;
        continue;
      }
      const where = `line ${rec.line}`;
      if (f.length !== width) {
        throw new ImportError(src.name, where, `expected ${width} fields, found ${f.length}${f.length < width ? ' (truncated line?)' : ''}`);
      }
      const spotifyId = spotifyIdOf(f[cols.id]);
      const title = f[cols.title]?.trim();
      const artists = cols.splitArtists(f[cols.artists] ?? '').map((a) => a.trim()).filter(Boolean);
      if (!spotifyId) {
        out.push({ kind: 'skip', reason: 'missing or malformed Spotify track id', where });
        continue;
      }
      if (!title || artists.length === 0) {
        out.push({ kind: 'skip', reason: 'missing track name or artist', where });
        continue;
      }
      const genres: string[] = [];
      for (const gi of cols.genres) {
        if (gi < 0) continue;
        for (const g of (f[gi] ?? '').split(',')) {
          const t = g.trim().toLowerCase();
          if (t && !genres.includes(t)) genres.push(t);
        }
      }
      const release = cols.release >= 0 ? f[cols.release]?.trim() || null : null;
      const overlong = overlongName(title, cols.album >= 0 ? f[cols.album] : null, release, ...artists, ...genres);
      if (overlong) {
        out.push({ kind: 'skip', reason: overlong, where });
        continue;
      }
      const row: CatalogRow = {
        spotifyId,
        title,
        album: cols.album >= 0 ? f[cols.album]?.trim() || null : null,
        artists,
        genres,
        year: parseYear(release),
        releaseDate: release,
        durationMs: cols.duration >= 0 ? num(f[cols.duration]) : null,
        popularity: cols.popularity >= 0 ? num(f[cols.popularity]) : null,
        explicit: cols.explicit >= 0 ? boolOf(f[cols.explicit]) : null,
        danceability: null, energy: null, key: null, loudness: null, mode: null, speechiness: null,
        acousticness: null, instrumentalness: null, liveness: null, valence: null, tempo: null, timeSignature: null,
      };
      for (const [k] of FEATURE_COLUMNS) {
        const i = cols.features[k as string];
        (row as unknown as Record<string, number | null>)[k as string] = i >= 0 ? num(f[i]) : null;
      }
      const outOfRange = dropOutOfRange(row);
      out.push(outOfRange.length ? { kind: 'row', row, outOfRange, where } : { kind: 'row', row });
      if (opts.onSaved && cols.addedAt >= 0) {
        const ts = parseTimestamp(f[cols.addedAt]);
        const bad = Number.isFinite(ts) ? implausibleListen(ts, null) : 'missing or unreadable Added At';
        opts.onSaved(
          bad
            ? { kind: 'skip', reason: bad, where }
            : {
                kind: 'event',
                event: {
                  ts, artist: artists[0], title, album: row.album, spotifyId, msPlayed: null, skipped: null,
                  reasonStart: 'saved', reasonEnd: null, shuffle: null, platform: null,
                },
              },
        );
      }
    }
    yield out;
  }
  if (!cols) throw new ImportError(src.name, null, 'the file is empty; expected a CSV header line');
}
