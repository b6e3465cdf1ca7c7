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
    const artistNorm = new Map<number, string>();
    for (const [id, norm] of sqlite.prepare('SELECT id, name_norm FROM artists').raw().iterate() as Iterable<[number, string]>) {
      m.byArtist.set(norm, id);
      artistNorm.set(id, norm);
    }
    // Among versions with the same artist and title, the most popular one wins (then the oldest).
    const pop = new Map<number, number>();
    const titles = new Map<number, string>();
    for (const [id, sid, titleNorm, mainArtist, popularity] of sqlite
      .prepare('SELECT id, spotify_id, title_norm, artist_id, popularity FROM tracks')
      .raw()
      .iterate() as Iterable<[number, string, string, number, number | null]>) {
      m.byId.set(sid, { trackId: id, artistId: mainArtist });
      pop.set(id, popularity ?? -1);
      titles.set(id, titleNorm);
    }
    for (const [trackId, artistId] of sqlite.prepare('SELECT track_id, artist_id FROM track_artists').raw().iterate() as Iterable<[number, number]>) {
      const key = artistNorm.get(artistId)! + SEP + titles.get(trackId)!;
      const prev = m.byArtistTitle.get(key);
      if (!prev || pop.get(trackId)! > pop.get(prev.trackId!)! || (pop.get(trackId) === pop.get(prev.trackId!) && trackId < prev.trackId!)) {
        m.byArtistTitle.set(key, { trackId, artistId });
      }
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
