/** The library as a whole: its size, how well listening matched, and what a cache must key on. */
import { stmt, type Sqlite } from '../statements';

export function counts(db: Sqlite): { tracks: number; artists: number; events: number; trackMatched: number; artistMatched: number; communitySources: number } {
  return stmt(db, `SELECT (SELECT count(*) FROM tracks) tracks, (SELECT count(*) FROM artists) artists,
    (SELECT count(*) FROM community_sources) communitySources,
    (SELECT count(*) FROM listening_events) events,
    (SELECT count(*) FROM listening_events WHERE track_id IS NOT NULL) trackMatched,
    (SELECT count(*) FROM listening_events WHERE artist_id IS NOT NULL) artistMatched`).get() as ReturnType<typeof counts>;
}

export const trackCount = (db: Sqlite) => stmt(db, 'SELECT count(*) FROM tracks').pluck().get() as number;
