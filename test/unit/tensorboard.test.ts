import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventWriter, crc32c, readEventFile } from '../../src/main/recommender/training/tensorboard';
import { tmpDir } from '../helpers/env';

describe('TensorBoard event files', () => {
  it('computes CRC-32C like the reference vectors', () => {
    // RFC 3720 test vectors.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('writes scalar events that read back, CRCs checked', () => {
    const dir = tmpDir();
    const w = new EventWriter(dir);
    w.scalars(1, { 'train/loss': 0.5, 'valid/ndcg@10': 0.25 });
    w.scalars(2, { 'train/loss': 0.25, skipped: NaN });
    w.close();
    expect(path.basename(w.file)).toMatch(/^events\.out\.tfevents\.\d+\./);
    const events = readEventFile(w.file);
    expect(events[0].fileVersion).toBe('brain.Event:2');
    expect(events[1]).toMatchObject({ step: 1, scalars: { 'train/loss': 0.5, 'valid/ndcg@10': 0.25 } });
    expect(events[2].scalars).toEqual({ 'train/loss': 0.25 });
    // Corrupting a byte is detected.
    const b = fs.readFileSync(w.file);
    b[b.length - 6] ^= 0xff;
    fs.writeFileSync(w.file, b);
    expect(() => readEventFile(w.file)).toThrow(/CRC/);
  });
});
