/**
 * Attacks as an attacker would send them: through dispatch (what a compromised renderer reaches
 * over IPC) and through the browser harness over HTTP. Each must be refused, the server must keep
 * serving, and the database must be unchanged.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { startHarness, tokenMatches, type Harness } from '../../src/main/harness/server';
import { dispatch } from '../../src/main/ipc/handlers';
import { AppService } from '../../src/main/services/app-service';
import { tmpDir } from '../helpers/env';
import { snapshot } from '../helpers/fixtures';

function request(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

/** A raw request line, for what http.request would refuse to send. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (d) => (out += d.toString('utf8')));
    s.on('end', () => resolve(out));
    s.on('error', () => resolve(out));
    setTimeout(() => (s.destroy(), resolve(out)), 2000);
  });
}

describe('a compromised renderer, through dispatch', () => {
  it('cannot pollute prototypes through training overrides or any payload', async () => {
    const service = new AppService(tmpDir(), () => {}, { quiet: true });
    const handlers = service.handlers();
    const before = snapshot(service.lib.sqlite);
    const attacks: [string, unknown][] = [
      ['training:start', { overrides: ['training={__proto__: {execArgv: ["--eval", "process.exit(42)"]}}'] }],
      ['training:start', { overrides: ['__proto__.execArgv=[--eval]'] }],
      ['training:start', { overrides: ['training.constructor.prototype.polluted=1'] }],
      ['recommend:list', JSON.parse('{"profileId": 1, "options": {"__proto__": {"polluted": 1}}}')],
      ['profile:update', JSON.parse('{"profileId": 1, "age": 3, "gender": null, "country": null, "constructor": {"prototype": {"polluted": 1}}}')],
    ];
    for (const [channel, payload] of attacks) {
      const r = await dispatch(handlers, channel as never, payload);
      expect(r.ok, `${channel} ${JSON.stringify(payload)}`).toBe(false);
    }
    expect(({} as Record<string, unknown>).execArgv).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(snapshot(service.lib.sqlite)).toBe(before);
    service.close();
  });

  it('config layers refuse prototype keys wherever they appear', () => {
    expect(() => loadConfig({ overrides: ['training={__proto__: {x: 1}}'] })).toThrow(/__proto__/);
    expect(() => loadConfig({ overrides: ['model.__proto__.x=1'] })).toThrow();
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'training_config.yaml'), 'training:\n  constructor:\n    prototype:\n      x: 1\n');
    expect(() => loadConfig({ layers: [dir] })).toThrow(/constructor/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('cannot make the importer read a file the person did not pick, nor see its contents', async () => {
    const service = new AppService(tmpDir(), () => {}, { quiet: true });
    const handlers = service.handlers();
    const before = snapshot(service.lib.sqlite);
    const secretDir = tmpDir();
    const secret = path.join(secretDir, 'secret.txt');
    fs.writeFileSync(secret, 'root:x:0:0:TOP-SECRET-LINE\n');
    for (const p of ['/etc/passwd', secret, secretDir, `${secretDir}/../${path.basename(secretDir)}/secret.txt`]) {
      const r = await dispatch(handlers, 'import:run', { catalogs: [], histories: [p] });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.message).toMatch(/not something you picked/);
        expect(r.error.message).not.toMatch(/root:|TOP-SECRET/);
      }
    }
    // Picked, it is read — and a file in no known format is refused without quoting it.
    service.grant([secretDir]);
    const r = await dispatch(handlers, 'import:run', { catalogs: [], histories: [secret], profile: 'me' });
    expect(JSON.stringify(r)).not.toMatch(/TOP-SECRET|root:x/);
    // A link inside a picked folder pointing outside it is not followed out.
    fs.symlinkSync('/etc/passwd', path.join(secretDir, 'link'));
    const viaLink = await dispatch(handlers, 'import:run', { catalogs: [], histories: [path.join(secretDir, 'link')] });
    expect(viaLink.ok).toBe(false);
    expect(snapshot(service.lib.sqlite)).toBe(before);
    // No file chooser outside the desktop app.
    expect((await dispatch(handlers, 'import:pick', { kind: 'history' })).ok).toBe(false);
    service.close();
  });
});

describe('the browser harness, over HTTP', () => {
  let h: Harness;
  let port: number;
  let before: string;
  let modelsBefore: string;
  /** Every file under the models folder, with its bytes. */
  const modelsDigest = () => {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out.push(`${path.relative(h.service.paths.models, p)}:${fs.readFileSync(p).toString('base64')}`);
      }
    };
    walk(h.service.paths.models);
    return out.sort().join('|');
  };
  beforeAll(async () => {
    const renderer = tmpDir();
    fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
    h = await startHarness({ dataDir: tmpDir(), rendererDir: renderer, quiet: true });
    port = Number(new URL(h.url).port);
    // A model folder as a trained library has one: attacks must leave it byte for byte.
    fs.mkdirSync(path.join(h.service.paths.models, 'run-0001', 'best'), { recursive: true });
    fs.writeFileSync(path.join(h.service.paths.models, 'run-0001', 'best', 'manifest.json'), '{"format":"x"}');
    fs.writeFileSync(path.join(h.service.paths.models, 'run-0001', 'best', 'weights.bin'), Buffer.from([1, 2, 3]));
    before = snapshot(h.service.lib.sqlite);
    modelsBefore = modelsDigest();
  });
  afterAll(async () => h.close());

  it('compares tokens in constant time and only the run’s own', () => {
    expect(tokenMatches(h.token, h.token)).toBe(true);
    expect(tokenMatches(h.token.slice(1), h.token)).toBe(false);
    expect(tokenMatches(undefined, h.token)).toBe(false);
  });

  it('survives malformed request lines and keeps serving', async () => {
    expect((await request(port, { path: '/%E0%A4%A', headers: { host: `127.0.0.1:${port}` } })).status).toBe(400);
    expect((await request(port, { path: '/api/%E0%A4%A', headers: { host: `127.0.0.1:${port}` } })).status).toBe(400);
    expect(await raw(port, 'GARBAGE\r\n\r\n')).toMatch(/400/);
    expect(await raw(port, `GET /${'a'.repeat(100000)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)).toMatch(/40\d|431/);
    expect((await request(port, { path: '/', headers: { host: `127.0.0.1:${port}` } })).status).toBe(200);
  });

  it('refuses other host names (DNS rebinding) and other origins', async () => {
    const auth = { 'x-omr-token': h.token, 'content-type': 'application/json' };
    expect((await request(port, { path: '/', headers: { host: 'evil.example:80' } })).status).toBe(421);
    expect((await request(port, { method: 'POST', path: '/api/library:stats', headers: { ...auth, host: `rebind.example:${port}` }, body: '{}' })).status).toBe(421);
    expect((await request(port, { method: 'POST', path: '/api/library:stats', headers: { ...auth, host: `127.0.0.1:${port}`, origin: 'http://evil.example' }, body: '{}' })).status).toBe(403);
    const ok = await request(port, { method: 'POST', path: '/api/library:stats', headers: { ...auth, host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }, body: '{}' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).ok).toBe(true);
  });

  it('takes the token from a header or its cookie, never from the query on the API, and never logs it', async () => {
    const host = `127.0.0.1:${port}`;
    expect((await request(port, { method: 'POST', path: `/api/library:stats?token=${h.token}`, headers: { host }, body: '{}' })).status).toBe(303);
    expect((await request(port, { method: 'POST', path: '/api/library:stats', headers: { host }, body: '{}' })).status).toBe(403);
    // The start address turns into a same-site HttpOnly cookie and a redirect without the token.
    const start = await request(port, { path: `/?token=${h.token}`, headers: { host } });
    expect(start.status).toBe(303);
    expect(start.headers.location).toBe('/');
    const cookie = String(start.headers['set-cookie']).split(';')[0];
    expect(String(start.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await request(port, { method: 'POST', path: '/api/library:stats', headers: { host, cookie }, body: '{}' })).status).toBe(200);
    expect((await request(port, { path: `/?token=${'0'.repeat(32)}`, headers: { host } })).status).toBe(403);
    const logFile = h.service.paths.logFile;
    expect(fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '').not.toContain(h.token);
  });

  it('refuses payload attacks over HTTP and leaves the database as it was', async () => {
    const headers = { 'x-omr-token': h.token, host: `127.0.0.1:${port}`, 'content-type': 'application/json' };
    const bodies: [string, string][] = [
      ['training:start', '{"overrides":["training={__proto__: {execArgv: [--eval, 1]}}"]}'],
      ['import:run', '{"catalogs":["/etc/passwd"],"histories":[]}'],
      ['profile:get', '{"profileId": {"__proto__": {"x": 1}}}'],
      ['profile:get', '{not json'],
      ['profile:get', '['.repeat(5000) + ']'.repeat(5000)],
      ['training:serve', '{"runId": 1}'],
      ['settings:reset', '{"confirm": "reset"}'],
      ['import:files', '{"kind":"history","files":[{"name":"../../models/run-0001/best/weights.bin","base64":"AAAA"}]}'],
      ['evaluation:run', '{"runId": "1; DROP TABLE tracks"}'],
    ];
    for (const [channel, body] of bodies) {
      const r = await request(port, { method: 'POST', path: `/api/${channel}`, headers, body });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).ok, `${channel} ${body.slice(0, 40)}`).toBe(false);
      expect(r.body).not.toMatch(/root:/);
    }
    expect(({} as Record<string, unknown>).execArgv).toBeUndefined();
    expect(snapshot(h.service.lib.sqlite)).toBe(before);
    expect(modelsDigest()).toBe(modelsBefore);
    expect((await request(port, { path: '/', headers: { host: `127.0.0.1:${port}` } })).status).toBe(200);
  });
});
