/** Artists a person named (cold start), counted in their listening state as if played. */
import { feedback, type Sqlite } from '../../db';
import type { UserAggregate } from './features';

/** A favourite counts as this many minutes of listening, or 5 % of what the person played, whichever is more. */
const FAVOURITE_MINUTES = 30;

export function favouriteArtists(lib: { sqlite: Sqlite }, profileId: number): number[] {
  return feedback.favouriteArtistIds(lib.sqlite, profileId);
}

/** The person's state with their favourite artists counted as listening (a copy). */
export function withFavourites(agg: UserAggregate, favourites: number[]): UserAggregate {
  if (!favourites.length) return agg;
  let total = 0;
  for (const w of agg.artistWeight.values()) total += w;
  const w = Math.max(FAVOURITE_MINUTES, 0.05 * total);
  const artistWeight = new Map(agg.artistWeight);
  const artistRecent = new Map(agg.artistRecent);
  for (const a of favourites) {
    artistWeight.set(a, (artistWeight.get(a) ?? 0) + w);
    artistRecent.set(a, (artistRecent.get(a) ?? 0) + 1);
  }
  return { ...agg, artistWeight, artistRecent };
}

