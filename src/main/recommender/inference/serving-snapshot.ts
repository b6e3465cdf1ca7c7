/**
 * What opening a model over the catalogue computes — the catalogue columns, the item features in
 * this model's feature space and the item tower's output for every track — saved in the model's
 * folder under a fingerprint of the catalogue tables, so that the next start reads one file
 * (≈ 0.1 s) instead of reading 116k rows from SQLite, rebuilding the features and running the
 * tower (≈ 1.8 s). Any change to tracks, artists or genres gives another fingerprint; the old
 * file is replaced.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { versions, type Sqlite } from '../../db';
import { getLogger } from '../../logging';
import { writeFileAtomically } from '../../util/files';
import type { Catalog } from '../data/dataset';
import type { ItemFeatures } from '../data/features';

const log = getLogger('recommender');
const VERSION = 3; // 3: the audio-fit arrays renamed (were compat*)

/**
 * A hash of the catalogue tables (counts, id ranges and column totals, in one aggregate pass) and
 * of the model's weights file as it is on disk (size and time), so that neither another
 * catalogue nor weights rewritten in the same folder can be served from an old snapshot.
 */
export function catalogFingerprint(sqlite: Sqlite, modelDir: string): string {
  const row = versions.catalogueVersion(sqlite);
  return crypto.createHash('sha1').update(JSON.stringify([row, weightsStamp(modelDir)])).digest('hex').slice(0, 16);
}

/** The model's weights file as it is on disk (size, modification time), or null without one. */
export function weightsStamp(modelDir: string): [number, number] | null {
  try {
    const st = fs.statSync(path.join(modelDir, 'weights.bin'));
    return [st.size, st.mtimeMs];
  } catch {
    return null;
  }
}

export interface Snapshot {
  catalog: Catalog;
  items: ItemFeatures;
  itemVecs: Float32Array;
}

type Arr = Float32Array | Int32Array;
const CATALOG_ARRAYS = ['trackId', 'artistId', 'genreId', 'year', 'durationMs', 'popularity', 'audio', 'canonical'] as const;
const ITEM_ARRAYS = ['numeric', 'artist', 'track', 'genre', 'yearBucket', 'audioFitRaw'] as const;

interface Header {
  version: number;
  fingerprint: string;
  n: number;
  arrays: { name: string; int: boolean; offset: number; length: number }[];
  spotifyId: string[];
  title: string[];
  artistName: [number, string][];
  genreName: [number, string][];
}

const fileOf = (dir: string, fp: string) => path.join(dir, `serving-${fp}.bin`);

export function saveSnapshot(dir: string, fingerprint: string, s: Snapshot): void {
  const arrays: [string, Arr][] = [
    ...CATALOG_ARRAYS.map((k) => [`catalog.${k}`, s.catalog[k]] as [string, Arr]),
    ...ITEM_ARRAYS.map((k) => [`items.${k}`, s.items[k]] as [string, Arr]),
    ['itemVecs', s.itemVecs],
  ];
  let offset = 0;
  const header: Header = {
    version: VERSION, fingerprint, n: s.catalog.trackId.length,
    arrays: arrays.map(([name, a]) => {
      const e = { name, int: a instanceof Int32Array, offset, length: a.length };
      offset += a.length * 4;
      return e;
    }),
    spotifyId: s.catalog.spotifyId, title: s.catalog.title,
    artistName: [...s.catalog.artistName], genreName: [...s.catalog.genreName],
  };
  const head = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeUInt32LE(head.length, 0);
  // The arrays start on a 4-byte boundary after the header.
  const pad = Buffer.alloc((4 - ((8 + head.length) % 4)) % 4);
  const file = fileOf(dir, fingerprint);
  try {
    for (const f of fs.readdirSync(dir)) if (/^serving-.*\.bin(\.tmp|\.\d+-\d+\.tmp)?$/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
    writeFileAtomically(file, [len, head, pad, ...arrays.map(([, a]) => a)]);
  } catch (e) {
    log.warning(`could not save the serving snapshot in ${dir}: ${(e as Error).message}`);
  }
}

/** The snapshot for this fingerprint, or null (absent, another catalogue, or unreadable). */
export function loadSnapshot(dir: string, fingerprint: string, dim: number): Snapshot | null {
  const file = fileOf(dir, fingerprint);
  if (!fs.existsSync(file)) return null;
  return decode(file, () => fs.readFileSync(file), fingerprint, dim);
}

/** loadSnapshot, reading the file without blocking (the app serves its page meanwhile). */
export async function loadSnapshotAsync(dir: string, fingerprint: string, dim: number): Promise<Snapshot | null> {
  const file = fileOf(dir, fingerprint);
  let buf: Buffer;
  try {
    buf = await fs.promises.readFile(file);
  } catch {
    return null;
  }
  return decode(file, () => buf, fingerprint, dim);
}

function decode(file: string, read: () => Buffer, fingerprint: string, dim: number): Snapshot | null {
  try {
    const buf = read();
    const headLen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(8, 8 + headLen).toString('utf8')) as Header;
    if (header.version !== VERSION || header.fingerprint !== fingerprint) return null;
    const base = 8 + headLen + ((4 - ((8 + headLen) % 4)) % 4);
    // Views into the file's buffer when it is 4-byte aligned (it is, for a file this size), else
    // into one aligned copy of the array region.
    const aligned = (buf.byteOffset + base) % 4 === 0;
    const region = aligned ? buf.buffer : buf.buffer.slice(buf.byteOffset + base, buf.byteOffset + buf.byteLength);
    const start = aligned ? buf.byteOffset + base : 0;
    const get = (name: string): Arr => {
      const e = header.arrays.find((a) => a.name === name);
      if (!e || start + e.offset + e.length * 4 > region.byteLength) throw new Error(`${file}: no array ${name}`);
      return e.int ? new Int32Array(region, start + e.offset, e.length) : new Float32Array(region, start + e.offset, e.length);
    };
    const n = header.n;
    const trackId = get('catalog.trackId') as Int32Array;
    const catalog: Catalog = {
      trackId, rowOf: new Map(), spotifyId: header.spotifyId, title: header.title,
      artistId: get('catalog.artistId') as Int32Array, genreId: get('catalog.genreId') as Int32Array,
      year: get('catalog.year') as Float32Array, durationMs: get('catalog.durationMs') as Float32Array,
      popularity: get('catalog.popularity') as Float32Array, audio: get('catalog.audio') as Float32Array,
      canonical: get('catalog.canonical') as Int32Array,
      artistName: new Map(header.artistName), genreName: new Map(header.genreName),
    };
    for (let i = 0; i < n; i++) catalog.rowOf.set(trackId[i], i);
    const items: ItemFeatures = {
      n,
      numeric: get('items.numeric') as Float32Array, artist: get('items.artist') as Int32Array, track: get('items.track') as Int32Array,
      genre: get('items.genre') as Int32Array, yearBucket: get('items.yearBucket') as Int32Array, audioFitRaw: get('items.audioFitRaw') as Float32Array,
      artistId: catalog.artistId, genreId: catalog.genreId, canonical: catalog.canonical,
    };
    const itemVecs = get('itemVecs') as Float32Array;
    if (itemVecs.length !== n * dim || catalog.spotifyId.length !== n) return null;
    return { catalog, items, itemVecs };
  } catch (e) {
    log.warning(`ignoring the serving snapshot ${file}: ${(e as Error).message}`);
    return null;
  }
}
