import fs from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { openLibrary } from '../../src/main/db';
import { AppService } from '../../src/main/services/app-service';
import { runImport } from '../../src/main/services/import-service';
import { tmpDir } from '../helpers/env';
import { accountEvents, snapshot, tracksCsv } from '../helpers/fixtures';

describe('reliability', () => {
  it('refuses a zip bomb before inflating it, naming the archive, and changes nothing', async () => {
    const dir = tmpDir();
    const lib = openLibrary(path.join(dir, 'lib.sqlite'));
    await runImport(lib, { catalogs: [tracksCsv(dir)] });
    const before = snapshot(lib.sqlite);
    // 64 MB of one repeated byte compresses ~1000:1 — no export looks like that.
    const bomb = zipSync({ 'StreamingHistory_music_0.json': new Uint8Array(64 * 1024 * 1024).fill(0x20) }, { level: 9 });
    const file = path.join(dir, 'my_spotify_data.zip');
    fs.writeFileSync(file, bomb);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await expect(runImport(lib, { histories: [file], profile: 'me' })).rejects.toThrow(/my_spotify_data\.zip: .*would expand to 64 MB/);
    expect(snapshot(lib.sqlite)).toBe(before);
    // An ordinary export zip still imports.
    const ok = path.join(dir, 'ok.zip');
    fs.writeFileSync(ok, zipSync({ 'MyData/StreamingHistory_music_0.json': new TextEncoder().encode(JSON.stringify(accountEvents(20))) }));
    expect((await runImport(lib, { histories: [ok], profile: 'me' })).imported).toBe(20);
    lib.close();
  });

  it('marks runs left "running" by a stop as failed, with the reason, at start-up', () => {
    const dir = tmpDir();
    const first = new AppService(dir, () => {}, { quiet: true });
    first.lib.sqlite.prepare("INSERT INTO model_runs (created_at, status, config, backend) VALUES (?, 'running', '{}', 'wasm')").run(Date.now());
    first.lib.sqlite.prepare("INSERT INTO model_runs (created_at, status, config, backend) VALUES (?, 'completed', '{}', 'wasm')").run(Date.now());
    first.close();
    const again = new AppService(dir, () => {}, { quiet: true });
    const rows = again.lib.sqlite.prepare('SELECT status, error FROM model_runs ORDER BY id').all() as { status: string; error: string | null }[];
    expect(rows[0].status).toBe('failed');
    expect(rows[0].error).toMatch(/interrupted/);
    expect(rows[1].status).toBe('completed');
    again.close();
  });
});
