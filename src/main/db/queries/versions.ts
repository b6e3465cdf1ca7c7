/**
 * The one versioning mechanism behind every cache that depends on the library: a catalogue
 * version (what serving snapshots, the open recommender and stored lists key on) and a profile
 * version (what a person's serving state and their stored list key on). Each is one aggregate
 * query whose answer changes whenever what it stands for changes.
 */
import { dbVersion } from '../client';
import { stmt, type Sqlite } from '../statements';

/** The last catalogue version per connection, with the dbVersion it was computed at. */
const catalogueCache = new WeakMap<Sqlite, { seen: string; value: string }>();

/** The track columns whose totals the catalogue version includes (every feature the model reads). */
const TRACK_COLUMNS = [
  'artist_id', 'main_genre_id', 'year', 'duration_ms', 'popularity', 'length(title)', 'length(spotify_id)',
  'danceability', 'energy', 'key', 'loudness', 'mode', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'valence', 'tempo', 'time_signature',
];

/**
 * The catalogue (tracks, artists, genres: counts, id ranges and column totals, in one pass) and
 * the community data imported (it changes the co-listening feature). ~20 ms for 116k tracks, so
 * the answer is kept until the next write to the database (`dbVersion`).
 */
export function catalogueVersion(db: Sqlite): string {
  // Nothing written since the last answer (microseconds to check): the same answer.
  const seen = dbVersion(db);
  const hit = catalogueCache.get(db);
  if (hit?.seen === seen) return hit.value;
  const row = stmt(db, `SELECT count(*), max(id), ${TRACK_COLUMNS.map((c) => `total(${c})`).join(', ')},
      (SELECT count(*) || ':' || max(id) || ':' || total(length(name)) FROM artists),
      (SELECT count(*) || ':' || max(id) || ':' || total(length(name)) FROM genres),
      (SELECT count(*) || ':' || ifnull(max(id), 0) || ':' || total(imported_at) || ':' || total(rows) FROM community_sources)
    FROM tracks`).raw().get();
  const value = JSON.stringify(row);
  catalogueCache.set(db, { seen, value });
  return value;
}

/**
 * One person: their profile fields, their listening (count, newest row) and their feedback —
 * `'favourites'`: only the artists they named (what their listening state counts), `'all'`: every
 * like, dislike and "never" too (what a list depends on).
 */
export function profileVersion(db: Sqlite, profileId: number, feedback: 'favourites' | 'all'): string {
  const sql = `SELECT p.name, p.age, p.gender, p.country,
      (SELECT count(*) || ':' || ifnull(max(id), 0) FROM listening_events WHERE profile_id = p.id),
      (SELECT count(*) || ':' || ifnull(max(id), 0) || ':' || ifnull(group_concat(artist_id), '') FROM feedback WHERE profile_id = p.id ${feedback === 'favourites' ? "AND kind = 'favourite_artist'" : ''})
    FROM profiles p WHERE p.id = ?`;
  return JSON.stringify(stmt(db, sql).raw().get(profileId) ?? null);
}

/**
 * Everyone's listening, cheaply (two index lookups and a count of profiles, so a list can ask on
 * every request): profiles (count, newest) and the newest listening event — what the library's
 * neighbourhood score keys on. Imports only add events; a person's deletion changes the profiles.
 */
export function listeningVersion(db: Sqlite): string {
  return JSON.stringify(stmt(db, `SELECT (SELECT count(*) || ':' || ifnull(max(id), 0) FROM profiles), (SELECT ifnull(max(id), 0) FROM listening_events)`).raw().get());
}

/** Everyone's likes and dislikes of tracks (count, newest row): what the neighbourhood reads beside listening. */
export function trackFeedbackVersion(db: Sqlite): string {
  return JSON.stringify(stmt(db, "SELECT count(*) || ':' || ifnull(max(id), 0) FROM feedback WHERE track_id IS NOT NULL AND kind IN ('like', 'dislike')").pluck().get());
}
