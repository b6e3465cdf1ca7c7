/**
 * The browser harness: the built renderer and the real main-process services over the same
 * typed contract, on 127.0.0.1 only, guarded by a random per-run token. Lets end-to-end tests
 * drive the UI in Chromium where the Electron binary cannot run.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CHANNELS, type Channel, type EventContract, type EventName } from '../../shared/ipc';
import { dispatch } from '../ipc/handlers';
import { getLogger } from '../logging';
import { AppService } from '../services/app-service';

const log = getLogger('harness');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2',
};

export interface Harness {
  url: string;
  token: string;
  service: AppService;
  close(): Promise<void>;
}

export async function startHarness(opts: { dataDir: string; rendererDir: string; port?: number; quiet?: boolean }): Promise<Harness> {
  const token = randomBytes(16).toString('hex');
  const clients = new Set<http.ServerResponse>();
  const emit = <E extends EventName>(event: E, payload: EventContract[E]) => {
    const data = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of clients) c.write(data);
  };
  const service = new AppService(opts.dataDir, emit, { quiet: opts.quiet });
  const handlers = service.handlers();
  const root = path.resolve(opts.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`${root}: no built renderer (run npm run build first)`);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorised = req.headers['x-omr-token'] === token || url.searchParams.get('token') === token;
    if (url.pathname === '/api/events') {
      if (!authorised) return void res.writeHead(403).end();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (!authorised) return void res.writeHead(403, { 'content-type': 'application/json' }).end('{"ok":false,"error":{"code":"failed","message":"bad token"}}');
      const channel = decodeURIComponent(url.pathname.slice(5)) as Channel;
      if (req.method !== 'POST' || !CHANNELS.includes(channel)) return void res.writeHead(404).end();
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 768 * 1024 * 1024) req.destroy();
        else chunks.push(c);
      });
      req.on('end', async () => {
        let body: unknown;
        try {
          body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        } catch {
          body = Symbol('malformed');
        }
        const result = await dispatch(handlers, channel, typeof body === 'symbol' ? 'malformed JSON' : body);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(result));
      });
      return;
    }
    // Static files of the built renderer.
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  log.info(`harness on ${url}`);
  // Like the Electron shell: the model opens while the page loads.
  setTimeout(() => void service.warmUp(), 0);
  return {
    url,
    token,
    service,
    close: async () => {
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      service.close();
    },
  };
}
