import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Static } from '@sinclair/typebox';
import { CHANNELS, REQUEST_SCHEMAS, type Req } from '../../src/shared/ipc';
import { APP_CONFIG_SCHEMA, type AppConfig } from '../../src/shared/config-schema';
import { dispatch } from '../../src/main/ipc/handlers';
import { AppService } from '../../src/main/services/app-service';
import { HAS_SHARED, data, tmpDir } from '../helpers/env';
import { snapshot } from '../helpers/fixtures';

describe('the typed contract at the main-process boundary', () => {
  it('has a request schema and a handler for every channel', () => {
    const service = new AppService(tmpDir(), () => {}, { quiet: true });
    const handlers = service.handlers();
    for (const c of CHANNELS) {
      expect(REQUEST_SCHEMAS[c], c).toBeDefined();
      expect(handlers[c], c).toBeTypeOf('function');
    }
    service.close();
  });

  it('derives every request type and the configuration type from the schema that checks it (one declaration)', () => {
    // Checked by the type-checker (`npm run typecheck` includes the tests): the types *are* the schemas.
    expectTypeOf<Req<'recommend:feedback'>>().toEqualTypeOf<Static<(typeof REQUEST_SCHEMAS)['recommend:feedback']>>();
    expectTypeOf<AppConfig>().toEqualTypeOf<Static<typeof APP_CONFIG_SCHEMA>>();
    expectTypeOf<Req<'recommend:feedback'>['kind']>().toEqualTypeOf<'like' | 'dislike' | 'never_artist'>();
    expectTypeOf<AppConfig['model']['prediction']>().toEqualTypeOf<'dot' | 'concat'>();
    // A field the schema does not have is not part of the type either.
    // @ts-expect-error — `rating` is not in the recommend:feedback schema
    const extra: Req<'recommend:feedback'> = { profileId: 1, kind: 'like', rating: 5 };
    // @ts-expect-error — `profileId` is an integer in the schema, so a number in the type
    const wrong: Req<'profile:get'> = { profileId: '1' };
    expect([extra, wrong]).toHaveLength(2);
  });

  it('rejects malformed payloads without touching the database', async () => {
    const dir = tmpDir();
    const service = new AppService(dir, () => {}, { quiet: true });
    const handlers = service.handlers();
    service.lib.sqlite.prepare("INSERT INTO profiles (name) VALUES ('ana')").run();
    const before = snapshot(service.lib.sqlite);
    const bad: [string, unknown][] = [
      ['profile:update', { profileId: 1, age: 'old', gender: null, country: null }],
      ['profile:update', { profileId: 1, age: 30, gender: null, country: 'Spain' }],
      ['profile:update', { profileId: -3, age: 30, gender: null, country: null }],
      ['recommend:feedback', { profileId: 1, kind: 'love', trackId: 1 }],
      ['recommend:feedback', { profileId: 1, kind: 'like' }],
      ['import:run', { catalogs: 'x.csv', histories: [] }],
      ['import:run', { catalogs: [], histories: [] }],
      ['import:files', { kind: 'history', files: [{ name: '../../etc/passwd', base64: '' }] }],
      ['import:files', { kind: 'history', files: [{ name: '..', base64: 'AAAA' }] }],
      ['import:files', { kind: 'history', files: [{ name: '.', base64: 'AAAA' }] }],
      ['training:start', { overrides: ['rm -rf /'] }],
      ['settings:set', { logLevel: 'LOUD' }],
      ['profile:get', 'malformed JSON'],
      ['recommend:list', { profileId: 1, options: { k: 0 } }],
      ['recommend:list', { profileId: 1, options: { sneaky: true } }],
    ];
    for (const [channel, payload] of bad) {
      const r = await dispatch(handlers, channel as never, payload);
      expect(r.ok, `${channel} ${JSON.stringify(payload)}`).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid_request');
        expect(r.error.message.startsWith(`${channel}: `)).toBe(true);
      }
    }
    expect(snapshot(service.lib.sqlite)).toBe(before);
    // A well-formed request goes through and does change the database.
    const ok = await dispatch(handlers, 'profile:update', { profileId: 1, age: 30, gender: null, country: 'es' });
    expect(ok).toMatchObject({ ok: true, value: { age: 30, country: 'ES' } });
    expect(snapshot(service.lib.sqlite)).not.toBe(before);
    // Handler failures come back as typed errors, not exceptions.
    const missing = await dispatch(handlers, 'profile:get', { profileId: 999 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'failed', message: 'no profile with id 999' } });
    expect(path.isAbsolute(service.paths.db)).toBe(true);
    // Reset needs its confirmation word, then leaves an empty, working library.
    expect((await dispatch(handlers, 'settings:reset', {})).ok).toBe(false);
    expect((await dispatch(handlers, 'settings:reset', { confirm: 'RESET' })).ok).toBe(true);
    const stats = await dispatch(handlers, 'library:stats', {});
    expect(stats).toMatchObject({ ok: true, value: { tracks: 0, events: 0, profiles: [] } });
    service.close();
  });
});

describe.skipIf(!HAS_SHARED)('long work in the worker', () => {
  it('imports uploaded files, two with one name both', async () => {
    const service = new AppService(tmpDir(), () => {}, { quiet: true });
    const handlers = service.handlers();
    const upload = (day: number) => ({
      name: 'StreamingHistory0.json',
      base64: Buffer.from(JSON.stringify([1, 2, 3].map((h) => ({ endTime: `2023-01-0${day} 1${h}:00`, artistName: 'Rachel Platten', trackName: 'Fight Song', msPlayed: 200000 })))).toString('base64'),
    });
    const r = await dispatch(handlers, 'import:files', { kind: 'history', profile: 'ana', files: [upload(1), upload(2)] });
    expect(r).toMatchObject({ ok: true, value: { events: 6, imported: 6 } });
    // The report and errors name an upload by its own name, not the temporary folder it was read from.
    if (r.ok) expect(r.value.files.map((f) => f.path)).toEqual(['StreamingHistory0.json', 'StreamingHistory0.json']);
    const broken = { name: 'StreamingHistory1.json', base64: Buffer.from('[{"endTime": "2023-01-01 10:00", "artistName": "A"},\n{"endTime": ').toString('base64') };
    expect(await dispatch(handlers, 'import:files', { kind: 'history', profile: 'ana', files: [broken] })).toMatchObject({
      ok: false, error: { message: 'StreamingHistory1.json (record 2 starting at line 2): the file ends inside this record (truncated?)' },
    });
    service.close();
  });

  it('cancels an import half-way and leaves the library as it was; renderer logs reach the log file', async () => {
    // The import's progress events, as the window receives them.
    const progress: { event: string; payload: { bytesDone?: number; bytesTotal?: number } }[] = [];
    const service = new AppService(tmpDir(), (event, payload) => progress.push({ event, payload: payload as (typeof progress)[number]['payload'] }), { quiet: true });
    const handlers = service.handlers();
    const before = snapshot(service.lib.sqlite);
    service.grant([data('catalog')]);
    const running = dispatch(handlers, 'import:run', { catalogs: [data('catalog', 'spotify_tracks_114k.csv')], histories: [] });
    const seen = () => progress.filter((p) => p.event === 'import:progress').length;
    await expect.poll(seen, { timeout: 30_000, interval: 100 }).toBeGreaterThan(1);
    expect(await dispatch(handlers, 'import:cancel', {})).toMatchObject({ ok: true, value: { cancelled: true } });
    expect(await running).toMatchObject({ ok: false, error: { message: 'the import was cancelled; nothing was changed' } });
    expect(snapshot(service.lib.sqlite)).toBe(before);
    // The window saw the import move before it was cancelled: progress events from the worker, growing.
    const done = progress.filter((p) => p.event === 'import:progress').map((p) => p.payload.bytesDone ?? 0);
    expect(done.length).toBeGreaterThan(1);
    expect(done[done.length - 1]).toBeGreaterThan(done[0]);
    await dispatch(handlers, 'log:write', { level: 'WARNING', message: 'renderer says hello' });
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.readFileSync(service.paths.logFile, 'utf8')).toMatch(/\[WARNING\] \(renderer\) renderer says hello/);
    service.close();
  });
});
