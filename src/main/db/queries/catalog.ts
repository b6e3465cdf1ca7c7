/** Reading the catalogue: artists, genres and tracks. */
import { stmt, type Sqlite } from '../statements';

export const artistByNorm = (db: Sqlite, nameNorm: string) => stmt(db, 'SELECT id, name FROM artists WHERE name_norm = ?').get(nameNorm) as { id: number; name: string } | undefined;

export const artistNames = (db: Sqlite) => stmt(db, 'SELECT id, name FROM artists').raw().iterate() as Iterable<[number, string]>;
export const artistNorms = (db: Sqlite) => stmt(db, 'SELECT id, name_norm FROM artists').raw().iterate() as Iterable<[number, string]>;
export const genreNames = (db: Sqlite) => stmt(db, 'SELECT id, name FROM genres').raw().all() as [number, string][];

/** [spotify id, track id, artist id] of every track. */
export const trackKeys = (db: Sqlite) => stmt(db, 'SELECT spotify_id, id, artist_id FROM tracks').raw().all() as [string, number, number][];

/** What the matcher needs of every track: [id, spotify id, normalised title, artist id, popularity]. */
export const trackMatchRows = (db: Sqlite) =>
  stmt(db, 'SELECT id, spotify_id, title_norm, artist_id, popularity FROM tracks').raw().iterate() as Iterable<[number, string, string, number | null, number | null]>;

/** Every (track, credited artist) link. */
export const trackArtistLinks = (db: Sqlite) => stmt(db, 'SELECT track_id, artist_id FROM track_artists').raw().iterate() as Iterable<[number, number]>;

export interface TrackCard {
  id: number;
  spotify_id: string;
  title: string;
  name: string;
  artist_id: number;
  genre: string | null;
  year: number | null;
  duration_ms: number | null;
  popularity: number | null;
}

/** An artist's most popular tracks, with what a list shows of each. */
export const popularTracksOf = (db: Sqlite, artistId: number, limit = 8) =>
  stmt(db, `SELECT t.id, t.spotify_id, t.title, a.name, t.artist_id, g.name AS genre, t.year, t.duration_ms, t.popularity
    FROM tracks t JOIN artists a ON a.id = t.artist_id LEFT JOIN genres g ON g.id = t.main_genre_id WHERE t.artist_id = ? ORDER BY t.popularity DESC, t.id LIMIT ?`).all(artistId, limit) as TrackCard[];

/** Synthetic tracks by their made-up Spotify id. */
export const syntheticTrackIds = (db: Sqlite) => stmt(db, "SELECT id, spotify_id FROM tracks WHERE sources LIKE '%synthetic%'").raw().iterate() as Iterable<[number, string]>;

/**
 * Tracks known only from someone's export (an Exportify file's rows are catalogue rows too): no
 * catalogue lists them. Evaluation hides those nobody had played before a held-out period.
 */
export const exportOnlyTrackIds = (db: Sqlite) => stmt(db, "SELECT id FROM tracks WHERE sources = 'exportify'").pluck().all() as number[];

/** [normalised name, id] of every artist. */
export const artistIdsByNorm = (db: Sqlite) => stmt(db, 'SELECT name_norm, id FROM artists').raw().all() as [string, number][];
