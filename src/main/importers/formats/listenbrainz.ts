/** ListenBrainz: the export's JSON Lines, a JSON array of listens, and the API's {"payload":{"listens":[…]}}. */
import { ImportError, jsonProblem } from '../errors';
import { readJsonArrayBatches, readJsonLinesBatches, type JsonRecord } from '../json-stream';
import { readText, type Source } from '../source';
import { parseTimestamp } from '../time';
import { implausibleListen, overlongName, spotifyIdOf, type HistoryItem } from '../types';

function toItem(rec: JsonRecord): HistoryItem {
  const where = rec.line ? `line ${rec.line}` : `listen ${rec.index}`;
  const v = rec.value;
  const md = (v.track_metadata ?? {}) as Record<string, unknown>;
  const info = (md.additional_info ?? {}) as Record<string, unknown>;
  const artist = typeof md.artist_name === 'string' ? md.artist_name.trim() : '';
  const title = typeof md.track_name === 'string' ? md.track_name.trim() : '';
  if (!artist || !title) return { kind: 'skip', reason: 'missing artist or track name', where };
  const ts = parseTimestamp(v.listened_at);
  if (!Number.isFinite(ts)) return { kind: 'skip', reason: 'missing or unreadable listened_at', where };
  const raw = typeof info.duration_ms === 'number' ? info.duration_ms : typeof info.duration === 'number' ? info.duration * 1000 : null;
  const ms = raw !== null && Number.isFinite(raw) ? Math.round(raw) : null;
  const bad = implausibleListen(ts, ms) ?? overlongName(artist, title, typeof md.release_name === 'string' ? md.release_name : null);
  if (bad) return { kind: 'skip', reason: bad, where };
  return {
    kind: 'event',
    event: {
      ts,
      artist,
      title,
      album: typeof md.release_name === 'string' ? md.release_name : null,
      spotifyId: spotifyIdOf(info.spotify_id ?? info.origin_url),
      // ListenBrainz records a track's length, not how long it was played; a listen is a full play.
      msPlayed: ms,
      skipped: null,
      reasonStart: null,
      reasonEnd: null,
      shuffle: null,
      platform: typeof info.music_service_name === 'string' ? info.music_service_name : typeof info.submission_client === 'string' ? info.submission_client : null,
    },
  };
}

/** Items in batches, one per parsed chunk. */
export async function* readListenBrainz(src: Source, variant: string | undefined, onProgress?: (b: number) => void): AsyncGenerator<HistoryItem[]> {
  if (variant === 'jsonl') {
    for await (const batch of readJsonLinesBatches(src, onProgress)) yield batch.map(toItem);
    return;
  }
  if (variant === 'array') {
    for await (const batch of readJsonArrayBatches(src, { onProgress })) yield batch.map(toItem);
    return;
  }
  // API responses are paged and small.
  const text = await readText(src);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ImportError(src.name, null, `not valid JSON (${jsonProblem(e)})`);
  }
  const d = doc as { payload?: { listens?: unknown }; listens?: unknown };
  const listens = d.payload?.listens ?? d.listens;
  if (!Array.isArray(listens)) throw new ImportError(src.name, null, 'expected {"payload":{"listens":[…]}} or {"listens":[…]}');
  const out: HistoryItem[] = [];
  for (let i = 0; i < listens.length; i++) {
    const v = listens[i];
    if (typeof v !== 'object' || v === null) throw new ImportError(src.name, `listen ${i + 1}`, 'expected an object');
    out.push(toItem({ value: v as Record<string, unknown>, index: i + 1, line: 0 }));
  }
  yield out;
  onProgress?.(src.size);
}
