/** Writing the catalogue (imports and the synthetic library): tracks, artists, genres and their links. */
import { stmt, type Sqlite } from '../statements';

type V = string | number | null;

/** A new track: spotify id, title, normalised title, album, main artist, credited artists, main genre, year, release date,
 * duration, popularity, explicit, then the twelve audio features and the source name. Its id. */
export const insertTrack = (db: Sqlite, ...values: V[]) =>
  Number(stmt(db, `INSERT INTO tracks (spotify_id, title, title_norm, album, artist_id, artists_raw, main_genre_id, year, release_date,
       duration_ms, popularity, explicit, danceability, energy, key, loudness, mode, speechiness, acousticness,
       instrumentalness, liveness, valence, tempo, time_signature, sources)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`).run(...values).lastInsertRowid);

/** Another catalogue's row of a known track: fills what is missing and adds the source (twice) to the track `id` (last). */
export const mergeTrack = (db: Sqlite, ...values: V[]) =>
  stmt(db, `UPDATE tracks SET
       album = COALESCE(album, ?), main_genre_id = COALESCE(main_genre_id, ?), year = COALESCE(year, ?),
       release_date = COALESCE(release_date, ?), duration_ms = COALESCE(duration_ms, ?),
       popularity = COALESCE(popularity, ?), explicit = COALESCE(explicit, ?),
       danceability = COALESCE(danceability, ?), energy = COALESCE(energy, ?), key = COALESCE(key, ?),
       loudness = COALESCE(loudness, ?), mode = COALESCE(mode, ?), speechiness = COALESCE(speechiness, ?),
       acousticness = COALESCE(acousticness, ?), instrumentalness = COALESCE(instrumentalness, ?),
       liveness = COALESCE(liveness, ?), valence = COALESCE(valence, ?), tempo = COALESCE(tempo, ?),
       time_signature = COALESCE(time_signature, ?),
       sources = CASE WHEN instr(',' || sources || ',', ',' || ? || ',') > 0 THEN sources ELSE sources || ',' || ? END
     WHERE id = ?`).run(...values);

export const insertArtist = (db: Sqlite, name: string, nameNorm: string) => Number(stmt(db, 'INSERT INTO artists (name, name_norm) VALUES (?, ?)').run(name, nameNorm).lastInsertRowid);

export const insertGenre = (db: Sqlite, name: string) => Number(stmt(db, 'INSERT INTO genres (name) VALUES (?)').run(name).lastInsertRowid);

export const linkArtist = (db: Sqlite, trackId: number, artistId: number, position: number) =>
  stmt(db, 'INSERT OR IGNORE INTO track_artists (track_id, artist_id, position) VALUES (?, ?, ?)').run(trackId, artistId, position);

export const linkGenre = (db: Sqlite, trackId: number, genreId: number) => stmt(db, 'INSERT OR IGNORE INTO track_genres (track_id, genre_id) VALUES (?, ?)').run(trackId, genreId);
