/**
 * Where the app finds its shipped resources (default configs, migrations) and keeps its data.
 * Works from the source tree (tsx scripts, tests), from the electron-vite bundle in `out/`, and
 * from a packaged app (`process.resourcesPath`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function candidates(rel: string): string[] {
  const list: string[] = [];
  const resourcesPath = (process as unknown as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) list.push(path.join(resourcesPath, rel));
  // Walk up from this file to the repository / app root.
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    list.push(path.join(dir, rel));
    dir = path.dirname(dir);
  }
  list.push(path.join(process.cwd(), rel));
  return list;
}

/** Absolute path of a shipped resource directory such as `configs` or `migrations`. */
export function resourceDir(rel: string, marker?: string): string {
  for (const c of candidates(rel)) {
    if (fs.existsSync(marker ? path.join(c, marker) : c)) return c;
  }
  throw new Error(`cannot find the resource folder "${rel}" (looked in ${candidates(rel).join(', ')})`);
}

export const configsDir = () => resourceDir('configs', 'model_config.yaml');
export const migrationsDir = () => resourceDir(path.join('src', 'main', 'db', 'migrations'), path.join('meta', '_journal.json'));

/** The per-user data folder: database, models, logs, user configs. */
export function defaultDataDir(): string {
  if (process.env.OMR_DATA_DIR) return path.resolve(process.env.OMR_DATA_DIR);
  const home = os.homedir();
  const name = 'offline-music-recommender';
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), name);
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', name);
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), name);
}

export interface DataPaths {
  root: string;
  db: string;
  models: string;
  logs: string;
  logFile: string;
  userConfigs: string;
  runs: string;
}

export function dataPaths(root = defaultDataDir()): DataPaths {
  return {
    root,
    db: path.join(root, 'library.sqlite'),
    models: path.join(root, 'models'),
    logs: path.join(root, 'logs'),
    logFile: path.join(root, 'logs', 'main.log'),
    userConfigs: path.join(root, 'config'),
    runs: path.join(root, 'runs'),
  };
}

/** The folder with the shared real data (`../shared` beside the checkout), configurable. */
export function sharedDir(): string {
  if (process.env.SHARED_DIR) return path.resolve(process.env.SHARED_DIR);
  return path.resolve(path.dirname(resourceDir('package.json')), '..', 'shared');
}

/**
 * The file of a worker entry point: the TypeScript source when running from the source tree
 * (scripts, tests, the browser harness under tsx), the bundled .js in the built app.
 */
export function workerFile(name: string): string {
  const bundled = path.join(__dirname, `${name}.js`);
  if (fs.existsSync(bundled)) return bundled;
  const source = path.join(resourceDir(path.join('src', 'main', 'workers'), `${name}.ts`), `${name}.ts`);
  return source;
}
