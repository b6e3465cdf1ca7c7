/**
 * Cold start: a person with few listens, or none, names a few artists they like. The artists are
 * kept as feedback (`favourite_artist`), count in their listening state as if played (so the
 * model's history, artist-share and co-listening inputs see them), and — before any model is
 * trained — give a list at once from the person's artists and what the community co-listens with
 * them. It improves as listens arrive and the model is trained.
 */
import { catalog, feedback, profiles, type Library } from '../db';
import { isPlaceholderArtist, normArtist } from '../importers/normalize';
import { loadCommunity, type CommunityKnowledge } from '../importers/community';
import { colistenScores, type UserAggregate } from '../recommender/data/features';
import { favouriteArtists, withFavourites } from '../recommender/data/favourites';
import type { Recommendation } from '../../shared/types';


export interface FavouritesResult {
  profileId: number;
  matched: string[];
  unknown: string[];
}

/** Records the person's favourite artists (by name, matched to the library's artists); creates the profile when named. */
export function setFavourites(lib: Library, who: { profileId?: number; name?: string }, artists: string[], demographics: { age?: number | null; country?: string | null } = {}): FavouritesResult {
  const { sqlite } = lib;
  return sqlite.transaction(() => {
    let profileId = who.profileId;
    if (profileId === undefined) {
      if (!who.name) throw new Error('a profile id or a new profile name is needed');
      profileId = profiles.profileIdByName(sqlite, who.name) ?? profiles.insertProfile(sqlite, who.name);
    } else if (!profiles.profileExists(sqlite, profileId)) throw new Error(`no profile with id ${profileId}`);
    if (demographics.age !== undefined || demographics.country !== undefined) {
      profiles.mergeDemographics(sqlite, profileId, { age: demographics.age ?? null, country: demographics.country?.toUpperCase() ?? null });
    }
    const matched: string[] = [];
    const unknown: string[] = [];
    feedback.clearFavouriteArtists(sqlite, profileId);
    for (const name of artists) {
      const n = normArtist(name);
      const row = isPlaceholderArtist(n) ? undefined : catalog.artistByNorm(sqlite, n);
      if (!row) {
        unknown.push(name);
        continue;
      }
      feedback.addFeedback(sqlite, profileId, 'favourite_artist', null, row.id);
      matched.push(row.name);
    }
    return { profileId, matched, unknown };
  })();
}

/**
 * Before any model exists: the person's artists' most popular tracks and the tracks of the artists
 * the community co-listens with them, at most two per artist, nothing they played.
 */
export function coldStartList(lib: Library, profileId: number, k: number, community: CommunityKnowledge = loadCommunity(lib)): Recommendation[] {
  const { sqlite } = lib;
  const weights = new Map<number, number>();
  for (const [a, n] of profiles.artistPlayCounts(sqlite, profileId)) weights.set(a, n * 3.5);
  const favourites = favouriteArtists(lib, profileId);
  const state = withFavourites({ artistWeight: weights, artistRecent: new Map() } as UserAggregate, favourites);
  if (!state.artistWeight.size) throw new Error('no trained model yet, and nothing to start from: import your listening, or name a few artists you like');
  let total = 0;
  for (const v of state.artistWeight.values()) total += v;
  const score = new Map<number, number>();
  for (const [a, v] of state.artistWeight) score.set(a, v / total);
  for (const [a, v] of colistenScores(state.artistWeight, community)) score.set(a, (score.get(a) ?? 0) + v);
  const top = [...score].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, 200);
  const played = new Set(profiles.playedTrackIds(sqlite, profileId));
  const out: Recommendation[] = [];
  const seenTitles = new Set<string>();
  const known = new Set(weights.keys());
  for (const [a, s] of top) {
    let perArtist = 0;
    for (const r of catalog.popularTracksOf(sqlite, a, 8)) {
      const key = `${r.artist_id}:${r.title.toLowerCase()}`;
      if (played.has(r.id) || seenTitles.has(key) || perArtist >= 2) continue;
      seenTitles.add(key);
      perArtist++;
      out.push({
        rank: out.length + 1, trackId: r.id, spotifyId: r.spotify_id, title: r.title, artist: r.name, artistId: r.artist_id, genre: r.genre,
        year: r.year, durationMs: r.duration_ms, score: Math.min(1, s), knownArtist: known.has(a),
      });
      if (out.length >= k) return out;
    }
  }
  return out;
}
