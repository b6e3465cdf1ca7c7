/**
 * Crash safety under real kills (SIGKILL, not thrown errors): a checkpoint write killed at any
 * moment leaves a complete, loadable folder; an import killed at any moment leaves the library
 * exactly as it was before it, or exactly as after it. OMR_KILLS sets the number of kills of each
 * kind (default 6 here; docs/RELIABILITY.md records a run of 50).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLibrary } from '../../src/main/db';
import { loadModel, recoverDir } from '../../src/main/recommender/models/io';
import { initBackend } from '../../src/main/recommender/backend';
import { runImport } from '../../src/main/services/import-service';
import { tmpDir } from '../helpers/env';
import { snapshot, tracksCsv } from '../helpers/fixtures';
import { Rng } from '../../src/main/util/random';

const KILLS = Number(process.env.OMR_KILLS ?? 6);
const child = path.join(__dirname, '../helpers/kill-child.ts');

/** Starts the child, waits for "ready", then `delayMs` more, and SIGKILLs it; resolves with what it printed. */
function runAndKill(args: string[], delayMs: number): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let timer: NodeJS.Timeout | null = null;
    p.stdout.on('data', (d) => {
      out += d.toString();
      if (!timer && out.includes('ready')) timer = setTimeout(() => p.kill('SIGKILL'), delayMs);
    });
    p.on('exit', () => resolve(out));
    setTimeout(() => p.kill('SIGKILL'), 60000);
  });
}

describe('recovering a folder from the moment between the two renames', () => {
  it('puts back the new copy if it is complete, else the old one, and nothing half-written', () => {
    const parent = tmpDir();
    const dir = path.join(parent, 'best');
    const put = (p: string, tag: string, complete = true) => {
      fs.mkdirSync(p, { recursive: true });
      fs.writeFileSync(path.join(p, 'weights.bin'), tag);
      if (complete) fs.writeFileSync(path.join(p, 'manifest.json'), JSON.stringify({ tag }));
    };
    // Killed after "dir → old" and before "tmp → dir": both copies beside, none in place.
    put(path.join(parent, '.best.tmp-abc-old'), 'old');
    put(path.join(parent, '.best.tmp-abc'), 'new');
    recoverDir(dir);
    expect(fs.readFileSync(path.join(dir, 'weights.bin'), 'utf8')).toBe('new');
    // Killed while the new copy was being written: the old one comes back.
    fs.rmSync(dir, { recursive: true });
    put(path.join(parent, '.best.tmp-def-old'), 'old');
    put(path.join(parent, '.best.tmp-def'), 'half', false);
    recoverDir(dir);
    expect(fs.readFileSync(path.join(dir, 'weights.bin'), 'utf8')).toBe('old');
  });
});

describe('killed at random moments', () => {
  it(`a checkpoint folder survives ${KILLS} kills mid-write, complete and matching its checksum`, async () => {
    const rng = new Rng(7);
    const dir = path.join(tmpDir(), 'run', 'best');
    for (let k = 0; k < KILLS; k++) {
      await runAndKill(['checkpoint', dir], rng.int(400));
      recoverDir(dir);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { sha: string };
      const sha = createHash('sha256').update(fs.readFileSync(path.join(dir, 'weights.bin'))).digest('hex');
      expect(sha, `kill ${k}`).toBe(manifest.sha);
    }
  }, 60000 + KILLS * 8000);

  it(`a training run killed ${KILLS} times at random points always leaves a loadable best and last model`, async () => {
    const rng = new Rng(13);
    const dir = tmpDir();
    const db = path.join(dir, 'lib.sqlite');
    const runDir = path.join(dir, 'run');
    await initBackend('auto');
    for (let k = 0; k < KILLS; k++) {
      // Each run resumes from the last checkpoint, so kills land in every phase of an epoch.
      await runAndKill(['train', db, runDir], rng.int(1500));
      for (const which of ['best', 'last']) {
        const d = path.join(runDir, which);
        recoverDir(d);
        const { model, manifest } = loadModel(d);
        expect(manifest.epoch, `kill ${k}: ${which}`).toBeGreaterThanOrEqual(0);
        model.dispose();
      }
    }
  }, 60000 + KILLS * 20000);

  it(`an import killed ${KILLS} times leaves the library as it was before, or as after`, async () => {
    const rng = new Rng(11);
    const dir = tmpDir();
    const db = path.join(dir, 'lib.sqlite');
    const lib = openLibrary(db);
    await runImport(lib, { catalogs: [tracksCsv(dir)] });
    const before = snapshot(lib.sqlite);
    lib.close();
    // A Last.fm export big enough to take a while: 60k scrobbles.
    const lines = ['artist,track,album,uts'];
    for (let i = 0; i < 60000; i++) lines.push(`Artist ${i % 700},Song ${i % 5000},Album,${1600000000 + i * 97}`);
    const history = path.join(dir, 'scrobbles.csv');
    fs.writeFileSync(history, lines.join('\n') + '\n');
    let completed = 0;
    for (let k = 0; k < KILLS; k++) {
      const copy = path.join(dir, `kill-${k}.sqlite`);
      fs.copyFileSync(db, copy);
      const out = await runAndKill(['import', copy, history], rng.int(2500));
      const after = openLibrary(copy);
      expect(after.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      const snap = snapshot(after.sqlite);
      const events = after.sqlite.prepare('SELECT count(*) FROM listening_events').pluck().get() as number;
      after.close();
      // Before, or after: all 60,000 listens (a kill can land after the commit and before "done").
      if (snap !== before) {
        completed++;
        expect(events, `kill ${k} during the import left a partial library`).toBe(60000);
      } else expect(out.includes('done'), `kill ${k}: said done but nothing was written`).toBe(false);
      for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) fs.rmSync(f, { force: true });
    }
    expect(completed).toBeLessThan(KILLS);
  }, 60000 + KILLS * 15000);
});
