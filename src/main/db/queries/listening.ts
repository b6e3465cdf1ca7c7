/** Writing and re-matching listening events, and the import records they belong to. */
import { stmt, type Sqlite } from '../statements';

type V = string | number | null;

/**
 * One listen (profile, ts, artist, title, album, track uri, ms played, skipped, reason start, reason end, shuffle,
 * platform, source format, source file, import id, track id, artist id, dedupe key); false when it was already there.
 */
export const insertEvent = (db: Sqlite, ...values: V[]) =>
  stmt(db, `INSERT OR IGNORE INTO listening_events (profile_id, ts, artist_raw, title_raw, album_raw, track_uri, ms_played, skipped,
       reason_start, reason_end, shuffle, platform, source_format, source_file, import_id, track_id, artist_id, dedupe_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...values).changes > 0;

/** One synthetic listen (profile, ts, artist, title, ms played, skipped, track id, artist id, dedupe key). */
export const insertSyntheticEvent = (db: Sqlite, ...values: V[]) =>
  stmt(db, `INSERT OR IGNORE INTO listening_events (profile_id, ts, artist_raw, title_raw, album_raw, ms_played, skipped, shuffle, platform,
       source_format, source_file, track_id, artist_id, dedupe_key) VALUES (?, ?, ?, ?, NULL, ?, ?, 0, 'synthetic', 'synthetic', 'synthetic', ?, ?, ?)`).run(...values);

/** Listens without a catalogue track: [id, artist, title, track uri, artist id]. */
export const unmatchedEvents = (db: Sqlite) =>
  stmt(db, 'SELECT id, artist_raw, title_raw, track_uri, artist_id FROM listening_events WHERE track_id IS NULL').raw().all() as [number, string, string, string | null, number | null][];

export const setEventTrack = (db: Sqlite, id: number, trackId: number, artistId: number | null) =>
  stmt(db, 'UPDATE listening_events SET track_id = ?, artist_id = ? WHERE id = ?').run(trackId, artistId, id).changes;

export const setEventArtist = (db: Sqlite, id: number, artistId: number) => stmt(db, 'UPDATE listening_events SET artist_id = ? WHERE id = ?').run(artistId, id).changes;

/** An import record (profile, kind, format, path, file hash, started, finished, records read, imported, duplicates, skipped,
 * skipped reasons, track matched, artist matched); its id. */
export const insertImport = (db: Sqlite, ...values: V[]) =>
  Number(stmt(db, `INSERT INTO imports (profile_id, kind, format, path, file_hash, started_at, finished_at, records_read, imported,
       duplicates, skipped, skipped_reasons, track_matched, artist_matched, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok')`).run(...values).lastInsertRowid);

/** Completes an import record (file hash, finished, records read, imported, duplicates, skipped, skipped reasons,
 * track matched, artist matched, id). */
export const finishImport = (db: Sqlite, ...values: V[]) =>
  stmt(db, `UPDATE imports SET file_hash = ?, finished_at = ?, records_read = ?, imported = ?, duplicates = ?, skipped = ?,
       skipped_reasons = ?, track_matched = ?, artist_matched = ? WHERE id = ?`).run(...values);
