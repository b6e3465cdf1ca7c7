export const HISTORY_FORMATS = ['spotify-account', 'spotify-extended', 'lastfm-csv', 'listenbrainz', 'exportify'] as const;
export const CATALOG_FORMATS = ['spotify-tracks-csv', 'tidytuesday-csv', 'exportify'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];
export type CatalogFormat = (typeof CATALOG_FORMATS)[number];

/** One listen as read from an export, before matching. */
export interface HistoryRecord {
  ts: number;
  artist: string;
  title: string;
  album: string | null;
  /** Spotify track id (base62) when the export carries one. */
  spotifyId: string | null;
  msPlayed: number | null;
  skipped: boolean | null;
  reasonStart: string | null;
  reasonEnd: string | null;
  shuffle: boolean | null;
  platform: string | null;
}

/** Listening stamped before this (2000-01-01 UTC) is a player without a clock (Last.fm's 1970 scrobbles), not a listen. */
export const EARLIEST_LISTEN_MS = Date.UTC(2000, 0, 1);
/** How far past the import's own time a listen may be stamped (a day: time zones, a clock a little fast). */
export const FUTURE_SLACK_MS = 86_400_000;
/** The longest single play believed: a day. */
export const MAX_PLAY_MS = 86_400_000;

/**
 * Why a listen read from an export cannot be believed, or null: a time before 2000 or in the
 * future (one listen stamped in 9999 would make every other one ancient to the recency signals),
 * or a play time below zero or over a day. Such records are skipped and counted, like any other.
 */
export function implausibleListen(ts: number, msPlayed: number | null, now = Date.now()): string | null {
  if (ts < EARLIEST_LISTEN_MS) return 'time before 2000 (a player without a clock?)';
  if (ts > now + FUTURE_SLACK_MS) return 'time in the future';
  if (msPlayed !== null && (msPlayed < 0 || msPlayed > MAX_PLAY_MS)) return 'play time below 0 or over 24 hours';
  return null;
}

/** The longest artist, track, album or genre name kept: real ones stay under a few hundred characters. */
export const MAX_NAME_CHARS = 1000;

/** Why a record's names cannot be believed (one is over MAX_NAME_CHARS: a broken or hostile file), or null. */
export function overlongName(...names: (string | null | undefined)[]): string | null {
  return names.some((n) => n && n.length > MAX_NAME_CHARS) ? `a name over ${MAX_NAME_CHARS.toLocaleString('en')} characters` : null;
}

export type HistoryItem =
  | { kind: 'event'; event: HistoryRecord }
  | { kind: 'skip'; reason: string; where: string }
  /** Something about the whole file worth telling the person (not a record). */
  | { kind: 'note'; note: string };

export const AUDIO_FEATURES = [
  'danceability', 'energy', 'key', 'loudness', 'mode', 'speechiness', 'acousticness',
  'instrumentalness', 'liveness', 'valence', 'tempo', 'timeSignature',
] as const;
export type AudioFeature = (typeof AUDIO_FEATURES)[number];

/** One catalogue row; a missing column is null, never invented. */
export interface CatalogRow extends Record<AudioFeature, number | null> {
  spotifyId: string;
  title: string;
  album: string | null;
  artists: string[];
  genres: string[];
  year: number | null;
  releaseDate: string | null;
  durationMs: number | null;
  popularity: number | null;
  explicit: boolean | null;
}

/** A catalogue row (`outOfRange`: the columns whose value lay outside CATALOG_RANGES and were left missing), or a skipped line. */
export type CatalogItem = { kind: 'row'; row: CatalogRow; outOfRange?: string[]; where?: string } | { kind: 'skip'; reason: string; where: string };

/**
 * What each numeric catalogue column can hold: Spotify's audio features in their documented
 * ranges, the rest generously (both of ../shared's catalogues lie within them). A value outside is
 * a broken or hostile file, not a track: it is left missing (imputed like any gap), never clamped
 * — two rows with a tempo of 1e308 made every track's standardised tempo NaN.
 */
export const CATALOG_RANGES = {
  danceability: [0, 1], energy: [0, 1], speechiness: [0, 1], acousticness: [0, 1], instrumentalness: [0, 1],
  liveness: [0, 1], valence: [0, 1], key: [-1, 11], mode: [0, 1], loudness: [-100, 20], tempo: [0, 1000],
  timeSignature: [0, 20], durationMs: [0, 86_400_000], popularity: [0, 100],
} as const satisfies Partial<Record<keyof CatalogRow, readonly [number, number]>>;

/** Sets `row`'s values outside CATALOG_RANGES to missing; the columns it did that to. */
export function dropOutOfRange(row: CatalogRow): string[] {
  const out: string[] = [];
  const r = row as unknown as Record<string, number | null>;
  for (const [k, [lo, hi]] of Object.entries(CATALOG_RANGES)) {
    const v = r[k];
    if (v !== null && v !== undefined && !(v >= lo && v <= hi)) {
      r[k] = null;
      out.push(k);
    }
  }
  return out;
}

/** Spotify track id from "spotify:track:ID", "https://open.spotify.com/track/ID?si=…" or a bare id. */
export function spotifyIdOf(v: unknown): string | null {
  if (typeof v !== 'string' || !v) return null;
  const m = /(?:spotify:track:|open\.spotify\.com\/track\/)?([0-9A-Za-z]{22})(?:\?.*)?$/.exec(v.trim());
  return m ? m[1] : null;
}

/**
 * Identity of one listen across exports of the same person: the minute it ended, the artist and
 * title as exported, and the milliseconds played. Spotify's account data (minute resolution) and
 * extended history (second resolution) of the same play therefore agree.
 */
export function dedupeKey(e: HistoryRecord): string {
  return `${Math.floor(e.ts / 60000)}\u0001${e.artist.toLowerCase()}\u0001${e.title.toLowerCase()}\u0001${e.msPlayed ?? ''}`;
}
