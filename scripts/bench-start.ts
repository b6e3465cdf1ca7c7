/**
 * App start to first recommendations (issue 6's last target): a warm data folder (both
 * catalogues, the 20 people, a trained model — prepared once and reused), then, per repetition, a
 * fresh server process (the browser harness, the same services the Electron shell runs) and
 * Debian's Chromium started together, like the shell starting its window; measured from the spawn
 * to the first recommendation visible on the page. The server runs from its esbuild bundle
 * (`npm run build:harness`), as the Electron main process runs from electron-vite's.
 *   npm run bench:start -- [--data ../shared/data] [--reps 3] [--dir .cache/bench-start]
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/main/config';
import { openLibrary } from '../src/main/db';
import { configureLogging } from '../src/main/logging';
import { dataPaths, resourceDir, sharedDir } from '../src/main/paths';
import { runImport } from '../src/main/services/import-service';
import { trainRun } from '../src/main/services/model-service';
import { percentile } from './lib/stats';

const ROOT = path.dirname(resourceDir('package.json'));
const { values } = parseArgs({
  options: { data: { type: 'string' }, reps: { type: 'string', default: '3' }, dir: { type: 'string', default: path.join(ROOT, '.cache', 'bench-start') }, epochs: { type: 'string', default: '2' } },
});
configureLogging({ level: 'WARNING' });

async function setUp(dir: string): Promise<void> {
  const p = dataPaths(dir);
  if (fs.existsSync(path.join(dir, 'READY'))) return;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const data = path.resolve(values.data ?? path.join(sharedDir(), 'data'));
  const lib = openLibrary(p.db);
  await runImport(lib, { catalogs: ['spotify_tracks_114k.csv', 'tidytuesday_spotify_songs.csv'].map((f) => path.join(data, 'catalog', f)) });
  const root = path.join(data, 'histories', 'spotify-account');
  await runImport(lib, { histories: fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory()).sort().map((d) => path.join(root, d)), profilePerPath: true });
  await trainRun(lib, { config: loadConfig({ overrides: [`training.epochs=${values.epochs}`] }).config, modelsDir: p.models });
  lib.close();
  fs.writeFileSync(path.join(dir, 'READY'), new Date().toISOString());
}

void (async () => {
  const dir = path.resolve(values.dir!);
  process.stderr.write(`preparing ${dir} (once)…\n`);
  await setUp(dir);
  if (!fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
  // The main-process side as the app runs it: bundled JavaScript, not TypeScript compiled on the fly.
  execFileSync('npm', ['run', '-s', 'build:harness'], { cwd: ROOT, stdio: 'inherit' });
  const executablePath = process.env.CHROMIUM_PATH ?? execFileSync('which', ['chromium']).toString().trim();
  const runs: { server_ready_ms: number; browser_ready_ms: number; page_loaded_ms: number; first_recs_ms: number }[] = [];
  // The first repetition also writes the item-vector cache; it counts like the others.
  for (let r = 0; r < Number(values.reps); r++) {
    const t0 = performance.now();
    const server = spawn(process.execPath, [path.join(ROOT, 'out', 'harness', 'serve.js'), '--data-dir', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const browserP = chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /Open (http\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      server.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
    });
    const ready = performance.now() - t0;
    const browser = await browserP;
    const browserReady = performance.now() - t0;
    try {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      await page.goto(url);
      const loaded = performance.now() - t0;
      try {
        await page.locator('.rec-main').first().waitFor({ state: 'visible', timeout: 60_000 });
      } catch (e) {
        await page.screenshot({ path: path.join(dir, 'bench-start-failure.png') });
        throw new Error(`no recommendation appeared (screenshot: ${path.join(dir, 'bench-start-failure.png')}): ${(e as Error).message}`);
      }
      const first = performance.now() - t0;
      runs.push({ server_ready_ms: Math.round(ready), browser_ready_ms: Math.round(browserReady), page_loaded_ms: Math.round(loaded), first_recs_ms: Math.round(first) });
      process.stderr.write(`rep ${r + 1}: server listening ${Math.round(ready)} ms, browser ${Math.round(browserReady)} ms, page loaded ${Math.round(loaded)} ms, first recommendations ${Math.round(first)} ms\n`);
    } finally {
      await browser.close();
      server.kill('SIGTERM');
      await new Promise((res) => server.on('exit', res));
    }
  }
  const med = (k: keyof (typeof runs)[number]) => Math.round(percentile(runs.map((x) => x[k]), 0.5));
  console.log(JSON.stringify({ workload: 'W-START', reps: runs.length, first_recs_ms: med('first_recs_ms'), server_ready_ms: med('server_ready_ms'), browser_ready_ms: med('browser_ready_ms'), page_loaded_ms: med('page_loaded_ms'), runs, node: process.version, cpus: os.cpus().length }));
})();
