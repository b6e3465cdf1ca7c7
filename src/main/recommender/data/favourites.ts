/** Artists a person named (cold start), counted in their listening state as if played. */
import { feedback, type Sqlite } from '../../db';
import type { UserAggregate } from './features';

/** A favourite counts as this many minutes of listening, or 5 % of what the person played, whichever is more. */
const FAVOURITE_MINUTES = 30;

export function favouriteArtists(lib: { sqlite: Sqlite }, profileId: number): number[] {
  return feedback.favouriteArtistIds(lib.sqlite, profileId);
}

/**
 * The person's state with their favourite artists counted as listening (a copy): in their play
 * time, their recent plays, and the artists they play lately (what discovery's blend and
 * candidates rank by) — each favourite at least 5 % of what the person played.
 */
export function withFavourites(agg: UserAggregate, favourites: number[]): UserAggregate {
  if (!favourites.length) return agg;
  const sum = (m: Map<number, number> | undefined) => [...(m?.values() ?? [])].reduce((s, v) => s + v, 0);
  const w = Math.max(FAVOURITE_MINUTES, 0.05 * sum(agg.artistWeight));
  const r = Math.max(1, 0.05 * sum(agg.artistReplay));
  const artistWeight = new Map(agg.artistWeight);
  const artistRecent = new Map(agg.artistRecent);
  const artistReplay = new Map(agg.artistReplay);
  for (const a of favourites) {
    artistWeight.set(a, (artistWeight.get(a) ?? 0) + w);
    artistRecent.set(a, (artistRecent.get(a) ?? 0) + 1);
    artistReplay.set(a, (artistReplay.get(a) ?? 0) + r);
  }
  return { ...agg, artistWeight, artistRecent, artistReplay };
}

