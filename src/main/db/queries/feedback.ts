/** What a person told the app: likes, dislikes, "never this artist", favourite artists. */
import { stmt, type Sqlite } from '../statements';

export type StoredFeedbackKind = 'like' | 'dislike' | 'never_artist' | 'favourite_artist';

export const addFeedback = (db: Sqlite, profileId: number, kind: StoredFeedbackKind, trackId: number | null, artistId: number | null) =>
  stmt(db, 'INSERT INTO feedback (profile_id, track_id, artist_id, kind, created_at) VALUES (?, ?, ?, ?, ?)').run(profileId, trackId, artistId, kind, Date.now());

/** The person's latest feedback (newest first): [track, artist, kind]. */
export const recentFeedback = (db: Sqlite, profileId: number, limit = 500) =>
  stmt(db, 'SELECT track_id, artist_id, kind FROM feedback WHERE profile_id = ? ORDER BY created_at DESC LIMIT ?').raw().all(profileId, limit) as [number | null, number | null, string][];

/** Likes and dislikes of tracks by everyone, oldest first: [profile, track, kind]. */
export const trackFeedback = (db: Sqlite) =>
  stmt(db, "SELECT profile_id, track_id, kind FROM feedback WHERE track_id IS NOT NULL AND kind IN ('like', 'dislike') ORDER BY created_at").raw().all() as [number, number, 'like' | 'dislike'][];

export const favouriteArtistIds = (db: Sqlite, profileId: number) =>
  stmt(db, "SELECT artist_id FROM feedback WHERE profile_id = ? AND kind = 'favourite_artist' AND artist_id IS NOT NULL").pluck().all(profileId) as number[];

export const clearFavouriteArtists = (db: Sqlite, profileId: number) => stmt(db, "DELETE FROM feedback WHERE profile_id = ? AND kind = 'favourite_artist'").run(profileId);
