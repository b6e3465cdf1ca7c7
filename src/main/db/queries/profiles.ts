/** Profiles (the people in a library) and what the app shows about each. */
import { stmt, type Sqlite } from '../statements';

export interface ProfileRow {
  id: number;
  name: string;
  age: number | null;
  gender: string | null;
  country: string | null;
}

export const profileById = (db: Sqlite, id: number) =>
  stmt(db, 'SELECT id, name, age, gender, country FROM profiles WHERE id = ?').get(id) as ProfileRow | undefined;

export const allProfiles = (db: Sqlite) => stmt(db, 'SELECT id, name, age, gender, country FROM profiles ORDER BY id').all() as ProfileRow[];

export const profileIds = (db: Sqlite) => stmt(db, 'SELECT id FROM profiles ORDER BY id').pluck().all() as number[];

export const profileName = (db: Sqlite, id: number) => stmt(db, 'SELECT name FROM profiles WHERE id = ?').pluck().get(id) as string | undefined;

export const profileIdByName = (db: Sqlite, name: string) => stmt(db, 'SELECT id FROM profiles WHERE name = ?').pluck().get(name) as number | undefined;

/** The first few names, alphabetically (to suggest when a name is not found). */
export const someProfileNames = (db: Sqlite, n = 10) => stmt(db, 'SELECT name FROM profiles ORDER BY name LIMIT ?').pluck().all(n) as string[];

export const firstProfile = (db: Sqlite) => stmt(db, 'SELECT id, name FROM profiles ORDER BY id LIMIT 1').get() as { id: number; name: string } | undefined;

export const profileExists = (db: Sqlite, id: number) => stmt(db, 'SELECT 1 FROM profiles WHERE id = ?').get(id) !== undefined;

export const insertProfile = (db: Sqlite, name: string) => Number(stmt(db, 'INSERT INTO profiles (name) VALUES (?)').run(name).lastInsertRowid);

/** The profile of this name, created when new. */
export function ensureProfile(db: Sqlite, name: string): number {
  stmt(db, 'INSERT OR IGNORE INTO profiles (name) VALUES (?)').run(name);
  return profileIdByName(db, name)!;
}

export const insertSyntheticProfile = (db: Sqlite, p: { name: string; age: number | null; gender: string | null; country: string | null }) =>
  Number(stmt(db, 'INSERT INTO profiles (name, age, gender, country, synthetic) VALUES (?, ?, ?, ?, 1)').run(p.name, p.age, p.gender, p.country).lastInsertRowid);

/** Sets the demographics; false when there is no such profile. */
export const updateDemographics = (db: Sqlite, id: number, d: { age: number | null; gender: string | null; country: string | null }) =>
  stmt(db, 'UPDATE profiles SET age = ?, gender = ?, country = ? WHERE id = ?').run(d.age, d.gender, d.country, id).changes > 0;

/** Fills in age and country where given, keeping what is there otherwise. */
export const mergeDemographics = (db: Sqlite, id: number, d: { age: number | null; country: string | null }) =>
  stmt(db, 'UPDATE profiles SET age = coalesce(?, age), country = coalesce(?, country) WHERE id = ?').run(d.age, d.country, id);

export const profilesWithEventCounts = (db: Sqlite) =>
  stmt(db, 'SELECT p.id, p.name, (SELECT count(*) FROM listening_events e WHERE e.profile_id = p.id) AS events FROM profiles p ORDER BY p.name').all() as {
    id: number; name: string; events: number;
  }[];

/** The audio features on a 0–1 scale that the Profile page compares with the catalogue's. */
export const PROFILE_AUDIO = ['danceability', 'energy', 'valence', 'acousticness', 'instrumentalness', 'speechiness', 'liveness'] as const;

/** The catalogue's mean of each of PROFILE_AUDIO (a scan of every track). */
export const catalogueAudioAverages = (db: Sqlite) =>
  stmt(db, `SELECT ${PROFILE_AUDIO.map((c) => `avg(${c}) AS ${c}`).join(', ')} FROM tracks`).get() as Record<string, number | null>;

/** A play without a recorded duration counts as 3.5 minutes. */
const MS = 'coalesce(e.ms_played, 210000)';

export const listeningTotals = (db: Sqlite, id: number) =>
  stmt(db, "SELECT count(*) n, count(*) FILTER (WHERE reason_start = 'saved') saved, coalesce(sum(ms_played), 0) ms, min(ts) first, max(ts) last FROM listening_events WHERE profile_id = ?").get(id) as {
    n: number; saved: number; ms: number; first: number | null; last: number | null;
  };

/** Hours listened per month (a save is not listening: left out). */
export const monthlyHours = (db: Sqlite, id: number) =>
  stmt(db, "SELECT strftime('%Y-%m', ts / 1000, 'unixepoch') m, coalesce(sum(ms_played), count(*) * 210000) / 3600000.0 h FROM listening_events WHERE profile_id = ? AND reason_start IS NOT 'saved' GROUP BY m ORDER BY m")
    .all(id) as { m: string; h: number }[];

export const genreTime = (db: Sqlite, id: number) =>
  stmt(db, `SELECT g.name genre, sum(${MS}) w FROM listening_events e JOIN tracks t ON t.id = e.track_id JOIN genres g ON g.id = t.main_genre_id WHERE e.profile_id = ? GROUP BY g.id ORDER BY w DESC`)
    .all(id) as { genre: string; w: number }[];

export const topArtistNames = (db: Sqlite, id: number, n = 10) =>
  stmt(db, 'SELECT artist_raw artist, count(*) plays FROM listening_events WHERE profile_id = ? GROUP BY artist_raw ORDER BY plays DESC LIMIT ?').all(id, n) as {
    artist: string; plays: number;
  }[];

/** The person's play-time-weighted mean of each audio feature (null where nothing matched). */
export const audioProfile = (db: Sqlite, id: number) =>
  stmt(db, `SELECT ${PROFILE_AUDIO.map((c) => `sum(t.${c} * ${MS}) / sum(CASE WHEN t.${c} IS NULL THEN 0 ELSE ${MS} END) AS ${c}`).join(', ')}
    FROM listening_events e JOIN tracks t ON t.id = e.track_id WHERE e.profile_id = ?`).get(id) as Record<string, number | null>;

/** Saved tracks (Exportify's Liked Songs: a save, not a play) per matched artist. */
export const savedByArtist = (db: Sqlite, id: number) =>
  stmt(db, "SELECT artist_id, count(*) FROM listening_events WHERE profile_id = ? AND artist_id IS NOT NULL AND reason_start = 'saved' GROUP BY artist_id").raw().all(id) as [number, number][];

/** Plays per matched artist. */
export const artistPlayCounts = (db: Sqlite, id: number) =>
  stmt(db, 'SELECT artist_id, count(*) FROM listening_events WHERE profile_id = ? AND artist_id IS NOT NULL GROUP BY artist_id').raw().all(id) as [number, number][];

export const playedTrackIds = (db: Sqlite, id: number) =>
  stmt(db, 'SELECT DISTINCT track_id FROM listening_events WHERE profile_id = ? AND track_id IS NOT NULL').pluck().all(id) as number[];

