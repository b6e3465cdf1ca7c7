/**
 * Matches listens to the catalogue: exact Spotify id first, then normalised artist + title
 * (every credited artist of a catalogue track is indexed), then the artist alone.
 */
import type Database from 'better-sqlite3';
import { creditedArtists, isPlaceholderArtist, normArtist, normTitle } from './normalize';

export interface Match {
  trackId: number | null;
  artistId: number | null;
}

const NO_MATCH: Match = { trackId: null, artistId: null };
const SEP = '\u0001';

export class CatalogMatcher {
  private byId = new Map<string, Match>();
  private byArtistTitle = new Map<string, Match>();
  private byArtist = new Map<string, number>();
  private memo = new Map<string, Match>();

  static load(sqlite: Database.Database): CatalogMatcher {
    const m = new CatalogMatcher();
    for (const a of sqlite.prepare('SELECT id, name_norm FROM artists').raw().iterate() as Iterable<[number, string]>) {
      m.byArtist.set(a[1], a[0]);
    }
    // Most popular first so that, among versions with the same artist and title, it wins.
    const rows = sqlite
      .prepare(
        `SELECT t.id, t.spotify_id, t.title_norm, t.artist_id, a.name_norm
           FROM tracks t JOIN track_artists ta ON ta.track_id = t.id JOIN artists a ON a.id = ta.artist_id
          ORDER BY t.popularity IS NULL, t.popularity DESC, t.id`,
      )
      .raw()
      .iterate() as Iterable<[number, string, string, number, string]>;
    for (const [id, sid, titleNorm, mainArtist, creditNorm] of rows) {
      if (!m.byId.has(sid)) m.byId.set(sid, { trackId: id, artistId: mainArtist });
      const key = creditNorm + SEP + titleNorm;
      if (!m.byArtistTitle.has(key)) m.byArtistTitle.set(key, { trackId: id, artistId: m.byArtist.get(creditNorm) ?? mainArtist });
    }
    return m;
  }

  get trackCount(): number {
    return this.byId.size;
  }

  match(artist: string, title: string, spotifyId: string | null): Match {
    if (spotifyId) {
      const hit = this.byId.get(spotifyId);
      if (hit) return hit;
    }
    const memoKey = artist + SEP + title;
    const cached = this.memo.get(memoKey);
    if (cached) return cached;
    const result = this.matchNames(artist, title);
    this.memo.set(memoKey, result);
    return result;
  }

  private matchNames(artist: string, title: string): Match {
    const credits = creditedArtists(artist).map(normArtist).filter((a) => !isPlaceholderArtist(a));
    const t = normTitle(title);
    for (const a of credits) {
      const hit = this.byArtistTitle.get(a + SEP + t);
      if (hit) return hit;
    }
    for (const a of credits) {
      const id = this.byArtist.get(a);
      if (id !== undefined) return { trackId: null, artistId: id };
    }
    return NO_MATCH;
  }
}
