/**
 * Bulk reads for the recommender: whole tables as columns (arrays), not rows. One row of JSON
 * arrays instead of one JS row per record: better-sqlite3 spends ~1.7 µs materialising each row,
 * JSON.parse a fraction of that (2–3× on catalogues and histories).
 */
import { stmt, type Sqlite } from '../statements';

export type Cell = number | string | null;

/** The audio-feature columns of `tracks`, in the order the recommender stores them. */
export const AUDIO_COLUMNS = [
  'danceability', 'energy', 'key', 'loudness', 'mode', 'speechiness', 'acousticness',
  'instrumentalness', 'liveness', 'valence', 'tempo', 'time_signature',
] as const;

/**
 * The columns of `inner`'s result as arrays, in its row order. SQLite aggregates a subquery's rows
 * in the subquery's order; `sorted(a, b)` checks it, and should it ever not hold the rows are re-ordered.
 */
function columnsOf(db: Sqlite, inner: string, columns: readonly string[], sorted: (c: Cell[][], i: number, j: number) => number, ...params: unknown[]): Cell[][] {
  const sql = `SELECT ${columns.map((c) => `json_group_array(${c})`).join(', ')} FROM (${inner})`;
  const cols = (stmt(db, sql).raw().get(...params) as string[]).map((c) => JSON.parse(c) as Cell[]);
  const n = cols[0].length;
  for (let i = 1; i < n; i++) {
    if (sorted(cols, i - 1, i) > 0) {
      const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => sorted(cols, a, b) || a - b);
      return cols.map((c) => order.map((k) => c[k]));
    }
  }
  return cols;
}

const byNumber = (col: number) => (c: Cell[][], i: number, j: number) => (c[col][i] as number) - (c[col][j] as number);

export const TRACK_COLUMNS = ['id', 'spotify_id', 'title', 'artist_id', 'main_genre_id', 'year', 'duration_ms', 'popularity', ...AUDIO_COLUMNS, 'title_norm'] as const;

/** Every track, by id: one array per TRACK_COLUMNS entry. */
export const trackColumns = (db: Sqlite) => columnsOf(db, `SELECT ${TRACK_COLUMNS.join(', ')} FROM tracks ORDER BY id`, TRACK_COLUMNS, byNumber(0));

/** Every listen of everyone, by person then time: profile_id, ts, track_id, artist_id, ms_played, skipped. */
export const allEventColumns = (db: Sqlite) =>
  columnsOf(
    db,
    'SELECT profile_id, ts, track_id, artist_id, ms_played, skipped FROM listening_events ORDER BY profile_id, ts, id',
    ['profile_id', 'ts', 'track_id', 'artist_id', 'ms_played', 'skipped'],
    (c, a, b) => (c[0][a] as number) - (c[0][b] as number) || (c[1][a] as number) - (c[1][b] as number),
  ) as (number | null)[][];

/** One person's listens by time: ts, track_id, artist_id, ms_played, skipped. */
export const profileEventColumns = (db: Sqlite, profileId: number) =>
  columnsOf(
    db,
    'SELECT ts, track_id, artist_id, ms_played, skipped FROM listening_events WHERE profile_id = ? ORDER BY ts, id',
    ['ts', 'track_id', 'artist_id', 'ms_played', 'skipped'],
    byNumber(0),
    profileId,
  ) as (number | null)[][];
