/**
 * End to end in Debian's Chromium, driven by playwright-core, against the real main-process
 * services served by the browser harness on 127.0.0.1: a fresh data folder; a real Spotify
 * export from ../shared and a catalogue imported; a small model trained with the progress bar
 * moving; recommendations with explanations; like / dislike changing the list; an M3U8 export;
 * a corrupt file answered with a readable error. Screenshots of each page are saved to
 * test-results/screenshots/. Nothing may leave the computer: Chromium's proxy is a local recorder
 * (loopback bypasses it, so anything it sees was bound elsewhere) and the test process records
 * every socket the harness and services open; both must stay empty for the whole run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../src/main/harness/server';
import { resourceDir } from '../../src/main/paths';
import { HAS_SHARED, data, tmpDir } from '../helpers/env';

const ROOT = path.dirname(resourceDir('package.json'));
/** What the page-side functions below touch of the DOM (this file is type-checked without DOM types). */
type Doc = {
  documentElement: { dataset: Record<string, string | undefined> };
  activeElement: { textContent: string | null; getAttribute(n: string): string | null; hasAttribute(n: string): boolean; blur(): void } | null;
};
const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? (() => {
  try {
    return execFileSync('which', ['chromium']).toString().trim();
  } catch {
    return '';
  }
})();

describe.skipIf(!CHROMIUM || !HAS_SHARED)('the app in Chromium', () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  // playwright-core has no test matchers: wait on the page, then assert with vitest.
  const visible = (l: Locator, timeout = 30_000) => l.first().waitFor({ state: 'visible', timeout });
  const containsText = (l: Locator, text: string, timeout = 30_000) =>
    expect.poll(async () => (await l.first().isVisible()) ? (await l.first().textContent()) ?? '' : '', { timeout, interval: 250 }).toContain(text);
  const nav = async (label: string) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: label, exact: true }).click();
  };

  // Outbound connections: what Chromium sends through its proxy, and what this process connects to.
  const proxied: string[] = [];
  const pageRequests: string[] = [];
  const sockets: string[] = [];
  let recorder: http.Server;
  const realConnect = net.Socket.prototype.connect;

  beforeAll(async () => {
    recorder = http.createServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      res.writeHead(502).end();
    });
    recorder.on('connect', (req, socket) => {
      proxied.push(`CONNECT ${req.url}`);
      // Chromium may reset the refused tunnel: without a listener that ECONNRESET ended the run.
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
    const recorderPort = (recorder.address() as net.AddressInfo).port;
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      const o = args[0] as { host?: string; port?: number; path?: string } | number | string;
      const host = typeof o === 'object' && o !== null ? (o.path ? 'unix' : o.host ?? 'localhost') : typeof o === 'number' ? String(args[1] ?? 'localhost') : 'unix';
      if (!/^(unix|localhost|127\.|::1$|\[::1\])/.test(host)) sockets.push(host);
      return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof net.Socket.prototype.connect;
    fs.mkdirSync(SHOTS, { recursive: true });
    if (!fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
    // The harness's stand-in for the system file chooser: "Choose community data…" receives HetRec.
    harness = await startHarness({ dataDir: tmpDir('omr-e2e-'), rendererDir: path.join(ROOT, 'out', 'renderer'), quiet: true, pick: { community: [data('lastfm-hetrec-2k')] } });
    // Small, fast training for the test.
    fs.writeFileSync(path.join(harness.service.paths.userConfigs, 'training_config.yaml'), 'training:\n  epochs: 2\n  batch_size: 1024\n');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        `--proxy-server=http://127.0.0.1:${recorderPort}`, '--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter',
      ],
    });
    // The recorder sees what is not loopback: checked once with a page of our own, then cleared.
    const probe = await browser.newPage();
    await probe.goto('http://example.invalid/').catch(() => undefined);
    await probe.close();
    expect(proxied.some((r) => r.includes('example.invalid'))).toBe(true);
    proxied.length = 0;
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    page.on('request', (r) => pageRequests.push(r.url()));
    await page.goto(harness.url);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    net.Socket.prototype.connect = realConnect;
    recorder?.close();
  });

  it('starts on the import page with an empty library', async () => {
    await visible(page.getByRole('heading', { name: 'Import your listening' }));
    await shot('01-welcome-import');
  });

  it('imports a catalogue and a real Spotify export, and reports the match', async () => {
    await page.getByTestId('catalog-files').setInputFiles(data('catalog', 'tidytuesday_spotify_songs.csv'));
    await page.getByRole('button', { name: 'Add catalogue' }).click();
    await containsText(page.getByTestId('import-report'), 'new tracks', 120_000);
    await page.getByLabel('Profile name').fill('u03');
    await page.getByTestId('history-files').setInputFiles(fs.readdirSync(data('histories', 'spotify-account', 'u03')).map((f) => data('histories', 'spotify-account', 'u03', f)));
    await page.getByRole('button', { name: 'Import history' }).click();
    const report = page.getByTestId('import-report');
    await containsText(report, 'listens imported', 120_000);
    await containsText(report, 'matched to a catalogue track');
    await shot('02-import-report');
  });

  it('shows a readable error for a corrupt file and carries on', async () => {
    const bad = path.join(tmpDir(), 'StreamingHistory_music_9.json');
    fs.writeFileSync(bad, '[{"endTime":"2024-01-01 10:00","artistName":"A","trackName":"B","msPlayed":1000},\n{"endTime":"2024-01-01 10:05","artistNa');
    await page.getByTestId('history-files').setInputFiles(bad);
    await page.getByRole('button', { name: 'Import history' }).click();
    const alert = page.getByRole('alert');
    await containsText(alert, 'StreamingHistory_music_9.json', 60_000);
    await containsText(alert, 'truncated');
    // Named as the person picked it, not by the temporary folder the upload was read from.
    expect(await alert.textContent()).toContain('Something went wrong. StreamingHistory_music_9.json (record');
    await shot('03-import-error');
    await nav('Profile');
    await visible(page.getByRole('heading', { name: 'u03' }));
    await visible(page.getByText('Hours per month'));
    await shot('04-profile');
  });

  it('trains a small model with the progress bar moving', async () => {
    await nav('Training');
    await expect.poll(() => page.getByRole('button', { name: 'Start training' }).isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: 'Start training' }).click();
    const bar = page.getByRole('progressbar', { name: /Epoch|Preparing/ });
    await visible(bar, 60_000);
    const seen = new Set<string>();
    let shotTaken = false;
    for (let i = 0; i < 600 && !(await page.getByRole('progressbar', { name: 'Finished' }).isVisible()); i++) {
      const v = await page.getByRole('progressbar').first().getAttribute('aria-valuenow');
      if (v) seen.add(v);
      if (!shotTaken && v && Number(v) > 0 && Number(v) < 100) {
        await shot('05-training-progress');
        shotTaken = true;
      }
      await page.waitForTimeout(200);
    }
    expect(await page.getByRole('progressbar', { name: 'Finished' }).isVisible()).toBe(true);
    expect(seen.size).toBeGreaterThan(1); // it moved
    await visible(page.getByText('serving'), 30_000);
    // The run's validation figures: new tracks (one person's few discoveries: often 0) and all plays,
    // which for one person is what says the model learned their taste.
    const header = (await page.locator('table.table thead th').allTextContents()).map((x) => x.trim());
    const row = (await page.locator('table.table tbody tr').first().locator('td').allTextContents()).map((x) => x.trim());
    const allPlays = Number(row[header.indexOf('valid NDCG@10, all plays')]);
    expect(allPlays).toBeGreaterThan(0);
    expect(allPlays).toBeLessThanOrEqual(1);
    expect(Number.isFinite(Number(row[header.indexOf('valid NDCG@10, new tracks')]))).toBe(true);
    await shot('06-training-done');
  });

  it('lists recommendations with explanations; like and dislike change the list; exports M3U8', async () => {
    await nav('Recommendations');
    const rows = page.getByTestId('rec-row');
    await visible(rows.first(), 120_000);
    await containsText(page.getByTestId('explanation'), 'your average', 30_000);
    await shot('07-recommendations');
    const before = await rows.locator('.title').allTextContents();
    const first = before[0];
    await rows.first().getByRole('button', { name: `Dislike ${first}`, exact: true }).click();
    await expect.poll(() => rows.first().locator('.title').textContent(), { timeout: 30_000 }).not.toBe(first);
    const afterDislike = await rows.locator('.title').allTextContents();
    expect(afterDislike).not.toContain(first);
    const liked = afterDislike[3];
    await rows.nth(3).getByRole('button', { name: `Like ${liked}`, exact: true }).click();
    await expect.poll(async () => (await rows.locator('.title').allTextContents()).join('|'), { timeout: 30_000 }).not.toBe(afterDislike.join('|'));
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'M3U8' }).click();
    const file = await (await download).path();
    const m3u = fs.readFileSync(file!, 'utf8').split('\n').filter(Boolean);
    expect(m3u[0]).toBe('#EXTM3U');
    const entries = m3u.filter((l) => l.startsWith('#EXTINF:'));
    expect(entries.length).toBeGreaterThan(10);
    for (const l of m3u.filter((x) => !x.startsWith('#'))) expect(l).toMatch(/^https:\/\/open\.spotify\.com\/track\/[0-9A-Za-z]{22}$/);
    await shot('08-after-feedback');
  });

  it('works from the keyboard alone — recommendations, explanation, like — in the dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: Doc }).document.documentElement.dataset.theme)).toBe('dark');
    const focused = () => page.evaluate(() => {
      const el = (globalThis as unknown as { document: Doc }).document.activeElement;
      return { text: el?.textContent ?? '', label: el?.getAttribute('aria-label') ?? '', row: el?.hasAttribute('data-row-focus') ?? false };
    });
    const tabTo = async (want: (f: Awaited<ReturnType<typeof focused>>) => boolean) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (want(await focused())) return;
      }
      throw new Error(`not reached with Tab: ${JSON.stringify(await focused())}`);
    };
    await page.evaluate(() => (globalThis as unknown as { document: Doc }).document.activeElement?.blur());
    await tabTo((f) => f.text === 'Import');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect((await focused()).text).toBe('Recommendations');
    await page.keyboard.press('Enter');
    const rows = page.getByTestId('rec-row');
    await visible(rows.first(), 120_000);
    const titles = await rows.locator('.title').allTextContents();
    // One tab stop for the whole list: the first row.
    await tabTo((f) => f.row);
    expect((await focused()).label).toContain(titles[0]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect((await focused()).label).toContain(titles[2]);
    const item = page.getByRole('listitem').filter({ has: page.locator('[data-row-focus]:focus') });
    expect(await item.getAttribute('aria-posinset')).toBe('3');
    // The list holds as many as asked for ("How many"); only the rows in view are in the page.
    expect(Number(await item.getAttribute('aria-setsize'))).toBe(Number(await page.getByRole('combobox', { name: 'How many' }).inputValue()));
    // Enter shows why; L likes it and the list is recomputed, focus staying in the list.
    await page.keyboard.press('Enter');
    await containsText(page.getByTestId('explanation').locator('h3'), titles[2]);
    await shot('11-keyboard-dark-explanation');
    await page.keyboard.press('l');
    await containsText(page.getByRole('status'), `Liked ${titles[2]}`);
    await expect.poll(async () => (await rows.locator('.title').allTextContents()).join('|'), { timeout: 30_000 }).not.toBe(titles.join('|'));
    expect((await focused()).row).toBe(true);
    await shot('12-keyboard-dark-after-like');
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: Doc }).document.documentElement.dataset.theme)).toBe('light');
  });

  it('second scenario: adds community data on the Import page, updates the model quickly, and recommends with it', async () => {
    await nav('Import');
    await page.getByRole('button', { name: 'Choose community data…' }).click();
    await containsText(page.getByTestId('community-status').locator('xpath=..').getByRole('status'), 'artist neighbours', 60_000);
    // HetRec's tags of the library's artists are kept too, and said so.
    await containsText(page.getByTestId('community-status').locator('xpath=..').getByRole('status'), 'the tags of');
    await containsText(page.getByTestId('community-status'), '1 community dataset');
    await shot('13-community-import');
    await nav('Training');
    await page.getByRole('button', { name: 'Quick update' }).click();
    await visible(page.getByRole('progressbar', { name: 'Finished' }), 120_000);
    // The quick update is a run of the warm-start epochs, and it serves.
    await visible(page.getByRole('row').filter({ hasText: 'serving' }));
    await nav('Recommendations');
    await visible(page.getByTestId('rec-row').first(), 120_000);
    await containsText(page.getByTestId('explanation'), 'Recommended', 30_000);
    await shot('14-recommendations-with-community');
  });

  it('evaluates the model against baselines and shows settings', async () => {
    await nav('Evaluation');
    await page.getByRole('button', { name: 'Evaluate the serving model' }).click();
    await visible(page.getByRole('cell', { name: 'popularity' }).or(page.getByRole('columnheader', { name: 'popularity' })), 120_000);
    await shot('09-evaluation');
    await nav('Settings');
    await visible(page.getByText('Data folder'));
    await page.getByRole('button', { name: 'Open the log' }).click();
    await containsText(page.getByRole('status'), 'main.log');
    await shot('10-settings');
  });

  it('opened no connection off this computer during the whole run', () => {
    // Every request the app's page made went to the harness on 127.0.0.1.
    const origin = new URL(harness.url).origin;
    expect(pageRequests.length).toBeGreaterThan(10);
    expect(pageRequests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
    // What reached the proxy is Chromium's own account, autofill and component-update services (a
    // browser's, not the app's: Electron has none of them; the updater sometimes speaks plain HTTP
    // to update.googleapis.com) — anything else fails.
    const chromiumOwn = /^(CONNECT ([a-z0-9-]+\.)*(google\.com|googleapis\.com|gstatic\.com):443|(GET|POST) http:\/\/([a-z0-9-]+\.)*(google\.com|googleapis\.com|gstatic\.com)\/\S*)$/;
    expect(proxied.filter((r) => !chromiumOwn.test(r))).toEqual([]);
    // The harness and the services opened no socket except to this computer.
    expect(sockets).toEqual([]);
  });
});
