/**
 * The browser harness: the built renderer and the real main-process services over the same
 * typed contract, on 127.0.0.1 only, guarded by a random per-run token. Lets end-to-end tests
 * drive the UI in Chromium where the Electron binary cannot run.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CHANNELS, type Channel, type EventContract, type EventName } from '../../shared/ipc';
import { dispatch } from '../ipc/handlers';
import { getLogger } from '../logging';
import { AppService } from '../services/app-service';

const log = getLogger('harness');
/** Largest request body (a picked file travels inside one): refused with 413 above it. */
const MAX_BODY = 256 * 1024 * 1024;

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

/** Cookies are shared by every port of a host: each harness names its own. */
const cookieName = (port: number) => `omr_token_${port}`;

/** Constant-time comparison of a presented token with the run's token. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** What the harness's stand-in for the system file chooser answers, by kind (a browser has no chooser that gives the main process a path). */
export type HarnessPicks = Partial<Record<'history' | 'catalog' | 'community', string[]>>;

export async function startHarness(opts: { dataDir: string; rendererDir: string; port?: number; quiet?: boolean; pick?: HarnessPicks }): Promise<Harness> {
  const token = randomBytes(16).toString('hex');
  const clients = new Set<http.ServerResponse>();
  const emit = <E extends EventName>(event: E, payload: EventContract[E]) => {
    const data = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of clients) c.write(data);
  };
  const picks = opts.pick ?? {};
  const pickPaths = Object.keys(picks).length ? async (kind: 'history' | 'catalog' | 'community') => picks[kind] ?? [] : undefined;
  const service = new AppService(opts.dataDir, emit, { quiet: opts.quiet, pickPaths });
  const handlers = service.handlers();
  const root = path.resolve(opts.rendererDir);
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`${root}: no built renderer (run npm run build first)`);

  let port = 0;
  /** Only this server's own address: a page on another name (DNS rebinding) is refused. */
  const ownHost = (host: string | undefined) => host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  const ownOrigin = (origin: string | undefined) => origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!ownHost(req.headers.host)) return void res.writeHead(421, { 'content-type': 'text/plain' }).end('wrong host');
    let url: URL;
    let pathname: string;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return void res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
    }
    const presented = (req.headers['x-omr-token'] as string | undefined) ?? cookieToken(req.headers.cookie, cookieName(port));
    const authorised = tokenMatches(presented, token);
    // The address printed at start carries the token once: it becomes a same-site, script-less
    // cookie and the page reloads without it (the token never stays in the address bar or history).
    if (url.searchParams.has('token')) {
      if (!tokenMatches(url.searchParams.get('token') ?? undefined, token)) return void res.writeHead(403).end('bad token');
      res.writeHead(303, { location: '/', 'set-cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' });
      return void res.end();
    }
    if (pathname === '/api/events') {
      if (!authorised) return void res.writeHead(403).end();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (pathname.startsWith('/api/')) {
      if (!authorised || !ownOrigin(req.headers.origin as string | undefined)) {
        return void res.writeHead(403, { 'content-type': 'application/json' }).end('{"ok":false,"error":{"code":"failed","message":"not allowed"}}');
      }
      const channel = pathname.slice(5) as Channel;
      if (req.method !== 'POST' || !CHANNELS.includes(channel)) return void res.writeHead(404).end();
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          tooLarge = true;
          chunks.length = 0;
        } else chunks.push(c);
      });
      req.on('error', () => undefined);
      req.on('end', async () => {
        if (tooLarge) {
          return void res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: { code: 'invalid', message: `the request is larger than ${MAX_BODY / 1024 / 1024} MB` } }));
        }
        let body: unknown;
        try {
          body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        } catch {
          body = Symbol('malformed');
        }
        const result = await dispatch(handlers, channel, typeof body === 'symbol' ? 'malformed JSON' : body);
        if (!res.writableEnded) res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(result));
      });
      return;
    }
    // Static files of the built renderer.
    const rel = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'x-content-type-options': 'nosniff' });
    fs.createReadStream(file).pipe(res);
  };
  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      // Any request, however malformed, gets an answer and the server goes on serving.
      log.warning(`harness: request failed: ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  // The token is never written to the log.
  log.info(`harness on http://127.0.0.1:${port}/`);
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
