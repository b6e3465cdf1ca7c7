/**
 * Writes catalogue rows: one track per Spotify id, fields merged across files (the first
 * non-missing value of each field wins), every credited artist and every genre kept, the first
 * genre seen is the main genre.
 */
import { catalog, catalogWrites, type Sqlite } from '../db';
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

  constructor(
    private sqlite: Sqlite,
    private matcher: CatalogMatcher,
  ) {
    for (const [id, name] of catalog.genreNames(sqlite)) this.genreIds.set(name, id);
  }

  artistId(name: string): number {
    let id = this.byName.get(name);
    if (id !== undefined) return id;
    const norm = normArtist(name) || name.trim().toLowerCase();
    id = this.matcher.artistIdOf(norm);
    if (id === undefined) {
      id = catalogWrites.insertArtist(this.sqlite, name.trim(), norm);
      this.matcher.addArtist(id, norm);
    }
    this.byName.set(name, id);
    return id;
  }

  genreId(name: string): number {
    let id = this.genreIds.get(name);
    if (id === undefined) {
      id = catalogWrites.insertGenre(this.sqlite, name);
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
      trackId = catalogWrites.insertTrack(this.sqlite,
        r.spotifyId, r.title, titleNorm, r.album, artistIds[0], r.artists.join('; '), mainGenre, r.year,
        r.releaseDate, r.durationMs, r.popularity, explicit, r.danceability, r.energy, r.key, r.loudness, r.mode,
        r.speechiness, r.acousticness, r.instrumentalness, r.liveness, r.valence, r.tempo, r.timeSignature, source,
      );
      this.matcher.addTrack(trackId, r.spotifyId, titleNorm, artistIds[0], r.popularity);
    } else {
      trackId = existing;
      catalogWrites.mergeTrack(this.sqlite,
        r.album, mainGenre, r.year, r.releaseDate, r.durationMs, r.popularity, explicit, r.danceability, r.energy,
        r.key, r.loudness, r.mode, r.speechiness, r.acousticness, r.instrumentalness, r.liveness, r.valence, r.tempo,
        r.timeSignature, source, source, trackId,
      );
      // COALESCE(popularity, ?): a track without one takes this row's.
      if (r.popularity !== null) this.matcher.setPopularity(trackId, r.popularity);
    }
    artistIds.forEach((a, i) => {
      catalogWrites.linkArtist(this.sqlite, trackId, a, i);
      this.matcher.addCredit(trackId, a);
    });
    for (const g of genreIds) catalogWrites.linkGenre(this.sqlite, trackId, g);
    return existing === undefined;
  }
}
