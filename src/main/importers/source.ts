/**
 * A file to import, from disk or from inside a zip, read as decoded text in chunks.
 * Handles UTF-8 (with or without BOM) and UTF-16 LE/BE (with BOM); bytes that are not valid in
 * the detected encoding raise an ImportError naming the file and the line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ImportError } from './errors';

/**
 * The longest record a reader gathers, in characters: an export's records hold a few hundred. Past
 * it the file is refused by the line or record it starts on (a quoted CSV field or a JSON record
 * that never closes would otherwise gather the rest of a gigabyte file into one string first).
 */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;

export interface Source {
  /** Shown in messages and stored with each event: a path, or `archive.zip!inner/path.json`. */
  name: string;
  /** File name without folders, for hints. */
  baseName: string;
  size: number;
  /** Raw bytes in chunks. */
  bytes(): AsyncIterable<Uint8Array>;
}

export function fileSource(file: string): Source {
  const st = fs.statSync(file);
  return {
    name: file,
    baseName: path.basename(file),
    size: st.size,
    bytes: () => fs.createReadStream(file, { highWaterMark: 1 << 20 }),
  };
}

export function bufferSource(name: string, data: Uint8Array): Source {
  return {
    name,
    baseName: path.basename(name.split('!').pop() ?? name),
    size: data.byteLength,
    async *bytes() {
      const step = 1 << 20;
      for (let i = 0; i < data.byteLength; i += step) yield data.subarray(i, Math.min(i + step, data.byteLength));
    },
  };
}

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

function sniff(first: Uint8Array): { encoding: Encoding; bom: number } {
  if (first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (first[0] === 0xff && first[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (first[0] === 0xfe && first[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  // UTF-16 without BOM: ASCII text has every other byte zero.
  if (first.length >= 4 && first[1] === 0 && first[3] === 0 && first[0] !== 0) return { encoding: 'utf-16le', bom: 0 };
  if (first.length >= 4 && first[0] === 0 && first[2] === 0 && first[1] !== 0) return { encoding: 'utf-16be', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
}

export interface TextChunk {
  text: string;
  /** Bytes consumed so far, for progress. */
  bytesRead: number;
}

/** Decoded text chunks; the BOM is removed. */
export async function* textChunks(src: Source): AsyncGenerator<TextChunk> {
  let decoder: InstanceType<typeof TextDecoder> | null = null;
  let bytesRead = 0;
  let lines = 1;
  let tail: Uint8Array | null = null;
  for await (const raw of src.bytes()) {
    let chunk: Uint8Array = raw instanceof Uint8Array ? raw : new Uint8Array(raw as ArrayBuffer);
    bytesRead += chunk.byteLength;
    if (!decoder) {
      // Need at least 4 bytes to sniff reliably.
      if (tail) {
        const joined = new Uint8Array(tail.byteLength + chunk.byteLength);
        joined.set(tail);
        joined.set(chunk, tail.byteLength);
        chunk = joined;
        tail = null;
      }
      if (chunk.byteLength < 4) {
        tail = chunk;
        continue;
      }
      const { encoding, bom } = sniff(chunk);
      decoder = new TextDecoder(encoding, { fatal: true });
      chunk = chunk.subarray(bom);
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new ImportError(src.name, `near line ${lines}`, `the file is not valid ${decoder.encoding.toUpperCase()} text; re-save it as UTF-8`);
    }
    lines += countNewlines(text);
    if (text) yield { text, bytesRead };
  }
  if (!decoder && tail) {
    const { encoding, bom } = sniff(tail);
    decoder = new TextDecoder(encoding, { fatal: true });
    tail = tail.subarray(bom);
    try {
      const text = decoder.decode(tail, { stream: true });
      if (text) yield { text, bytesRead };
    } catch {
      throw new ImportError(src.name, 'line 1', `the file is not valid ${encoding.toUpperCase()} text; re-save it as UTF-8`);
    }
  }
  if (decoder) {
    let rest: string;
    try {
      rest = decoder.decode();
    } catch {
      throw new ImportError(src.name, `line ${lines}`, 'the file ends in the middle of a character (truncated?)');
    }
    if (rest) yield { text: rest, bytesRead };
  }
}

export function countNewlines(s: string): number {
  let n = 0;
  let i = -1;
  while ((i = s.indexOf('\n', i + 1)) !== -1) n++;
  return n;
}

/** The whole text of a source (for small files and format sniffing). */
export async function readText(src: Source, maxBytes = Infinity): Promise<string> {
  const parts: string[] = [];
  for await (const c of textChunks(src)) {
    parts.push(c.text);
    if (c.bytesRead >= maxBytes) break;
  }
  return parts.join('');
}

/** The first bytes of a source decoded leniently (a broken tail is fine for sniffing). */
export async function peekText(src: Source, maxBytes = 65536): Promise<string> {
  const bufs: Uint8Array[] = [];
  let n = 0;
  for await (const raw of src.bytes()) {
    const c = raw instanceof Uint8Array ? raw : new Uint8Array(raw as ArrayBuffer);
    bufs.push(c);
    n += c.byteLength;
    if (n >= maxBytes) break;
  }
  const all = Buffer.concat(bufs).subarray(0, maxBytes);
  const { encoding, bom } = sniff(all);
  return new TextDecoder(encoding).decode(all.subarray(bom));
}

export async function hashSource(src: Source): Promise<string> {
  const h = createHash('sha256');
  for await (const c of src.bytes()) h.update(c);
  return h.digest('hex');
}
