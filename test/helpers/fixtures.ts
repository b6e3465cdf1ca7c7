/** Small export files written by the tests themselves, shaped exactly like the real ones. */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export const TRACKS_HEADER =
  'track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,track_genre';
export const TIDY_HEADER =
  'track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms';

export const ID = {
  ghost: '4qPNDBW1i3p13qLCt0Ki3A',
  comedy: '5SuOikwiRyPMVoIQDJUgSV',
  duet: '1iJBSr7s7jYXzM8EGcbK5b',
  fight: '37f4ITSlgPX81ad2EvmVQr',
};

export function write(dir: string, name: string, content: string | object): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

export function tracksCsv(dir: string): string {
  return write(
    dir,
    'tracks.csv',
    [
      TRACKS_HEADER,
      `${ID.comedy},Gen Hoshino,Comedy,Comedy,73,230666,FALSE,0.676,0.461,1,-6.746,0,0.143,0.0322,1.01e-6,0.358,0.715,87.917,4,acoustic`,
      `${ID.ghost},Ben Woodward,Ghost (Acoustic),Ghost - Acoustic,55,149610,FALSE,0.42,0.166,1,-17.235,1,0.0763,0.924,5.56e-6,0.101,0.267,77.489,4,acoustic`,
      `${ID.duet},Ingrid Michaelson;ZAYN,To Begin Again,To Begin Again,57,210826,FALSE,0.438,0.359,0,-9.734,1,0.0557,0.21,0,0.117,0.12,76.332,4,acoustic`,
      `${ID.ghost},Ben Woodward,Ghost (Acoustic),Ghost - Acoustic,55,149610,FALSE,0.42,0.166,1,-17.235,1,0.0763,0.924,5.56e-6,0.101,0.267,77.489,4,chill`,
    ].join('\n') + '\n',
  );
}

export function tidyCsv(dir: string): string {
  return write(
    dir,
    'tidy.csv',
    [
      TIDY_HEADER,
      `${ID.ghost},Ghost - Acoustic,Ben Woodward,50,alb1,Ghost (Acoustic),2019-06-14,pl,pid,pop,indie poptimism,0.5,0.2,1,-17,1,0.07,0.9,0,0.1,0.3,77,149610`,
      `${ID.fight},Fight Song,Rachel Platten,70,alb2,Wildfire,2015,pl,pid,pop,post-teen pop,0.6,0.7,2,-5,1,0.05,0.1,0,0.2,0.5,176,204000`,
    ].join('\n') + '\n',
  );
}

export function accountEvents(n: number, start = Date.UTC(2024, 0, 1, 12, 0)) {
  const songs = [
    ['Gen Hoshino', 'Comedy'],
    ['Ben Woodward', 'Ghost'],
    ['Ingrid Michaelson', 'To Begin Again'],
    ['Rachel Platten', 'Fight Song'],
    ['Nobody Knows Me', 'Unknown Song'],
  ];
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(start + i * 5 * 60000).toISOString();
    return {
      endTime: `${d.slice(0, 10)} ${d.slice(11, 16)}`,
      artistName: songs[i % songs.length][0],
      trackName: songs[i % songs.length][1],
      msPlayed: 100000 + i,
    };
  });
}

/** A digest of every row of every table: equal digests mean an unchanged database. */
export function snapshot(sqlite: Database.Database): string {
  const h = createHash('sha256');
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").pluck().all() as string[];
  for (const t of tables) {
    h.update(t);
    for (const row of sqlite.prepare(`SELECT * FROM "${t}"`).raw().iterate()) h.update(JSON.stringify(row));
  }
  return h.digest('hex');
}
