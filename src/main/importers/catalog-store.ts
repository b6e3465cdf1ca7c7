/**
 * Writes catalogue rows: one track per Spotify id, fields merged across files (the first
 * non-missing value of each field wins), every credited artist and every genre kept, the first
 * genre seen is the main genre.
 */
import type Database from 'better-sqlite3';
import type { CatalogMatcher } from './matcher';
import { normArtist, normTitle } from './normalize';
import type { CatalogRow } from './types';

/**
 * Looks artists and tracks up in, and reports every write to, the library's CatalogMatcher (which
 * must be current for `sqlite`), so matching listens afterwards needs no re-read of the catalogue.
 */
export class CatalogStore {
  private genreIds = new Map<string, number>();
  /** Artist ids by name as written (a catalogue repeats each artist ~5 times; normalising is the cost). */
  private byName = new Map<string, number>();
  private insertTrack: Database.Statement;
  private mergeTrack: Database.Statement;
  private insertArtist: Database.Statement;
  private insertGenre: Database.Statement;
  private linkArtist: Database.Statement;
  private linkGenre: Database.Statement;

  constructor(
    private sqlite: Database.Database,
    private matcher: CatalogMatcher,
  ) {
    for (const [id, name] of sqlite.prepare('SELECT id, name FROM genres').raw().all() as [number, string][]) this.genreIds.set(name, id);
    this.insertTrack = sqlite.prepare(
      `INSERT INTO tracks (spotify_id, title, title_norm, album, artist_id, artists_raw, main_genre_id, year, release_date,
         duration_ms, popularity, explicit, danceability, energy, key, loudness, mode, speechiness, acousticness,
         instrumentalness, liveness, valence, tempo, time_signature, sources)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.mergeTrack = sqlite.prepare(
      `UPDATE tracks SET
         album = COALESCE(album, ?), main_genre_id = COALESCE(main_genre_id, ?), year = COALESCE(year, ?),
         release_date = COALESCE(release_date, ?), duration_ms = COALESCE(duration_ms, ?),
         popularity = COALESCE(popularity, ?), explicit = COALESCE(explicit, ?),
         danceability = COALESCE(danceability, ?), energy = COALESCE(energy, ?), key = COALESCE(key, ?),
         loudness = COALESCE(loudness, ?), mode = COALESCE(mode, ?), speechiness = COALESCE(speechiness, ?),
         acousticness = COALESCE(acousticness, ?), instrumentalness = COALESCE(instrumentalness, ?),
         liveness = COALESCE(liveness, ?), valence = COALESCE(valence, ?), tempo = COALESCE(tempo, ?),
         time_signature = COALESCE(time_signature, ?),
         sources = CASE WHEN instr(',' || sources || ',', ',' || ? || ',') > 0 THEN sources ELSE sources || ',' || ? END
       WHERE id = ?`,
    );
    this.insertArtist = sqlite.prepare('INSERT INTO artists (name, name_norm) VALUES (?, ?)');
    this.insertGenre = sqlite.prepare('INSERT INTO genres (name) VALUES (?)');
    this.linkArtist = sqlite.prepare('INSERT OR IGNORE INTO track_artists (track_id, artist_id, position) VALUES (?, ?, ?)');
    this.linkGenre = sqlite.prepare('INSERT OR IGNORE INTO track_genres (track_id, genre_id) VALUES (?, ?)');
  }

  artistId(name: string): number {
    let id = this.byName.get(name);
    if (id !== undefined) return id;
    const norm = normArtist(name) || name.trim().toLowerCase();
    id = this.matcher.artistIdOf(norm);
    if (id === undefined) {
      id = Number(this.insertArtist.run(name.trim(), norm).lastInsertRowid);
      this.matcher.addArtist(id, norm);
    }
    this.byName.set(name, id);
    return id;
  }

  genreId(name: string): number {
    let id = this.genreIds.get(name);
    if (id === undefined) {
      id = Number(this.insertGenre.run(name).lastInsertRowid);
      this.genreIds.set(name, id);
    }
    return id;
  }

  /** Inserts or merges one row; returns whether the track was new. */
  upsert(r: CatalogRow, source: string): boolean {
    const artistIds = r.artists.map((a) => this.artistId(a));
    const genreIds = r.genres.map((g) => this.genreId(g));
    const mainGenre = genreIds[0] ?? null;
    const explicit = r.explicit === null ? null : r.explicit ? 1 : 0;
    const existing = this.matcher.trackIdOf(r.spotifyId);
    let trackId: number;
    if (existing === undefined) {
      const titleNorm = normTitle(r.title);
      trackId = Number(
        this.insertTrack.run(
          r.spotifyId, r.title, titleNorm, r.album, artistIds[0], r.artists.join('; '), mainGenre, r.year,
          r.releaseDate, r.durationMs, r.popularity, explicit, r.danceability, r.energy, r.key, r.loudness, r.mode,
          r.speechiness, r.acousticness, r.instrumentalness, r.liveness, r.valence, r.tempo, r.timeSignature, source,
        ).lastInsertRowid,
      );
      this.matcher.addTrack(trackId, r.spotifyId, titleNorm, artistIds[0], r.popularity);
    } else {
      trackId = existing;
      this.mergeTrack.run(
        r.album, mainGenre, r.year, r.releaseDate, r.durationMs, r.popularity, explicit, r.danceability, r.energy,
        r.key, r.loudness, r.mode, r.speechiness, r.acousticness, r.instrumentalness, r.liveness, r.valence, r.tempo,
        r.timeSignature, source, source, trackId,
      );
      // COALESCE(popularity, ?): a track without one takes this row's.
      if (r.popularity !== null) this.matcher.setPopularity(trackId, r.popularity);
    }
    artistIds.forEach((a, i) => {
      this.linkArtist.run(trackId, a, i);
      this.matcher.addCredit(trackId, a);
    });
    for (const g of genreIds) this.linkGenre.run(trackId, g);
    return existing === undefined;
  }
}
