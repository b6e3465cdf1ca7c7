/**
 * npm run serve -- [--data-dir DIR] [--port N] [--allow PATH …] [--pick KIND=PATH …]: the built
 * renderer and the real services on 127.0.0.1 with a random token (the browser harness used by
 * the end-to-end tests). A browser has no file chooser that gives the main process a path:
 * --allow names the files or folders the page may import by path (uploads always work), and
 * --pick history|catalog|community=PATH is what the page's "Choose…" buttons receive.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startHarness, type HarnessPicks } from '../src/main/harness/server';
import { dataPaths, resourceDir } from '../src/main/paths';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, allow: { type: 'string', multiple: true }, pick: { type: 'string', multiple: true } } });
const pick: HarnessPicks = {};
for (const p of values.pick ?? []) {
  const m = /^(history|catalog|community)=(.+)$/.exec(p);
  if (!m) throw new Error(`--pick ${p}: expected history=PATH, catalog=PATH or community=PATH`);
  (pick[m[1] as keyof HarnessPicks] ??= []).push(path.resolve(m[2]));
}
void (async () => {
  const h = await startHarness({
    dataDir: dataPaths(values['data-dir'] ? path.resolve(values['data-dir']) : undefined).root,
    rendererDir: path.join(path.dirname(resourceDir('package.json')), 'out', 'renderer'),
    port: values.port ? Number(values.port) : 0,
    pick,
  });
  h.service.grant(values.allow ?? []);
  process.stdout.write(`Open ${h.url}\n`);
  const stop = () => void h.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
})();
