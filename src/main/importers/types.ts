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

export type CatalogItem = { kind: 'row'; row: CatalogRow } | { kind: 'skip'; reason: string; where: string };

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
