/**
 * Matches listens to the catalogue: exact Spotify id first, then normalised artist + title
 * (every credited artist of a catalogue track is indexed), then the artist alone.
 */
import type Database from 'better-sqlite3';
import { creditedArtists, isPlaceholderArtist, normArtist, normTitle } from './normalize';
import { catalog } from '../db';

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
  // What choosing among versions needs: popularity (-1 when unknown), normalised title, and the
  // artist-title keys of tracks without a popularity (re-decided when a merge fills one in).
  private pop = new Map<number, number>();
  private titles = new Map<number, string>();
  private keys = new Map<number, string[]>();
  private artistNorm = new Map<number, string>();

  static load(sqlite: Database.Database): CatalogMatcher {
    const m = new CatalogMatcher();
    for (const [id, norm] of catalog.artistNorms(sqlite)) m.addArtist(id, norm);
    for (const [id, sid, titleNorm, mainArtist, popularity] of catalog.trackMatchRows(sqlite)) m.addTrack(id, sid, titleNorm, mainArtist as number, popularity);
    for (const [trackId, artistId] of catalog.trackArtistLinks(sqlite)) {
      m.addCredit(trackId, artistId);
    }
    return m;
  }

  // ---- kept in step by CatalogStore as it writes, so an import never re-reads the catalogue ----

  artistIdOf(norm: string): number | undefined {
    return this.byArtist.get(norm);
  }

  trackIdOf(spotifyId: string): number | undefined {
    return this.byId.get(spotifyId)?.trackId ?? undefined;
  }

  addArtist(id: number, norm: string): void {
    this.byArtist.set(norm, id);
    this.artistNorm.set(id, norm);
    if (this.memo.size) this.memo.clear();
  }

  addTrack(id: number, spotifyId: string, titleNorm: string, mainArtistId: number, popularity: number | null): void {
    this.byId.set(spotifyId, { trackId: id, artistId: mainArtistId });
    this.pop.set(id, popularity ?? -1);
    this.titles.set(id, titleNorm);
    if (this.memo.size) this.memo.clear();
  }

  /** A credited artist of a track (adding one twice is harmless). */
  addCredit(trackId: number, artistId: number): void {
    const key = this.artistNorm.get(artistId)! + SEP + this.titles.get(trackId)!;
    if (this.pop.get(trackId) === -1) {
      const keys = this.keys.get(trackId);
      if (!keys) this.keys.set(trackId, [key]);
      else if (!keys.includes(key)) keys.push(key);
    }
    this.offer(key, trackId, artistId);
    if (this.memo.size) this.memo.clear();
  }

  /** A merge filled in the popularity of a track that had none. */
  setPopularity(trackId: number, popularity: number): void {
    if (this.pop.get(trackId) !== -1) return;
    this.pop.set(trackId, popularity);
    for (const key of this.keys.get(trackId) ?? []) this.offer(key, trackId, this.byArtist.get(key.slice(0, key.indexOf(SEP)))!);
    this.keys.delete(trackId);
    if (this.memo.size) this.memo.clear();
  }

  /** Among versions with the same artist and title, the most popular one wins (then the oldest). */
  private offer(key: string, trackId: number, artistId: number): void {
    const prev = this.byArtistTitle.get(key);
    if (prev && prev.trackId !== trackId) {
      const p = this.pop.get(trackId)!;
      const q = this.pop.get(prev.trackId!)!;
      if (p < q || (p === q && trackId > prev.trackId!)) return;
    } else if (prev) return;
    this.byArtistTitle.set(key, { trackId, artistId });
  }

  /** Everything the matcher decides from, in a comparable form (tests). */
  state(): { byId: [string, Match][]; byArtistTitle: [string, Match][]; byArtist: [string, number][] } {
    const sorted = <V>(m: Map<string, V>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { byId: sorted(this.byId), byArtistTitle: sorted(this.byArtistTitle), byArtist: sorted(this.byArtist) };
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
