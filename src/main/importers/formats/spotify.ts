/** Spotify account data (StreamingHistory*.json) and extended streaming history (Streaming_History_Audio_*.json, endsong_*.json). */
import { readJsonArrayBatches } from '../json-stream';
import type { JsonRecord } from '../json-stream';
import type { Source } from '../source';
import { parseTimestamp } from '../time';
import { implausibleListen, overlongName, spotifyIdOf, type HistoryItem } from '../types';

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);

/** Items in batches (one per parsed chunk): see readJsonArrayBatches. */
export async function* readSpotifyAccount(src: Source, onProgress?: (b: number) => void): AsyncGenerator<HistoryItem[]> {
  for await (const batch of readJsonArrayBatches(src, { onProgress })) {
    const out: HistoryItem[] = [];
    for (const rec of batch) {
      const v = rec.value;
      if ('podcastName' in v || 'episodeName' in v) {
        out.push({ kind: 'skip', reason: 'podcast episode', where: `record ${rec.index}` });
        continue;
      }
      const artist = str(v.artistName);
      const title = str(v.trackName);
      const ts = parseTimestamp(v.endTime);
      if (!artist || !title) {
        out.push({ kind: 'skip', reason: 'missing artist or track name', where: `record ${rec.index}` });
        continue;
      }
      if (!Number.isFinite(ts)) {
        out.push({ kind: 'skip', reason: 'missing or unreadable endTime', where: `record ${rec.index}` });
        continue;
      }
      const msPlayed = int(v.msPlayed);
      const bad = implausibleListen(ts, msPlayed) ?? overlongName(artist, title);
      if (bad) {
        out.push({ kind: 'skip', reason: bad, where: `record ${rec.index}` });
        continue;
      }
      out.push({
        kind: 'event',
        event: {
          ts, artist, title, album: null, spotifyId: null, msPlayed,
          skipped: null, reasonStart: null, reasonEnd: null, shuffle: null, platform: null,
        },
      });
    }
    yield out;
  }
}

export async function* readSpotifyExtended(src: Source, onProgress?: (b: number) => void): AsyncGenerator<HistoryItem[]> {
  // Spotify splits video plays into Streaming_History_Video_*.json with the same record shape.
  const isVideoFile = /Streaming_History_Video/i.test(src.baseName);
  for await (const batch of readJsonArrayBatches(src, { onProgress })) yield batch.map((rec) => extendedItem(rec, isVideoFile));
}

function extendedItem(rec: JsonRecord, isVideoFile: boolean): HistoryItem {
  const v = rec.value;
  if (str(v.spotify_episode_uri) || str(v.episode_name)) {
    return { kind: 'skip', reason: 'podcast episode', where: `record ${rec.index}` };
  }
  if (str(v.audiobook_uri) || str(v.audiobook_title) || str(v.audiobook_chapter_uri)) {
    return { kind: 'skip', reason: 'audiobook', where: `record ${rec.index}` };
  }
  if (isVideoFile) {
    return { kind: 'skip', reason: 'video', where: `record ${rec.index}` };
  }
  const artist = str(v.master_metadata_album_artist_name);
  const title = str(v.master_metadata_track_name);
  if (!artist || !title) {
    return { kind: 'skip', reason: 'no track metadata (removed or local content)', where: `record ${rec.index}` };
  }
  const ts = parseTimestamp(v.ts);
  if (!Number.isFinite(ts)) {
    return { kind: 'skip', reason: 'missing or unreadable ts', where: `record ${rec.index}` };
  }
  const msPlayed = int(v.ms_played);
  const bad = implausibleListen(ts, msPlayed) ?? overlongName(artist, title, str(v.master_metadata_album_album_name));
  if (bad) return { kind: 'skip', reason: bad, where: `record ${rec.index}` };
  return {
    kind: 'event',
    event: {
      ts,
      artist,
      title,
      album: str(v.master_metadata_album_album_name),
      spotifyId: spotifyIdOf(v.spotify_track_uri),
      msPlayed,
      skipped: bool(v.skipped),
      reasonStart: str(v.reason_start),
      reasonEnd: str(v.reason_end),
      shuffle: bool(v.shuffle),
      platform: str(v.platform),
    },
  };
}
