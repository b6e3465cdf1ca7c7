/**
 * The community knowledge as one file beside the library (`community-<hash>.bin`), so that a
 * process that has not read it yet — each training runs in a fresh worker — reads a few
 * megabytes instead of aggregating a million artist pairs from SQLite (~3.4 s for HetRec + the
 * MPD slices). Named by the catalogue version it was computed at (community sources included):
 * another version is another file, and the old one is removed. A cache only: anything missing,
 * foreign or damaged is ignored and the knowledge is read from the database again.
 *
 * Layout: 8 int32 (magic, format, sources, artists A, pairs P, tracks T, 0, 0) | P float64
 * similarities | A artist ids | A + 1 offsets | P neighbour ids | T track ids | T group counts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { getLogger } from '../logging';
import { writeFileAtomically } from '../util/files';
import type { CommunityKnowledge } from './community';

const log = getLogger('community');
const MAGIC = 0x4f4d5243; // "OMRC"
const FORMAT = 1;
const HEAD = 8;

export function cacheFile(dbFile: string, version: string): string {
  return path.join(path.dirname(dbFile), `community-${crypto.createHash('sha1').update(version).digest('hex').slice(0, 16)}.bin`);
}

/** Removes every kept copy beside the library but `keep` (all of them without it). */
export function removeCaches(dbFile: string, keep?: string): void {
  const dir = path.dirname(dbFile);
  try {
    for (const f of fs.readdirSync(dir)) if (/^community-[0-9a-f]{16}\.bin$/.test(f) && path.join(dir, f) !== keep) fs.rmSync(path.join(dir, f), { force: true });
  } catch (e) {
    log.warning(`could not remove the community knowledge kept beside the library: ${(e as Error).message}`);
  }
}

export function writeCache(file: string, k: CommunityKnowledge): void {
  const artists = Int32Array.from(k.neighbours.keys());
  let pairs = 0;
  for (const list of k.neighbours.values()) pairs += list.length;
  const offsets = new Int32Array(artists.length + 1);
  const neighbour = new Int32Array(pairs);
  const sim = new Float64Array(pairs); // exact: the co-listening feature must not depend on the cache
  let o = 0;
  artists.forEach((a, i) => {
    for (const n of k.neighbours.get(a)!) {
      neighbour[o] = n.artist;
      sim[o++] = n.sim;
    }
    offsets[i + 1] = o;
  });
  const head = Int32Array.from([MAGIC, FORMAT, k.sources, artists.length, pairs, k.trackGroups.size, 0, 0]);
  try {
    removeCaches(file, file);
    writeFileAtomically(file, [head, sim, artists, offsets, neighbour, Int32Array.from(k.trackGroups.keys()), Int32Array.from(k.trackGroups.values())]);
  } catch (e) {
    log.warning(`could not keep the community knowledge beside the library: ${(e as Error).message}`);
  }
}

/** The knowledge in `file`, or null (absent, damaged, or another format). */
export function readCache(file: string): CommunityKnowledge | null {
  let bytes: ArrayBuffer;
  try {
    const buf = fs.readFileSync(file);
    bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength); // aligned at 0
  } catch {
    return null;
  }
  try {
    if (bytes.byteLength < HEAD * 4) throw new Error('truncated');
    const [magic, format, sources, A, P, T] = new Int32Array(bytes, 0, HEAD);
    if (magic !== MAGIC || format !== FORMAT) throw new Error('another format');
    if (A < 0 || P < 0 || T < 0 || bytes.byteLength !== HEAD * 4 + 8 * P + 4 * (A + A + 1 + P + 2 * T)) throw new Error('its size does not match its header');
    let at = HEAD * 4;
    const sim = new Float64Array(bytes, at, P);
    at += 8 * P;
    const ints = (n: number) => {
      const a = new Int32Array(bytes, at, n);
      at += 4 * n;
      return a;
    };
    const artists = ints(A);
    const offsets = ints(A + 1);
    const neighbour = ints(P);
    const tracks = ints(T);
    const groups = ints(T);
    const neighbours = new Map<number, { artist: number; sim: number }[]>();
    for (let i = 0; i < A; i++) {
      const s = offsets[i];
      const e = offsets[i + 1];
      if (s < 0 || e < s || e > P) throw new Error('bad offsets');
      const list: { artist: number; sim: number }[] = new Array(e - s);
      for (let j = s; j < e; j++) list[j - s] = { artist: neighbour[j], sim: sim[j] };
      neighbours.set(artists[i], list);
    }
    const trackGroups = new Map<number, number>();
    for (let i = 0; i < T; i++) trackGroups.set(tracks[i], groups[i]);
    return { neighbours, trackGroups, sources };
  } catch (e) {
    log.warning(`ignoring the community cache ${path.basename(file)}: ${(e as Error).message}`);
    return null;
  }
}
