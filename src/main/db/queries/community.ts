/** Community listening data: sources, artist degrees and co-occurrence, track counts, artist tags. */
import { stmt, type Sqlite } from '../statements';

export const insertSource = (db: Sqlite, s: { name: string; kind: string; groups: number; rows: number; matchedRows: number }) =>
  Number(stmt(db, 'INSERT INTO community_sources (name, kind, imported_at, groups, rows, matched_rows) VALUES (?, ?, ?, ?, ?, ?)')
    .run(s.name, s.kind, Date.now(), s.groups, s.rows, s.matchedRows).lastInsertRowid);

export const insertArtistDegree = (db: Sqlite, sourceId: number, artistId: number, groups: number) =>
  stmt(db, 'INSERT INTO community_artists (source_id, artist_id, groups) VALUES (?, ?, ?)').run(sourceId, artistId, groups);

export const insertArtistPair = (db: Sqlite, sourceId: number, artistId: number, neighbourId: number, together: number) =>
  stmt(db, 'INSERT INTO community_artist_pairs (source_id, artist_id, neighbor_id, together) VALUES (?, ?, ?, ?)').run(sourceId, artistId, neighbourId, together);

export const insertTrackCount = (db: Sqlite, sourceId: number, trackId: number, groups: number) =>
  stmt(db, 'INSERT INTO community_tracks (source_id, track_id, groups) VALUES (?, ?, ?)').run(sourceId, trackId, groups);

export const insertArtistTag = (db: Sqlite, sourceId: number, artistId: number, tag: string, uses: number) =>
  stmt(db, 'INSERT INTO community_artist_tags (source_id, artist_id, tag, uses) VALUES (?, ?, ?, ?)').run(sourceId, artistId, tag, uses);

export const sourceIds = (db: Sqlite) => stmt(db, 'SELECT id FROM community_sources').pluck().all() as number[];

export const sourceCount = (db: Sqlite) => stmt(db, 'SELECT count(*) FROM community_sources').pluck().get() as number;

/** Removes one source and all it added; 1 when it existed. */
export function deleteSource(db: Sqlite, id: number): number {
  stmt(db, 'DELETE FROM community_artist_pairs WHERE source_id = ?').run(id);
  stmt(db, 'DELETE FROM community_artists WHERE source_id = ?').run(id);
  stmt(db, 'DELETE FROM community_tracks WHERE source_id = ?').run(id);
  stmt(db, 'DELETE FROM community_artist_tags WHERE source_id = ?').run(id);
  return stmt(db, 'DELETE FROM community_sources WHERE id = ?').run(id).changes;
}

/** [source, artist, groups]. */
export const artistDegrees = (db: Sqlite) => stmt(db, 'SELECT source_id, artist_id, groups FROM community_artists').raw().iterate() as Iterable<[number, number, number]>;

/** [source, artist, neighbour, together]. */
export const artistPairs = (db: Sqlite) =>
  stmt(db, 'SELECT source_id, artist_id, neighbor_id, together FROM community_artist_pairs').raw().iterate() as Iterable<[number, number, number, number]>;

/** [track, groups summed over sources]. */
export const trackCounts = (db: Sqlite) => stmt(db, 'SELECT track_id, sum(groups) FROM community_tracks GROUP BY track_id').raw().iterate() as Iterable<[number, number]>;

/** [artist, tag, times applied summed over sources], by artist. */
export const artistTags = (db: Sqlite) =>
  stmt(db, 'SELECT artist_id, tag, sum(uses) FROM community_artist_tags GROUP BY artist_id, tag ORDER BY artist_id, tag').raw().iterate() as Iterable<[number, string, number]>;
