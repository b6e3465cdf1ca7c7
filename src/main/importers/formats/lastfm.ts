/**
 * Last.fm scrobble CSVs. Artist, track and album columns are found by name in any order; the
 * time column is chosen by its content — of the columns whose values read as times, the one with
 * the finest resolution (a `played_at` with seconds beats a `date` with days, whatever the names).
 * The header-less lastfm-to-csv style `artist,album,track,date` is read by position.
 */
import { Header, readCsvBatches } from '../csv';
import { ImportError } from '../errors';
import type { Source } from '../source';
import { parseTimestamp } from '../time';
import { EARLIEST_LISTEN_MS, FUTURE_SLACK_MS, implausibleListen, overlongName, type HistoryItem } from '../types';

/** Header names of time columns, most trusted first (a tie-break only: content decides). */
const TIME_NAMES = ['uts', 'date_uts', 'timestamp', 'unix_timestamp', 'listened_at', 'played_at', 'scrobbled_at', 'datetime', 'utc_time', 'date', 'time', 'scrobble time'];
const DAY = 86400000;

/**
 * The columns that hold times, best first: those where most sampled values read as a time, the
 * ones with a time of day before those with days only, then by name. `dayOnly` when the best has
 * no time of day.
 */
export function chooseTimeColumns(header: string[], sample: string[][], exclude: number[]): { columns: number[]; dayOnly: boolean } {
  const maxTs = Date.now() + FUTURE_SLACK_MS;
  const scored = header.map((name, c) => {
    let present = 0;
    let parsed = 0;
    let subDay = 0;
    for (const row of sample) {
      const v = row[c]?.trim();
      if (!v) continue;
      present++;
      const ts = parseTimestamp(v);
      if (Number.isFinite(ts) && ts >= EARLIEST_LISTEN_MS && ts <= maxTs) {
        parsed++;
        if (ts % DAY !== 0) subDay++;
      }
    }
    const rank = TIME_NAMES.indexOf(name.trim().toLowerCase());
    return { c, ok: !exclude.includes(c) && present > 0 && parsed >= 0.8 * present, subDay: subDay > 0, rank: rank < 0 ? TIME_NAMES.length : rank };
  });
  if (!sample.some((row) => row.some((v) => v?.trim()))) {
    // No rows to look at (a header-only file): by name.
    const named = scored.filter((x) => !exclude.includes(x.c) && x.rank < TIME_NAMES.length).sort((a, b) => a.rank - b.rank);
    return { columns: named.map((x) => x.c), dayOnly: false };
  }
  const good = scored.filter((x) => x.ok).sort((a, b) => Number(b.subDay) - Number(a.subDay) || a.rank - b.rank || a.c - b.c);
  return { columns: good.map((x) => x.c), dayOnly: good.length > 0 && !good[0].subDay };
}

/** Items in batches, one per decoded chunk. */
export async function* readLastfmCsv(src: Source, headerless: boolean, onProgress?: (b: number) => void): AsyncGenerator<HistoryItem[]> {
  let artistI = 0, albumI = 1, trackI = 2;
  let timeIs: number[] = [3];
  let header: Header | null = null;
  let width = 4;
  for await (const batch of readCsvBatches(src, { onProgress })) {
    const out: HistoryItem[] = [];
    for (const rec of batch) {
      if (!header && !headerless) {
        header = new Header(rec.fields);
        width = rec.fields.length;
        artistI = header.find('artist', 'artist_name', 'artist name', 'artistname');
        if (artistI < 0) artistI = header.find('artists');
        trackI = header.find('track', 'track_name', 'track name', 'trackname', 'title', 'song', 'name');
        albumI = header.find('album', 'album_name', 'album name', 'release');
        if (artistI < 0 || trackI < 0) {
          throw new ImportError(src.name, 'line 1', 'expected a header with artist, track and time (uts, timestamp, date or datetime) columns');
        }
        const choice = chooseTimeColumns(rec.fields, batch.slice(batch.indexOf(rec) + 1, batch.indexOf(rec) + 1 + 500).map((r) => r.fields), [artistI, trackI, albumI]);
        timeIs = choice.columns;
        if (!timeIs.length) throw new ImportError(src.name, 'line 1', 'expected a column of times (epoch seconds or dates) beside artist and track');
        if (choice.dayOnly) out.push({ kind: 'note', note: `times are given to the day only (column "${rec.fields[timeIs[0]].slice(0, 40)}"): the order of listens within a day is unknown and two plays of a track on one day count once` });
        continue;
      }
      const f = rec.fields;
      if (f.length < width) {
        throw new ImportError(src.name, `line ${rec.line}`, `expected ${width} fields, found ${f.length} (truncated line?)`);
      }
      const where = `line ${rec.line}`;
      const artist = f[artistI]?.trim();
      const title = f[trackI]?.trim();
      if (!artist || !title) {
        out.push({ kind: 'skip', reason: 'missing artist or track name', where });
        continue;
      }
      let ts = NaN;
      for (const i of timeIs) {
        ts = parseTimestamp(f[i]);
        if (Number.isFinite(ts)) break;
      }
      if (!Number.isFinite(ts)) {
        // Last.fm writes "now playing" rows without a time; nothing to place in history.
        out.push({ kind: 'skip', reason: 'missing or unreadable time', where });
        continue;
      }
      const bad = implausibleListen(ts, null) ?? overlongName(artist, title, albumI >= 0 ? f[albumI] : null);
      if (bad) {
        out.push({ kind: 'skip', reason: bad, where });
        continue;
      }
      out.push({
        kind: 'event',
        event: {
          ts, artist, title, album: albumI >= 0 ? f[albumI]?.trim() || null : null, spotifyId: null,
          msPlayed: null, skipped: null, reasonStart: null, reasonEnd: null, shuffle: null, platform: null,
        },
      });
    }
    yield out;
  }
}
