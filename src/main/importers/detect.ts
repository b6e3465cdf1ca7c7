/**
 * Tells an export's format from its content (the file name is only a tie-breaker).
 */
import { Header, detectDelimiter } from './csv';
import { peekText, type Source } from './source';
import type { CatalogFormat, HistoryFormat } from './types';
import { parseTimestamp } from './time';

export type Detected =
  | { kind: 'history'; format: HistoryFormat; variant?: string }
  | { kind: 'catalog'; format: CatalogFormat }
  /** Exportify playlists carry both catalogue rows (audio features) and saved-track events. */
  | { kind: 'both'; format: 'exportify' }
  /** Non-music exports we recognise and skip (podcast-only history, search queries…). */
  | { kind: 'ignored'; format: string; why: string }
  | { kind: 'unknown'; why: string };

function firstJsonObject(text: string): Record<string, unknown> | null {
  // The first complete {...} at depth 1 of an array, or the first line of JSONL.
  const start = text.indexOf('{');
  if (start < 0) return null;
  let depth = 0;
  let inStr = false;
  let esc = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (esc) esc = false;
      else if (c === '\\') esc = true;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        try {
          return JSON.parse(text.slice(start, i + 1));
        } catch {
          return null;
        }
      }
    }
  }
  return null;
}

export function detectJson(text: string, baseName: string): Detected {
  const t = text.trimStart();
  if (!t) return { kind: 'unknown', why: 'the file is empty' };
  if (t[0] === '{') {
    // ListenBrainz API shapes, or JSON Lines.
    const head = t.slice(0, 200).replace(/\s+/g, '');
    if (head.startsWith('{"payload"') || head.startsWith('{"listens"')) return { kind: 'history', format: 'listenbrainz', variant: 'api' };
    const obj = firstJsonObject(t);
    if (obj && 'listened_at' in obj && 'track_metadata' in obj) return { kind: 'history', format: 'listenbrainz', variant: 'jsonl' };
    if (obj && ('payload' in obj || 'listens' in obj)) return { kind: 'history', format: 'listenbrainz', variant: 'api' };
    return { kind: 'unknown', why: 'a JSON object that is not a ListenBrainz export' };
  }
  if (t[0] !== '[') return { kind: 'unknown', why: 'not JSON or CSV' };
  const obj = firstJsonObject(t);
  if (!obj) {
    if (/^\[\s*\]/.test(t)) return { kind: 'history', format: /endsong|Streaming_History/i.test(baseName) ? 'spotify-extended' : 'spotify-account' };
    return { kind: 'unknown', why: 'a JSON array without a readable first record' };
  }
  if ('endTime' in obj && ('artistName' in obj || 'trackName' in obj)) return { kind: 'history', format: 'spotify-account' };
  if ('endTime' in obj && ('podcastName' in obj || 'episodeName' in obj)) {
    return { kind: 'ignored', format: 'spotify-account-podcast', why: 'podcast listening history (no music)' };
  }
  if ('ts' in obj && 'ms_played' in obj) return { kind: 'history', format: 'spotify-extended' };
  if ('listened_at' in obj && 'track_metadata' in obj) return { kind: 'history', format: 'listenbrainz', variant: 'array' };
  if ('searchTime' in obj || 'searchQuery' in obj) return { kind: 'ignored', format: 'spotify-search-queries', why: 'search queries, not listening' };
  return { kind: 'unknown', why: `a JSON array whose records (${Object.keys(obj).length} fields) match no supported export` };
}

export function detectCsvHeader(firstLine: string): Detected {
  const delim = detectDelimiter(firstLine);
  const names = splitSimple(firstLine, delim);
  const h = new Header(names);
  if (h.has('track_id', 'track_genre') && h.has('danceability')) return { kind: 'catalog', format: 'spotify-tracks-csv' };
  if (h.has('track_id', 'playlist_genre') && h.has('danceability')) return { kind: 'catalog', format: 'tidytuesday-csv' };
  if (h.has('Track URI') && (h.has('Added At') || h.has('Danceability') || h.has('Track Name'))) return { kind: 'both', format: 'exportify' };
  const hasArtist = h.find('artist', 'artist_name', 'artist name', 'artistname', 'artists') >= 0;
  const hasTrack = h.find('track', 'track_name', 'track name', 'title', 'song', 'name', 'trackname') >= 0;
  const hasTime = h.find('uts', 'timestamp', 'date', 'datetime', 'utc_time', 'time', 'played_at', 'date_uts', 'scrobble time', 'listened_at') >= 0;
  if (hasArtist && hasTrack && hasTime) return { kind: 'history', format: 'lastfm-csv', variant: 'header' };
  // lastfm-to-csv writes no header: artist,album,track,date ("31 Jan 2021 12:34").
  if (names.length === 4 && Number.isFinite(parseTimestamp(names[3]))) return { kind: 'history', format: 'lastfm-csv', variant: 'headerless' };
  // The file's own text is never repeated back: only what was expected.
  return { kind: 'unknown', why: `a file with ${names.length} column${names.length === 1 ? '' : 's'} that match no supported export (expected artist, track and time columns, or a catalogue's track_id and audio features)` };
}

function splitSimple(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      if (q && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else q = !q;
    } else if (c === delim && !q) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

export async function detect(src: Source): Promise<Detected> {
  if (src.size === 0) return { kind: 'unknown', why: 'the file is empty' };
  const text = (await peekText(src, 65536)).replace(/^\uFEFF/, '');
  const t = text.trimStart();
  if (!t) return { kind: 'unknown', why: 'the file is empty' };
  if (t[0] === '[' || t[0] === '{') return detectJson(t, src.baseName);
  const nl = text.search(/\r?\n/);
  return detectCsvHeader(nl < 0 ? text : text.slice(0, nl));
}
