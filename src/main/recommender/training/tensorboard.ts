/**
 * TensorBoard event files written directly (tfjs-node's summary writer is not available on
 * every backend): TFRecord framing with masked CRC32C, and a hand-encoded `Event` protobuf
 * holding scalar summaries. `readEventFile` reads them back, checking every CRC.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli). */
export function crc32c(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function maskedCrc(buf: Uint8Array): number {
  const c = crc32c(buf);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

// ---- minimal protobuf encoding ----
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
function lenField(field: number, bytes: Uint8Array): number[] {
  return [...key(field, 2), ...varint(bytes.length), ...bytes];
}
function doubleField(field: number, v: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...key(field, 1), ...b];
}
function floatField(field: number, v: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return [...key(field, 5), ...b];
}

function encodeEvent(wallTime: number, step: number, body: { fileVersion?: string; scalars?: [string, number][] }): Uint8Array {
  const bytes: number[] = [...doubleField(1, wallTime), ...key(2, 0), ...varint(step)];
  if (body.fileVersion) bytes.push(...lenField(3, Buffer.from(body.fileVersion)));
  if (body.scalars) {
    const summary: number[] = [];
    for (const [tag, value] of body.scalars) {
      const v = [...lenField(1, Buffer.from(tag)), ...floatField(2, value)];
      summary.push(...lenField(1, Uint8Array.from(v)));
    }
    bytes.push(...lenField(5, Uint8Array.from(summary)));
  }
  return Uint8Array.from(bytes);
}

function frame(data: Uint8Array): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(data.length));
  const lenCrc = Buffer.alloc(4);
  lenCrc.writeUInt32LE(maskedCrc(len));
  const dataCrc = Buffer.alloc(4);
  dataCrc.writeUInt32LE(maskedCrc(data));
  return Buffer.concat([len, lenCrc, Buffer.from(data), dataCrc]);
}

export class EventWriter {
  readonly file: string;
  private fd: number;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${os.hostname()}`);
    this.fd = fs.openSync(this.file, 'a');
    fs.writeSync(this.fd, frame(encodeEvent(Date.now() / 1000, 0, { fileVersion: 'brain.Event:2' })));
  }

  scalars(step: number, values: Record<string, number>): void {
    const entries = Object.entries(values).filter(([, v]) => Number.isFinite(v));
    if (entries.length) fs.writeSync(this.fd, frame(encodeEvent(Date.now() / 1000, step, { scalars: entries })));
  }

  close(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}

// ---- reading back ----
export interface ReadEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars: Record<string, number>;
}

function readVarint(b: Buffer, pos: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = b[pos.i++];
    result |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return result;
    shift += 7n;
  }
}

function decodeFields(b: Buffer): { field: number; wire: number; value: bigint | Buffer | number }[] {
  const out: { field: number; wire: number; value: bigint | Buffer | number }[] = [];
  const pos = { i: 0 };
  while (pos.i < b.length) {
    const k = Number(readVarint(b, pos));
    const field = k >> 3;
    const wire = k & 7;
    if (wire === 0) out.push({ field, wire, value: readVarint(b, pos) });
    else if (wire === 1) {
      out.push({ field, wire, value: b.readDoubleLE(pos.i) });
      pos.i += 8;
    } else if (wire === 5) {
      out.push({ field, wire, value: b.readFloatLE(pos.i) });
      pos.i += 4;
    } else if (wire === 2) {
      const len = Number(readVarint(b, pos));
      out.push({ field, wire, value: b.subarray(pos.i, pos.i + len) });
      pos.i += len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

export function readEventFile(file: string): ReadEvent[] {
  const b = fs.readFileSync(file);
  const events: ReadEvent[] = [];
  let i = 0;
  while (i < b.length) {
    const lenBuf = b.subarray(i, i + 8);
    if (b.readUInt32LE(i + 8) !== maskedCrc(lenBuf)) throw new Error(`${file}: bad length CRC at byte ${i}`);
    const len = Number(lenBuf.readBigUInt64LE());
    const data = b.subarray(i + 12, i + 12 + len);
    if (b.readUInt32LE(i + 12 + len) !== maskedCrc(data)) throw new Error(`${file}: bad data CRC at byte ${i}`);
    i += 16 + len;
    const ev: ReadEvent = { wallTime: 0, step: 0, scalars: {} };
    for (const f of decodeFields(Buffer.from(data))) {
      if (f.field === 1) ev.wallTime = f.value as number;
      else if (f.field === 2) ev.step = Number(f.value);
      else if (f.field === 3) ev.fileVersion = (f.value as Buffer).toString();
      else if (f.field === 5) {
        for (const v of decodeFields(f.value as Buffer)) {
          let tag = '';
          let val = NaN;
          for (const g of decodeFields(v.value as Buffer)) {
            if (g.field === 1) tag = (g.value as Buffer).toString();
            if (g.field === 2) val = g.value as number;
          }
          ev.scalars[tag] = val;
        }
      }
    }
    events.push(ev);
  }
  return events;
}
