/**
 * Last.fm scrobble CSVs. Columns are found by name in any order (artist / track / album /
 * uts / timestamp / date / datetime / utc_time …); the header-less lastfm-to-csv style
 * `artist,album,track,date` is read by position.
 */
import { Header, readCsvBatches } from '../csv';
import { ImportError } from '../errors';
import type { Source } from '../source';
import { parseTimestamp } from '../time';
import type { HistoryItem } from '../types';

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
        // Epoch columns first (exact), then text dates.
        timeIs = [
          header.find('uts', 'date_uts', 'timestamp', 'unix_timestamp', 'listened_at'),
          header.find('datetime', 'utc_time', 'date', 'time', 'played_at', 'scrobble time', 'scrobbled_at'),
        ].filter((i) => i >= 0);
        if (artistI < 0 || trackI < 0 || timeIs.length === 0) {
          throw new ImportError(src.name, 'line 1', 'expected a header with artist, track and time (uts, timestamp, date or datetime) columns');
        }
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
