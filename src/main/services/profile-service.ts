/** What the Profile page shows of one person: their listening over time, genres, artists and audio profile against the catalogue's. */
import type { ProfileDetail } from '../../shared/ipc';
import { dbVersion, profiles, type Library } from '../db';

/** The catalogue's mean audio features (a scan of every track), per library until the database changes. */
const catalogueAvg = new WeakMap<Library, { seen: string; value: Record<string, number | null> }>();

function catalogueAverages(lib: Library): Record<string, number | null> {
  const seen = dbVersion(lib.sqlite);
  let hit = catalogueAvg.get(lib);
  if (hit?.seen !== seen) catalogueAvg.set(lib, (hit = { seen, value: profiles.catalogueAudioAverages(lib.sqlite) }));
  return hit.value;
}

export function profileDetail(lib: Library, profileId: number): ProfileDetail {
  const db = lib.sqlite;
  const p = profiles.profileById(db, profileId);
  if (!p) throw new Error(`no profile with id ${profileId}`);
  const agg = profiles.listeningTotals(db, profileId);
  const monthly = profiles.monthlyHours(db, profileId);
  const genres = profiles.genreTime(db, profileId);
  const gTotal = genres.reduce((s, g) => s + g.w, 0);
  const artists = profiles.topArtistNames(db, profileId, 10);
  const mine = profiles.audioProfile(db, profileId);
  const cat = catalogueAverages(lib);
  return {
    ...p,
    events: agg.n - agg.saved,
    saved: agg.saved,
    hours: agg.ms / 3600000,
    first: agg.first,
    last: agg.last,
    monthlyHours: monthly.map((r) => ({ month: r.m, hours: r.h })),
    topGenres: genres.slice(0, 10).map((g) => ({ genre: g.genre, share: gTotal ? g.w / gTotal : 0 })),
    topArtists: artists,
    audioProfile: profiles.PROFILE_AUDIO.map((f) => ({ feature: f, value: mine?.[f] ?? NaN, catalogue: cat?.[f] ?? NaN })).filter((x) => Number.isFinite(x.value)),
  };
}
