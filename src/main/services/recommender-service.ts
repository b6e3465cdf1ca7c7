/**
 * Keeps one Recommender (model, item vectors) per library and rebuilds it when the serving
 * model or the catalogue changes — after a retraining, a catalogue import, or a switch of model.
 */
import { dbVersion, versions, type Library } from '../db';
import { initBackend, type BackendChoice } from '../recommender/backend';
import { Recommender } from '../recommender/inference/recommender';
import { getLogger } from '../logging';
import { servingModelDir } from './model-service';

const log = getLogger('recommender');

interface Entry {
  key: string;
  /** The model finished opening. */
  open: boolean;
  /** dbVersion when the key was last checked: unchanged, the key cannot have changed either. */
  seen: string;
  /** Shared by every request that arrives while the model opens. */
  ready: Promise<Recommender>;
}

const cache = new WeakMap<Library, Entry>();

function keyOf(lib: Library, dir: string): string {
  return `${dir}|${versions.catalogueVersion(lib.sqlite)}`;
}

/** The recommender for the serving model, or null before the first training. */
export async function recommenderFor(lib: Library, backend: BackendChoice = 'auto'): Promise<Recommender | null> {
  // The key costs a scan of the tracks table; skip it while nothing was written.
  const seen = dbVersion(lib.sqlite);
  const hit = cache.get(lib);
  if (hit?.seen === seen) return hit.ready;
  const dir = servingModelDir(lib);
  if (!dir) return null;
  const key = keyOf(lib, dir);
  if (hit?.key === key) {
    hit.seen = seen;
    return hit.ready;
  }
  if (hit) void hit.ready.then((r) => r.dispose(), () => undefined);
  const ready = (async () => {
    await initBackend(backend);
    const t0 = performance.now();
    const rec = await Recommender.openAsync(lib, dir);
    log.info(`opened the serving model ${dir} over ${rec.catalogSize} tracks in ${Math.round(performance.now() - t0)} ms`);
    return rec;
  })();
  const entry: Entry = { key, seen, ready, open: false };
  cache.set(lib, entry);
  ready.then(() => (entry.open = true), () => undefined);
  // A failed open is not kept: the next request tries again.
  ready.catch(() => {
    if (cache.get(lib) === entry) cache.delete(lib);
  });
  return ready;
}

/** Whether a serving model is open (and current as of the last request) for this library. */
export function recommenderOpen(lib: Library): boolean {
  return cache.get(lib)?.open ?? false;
}

export function dropRecommender(lib: Library): void {
  const e = cache.get(lib);
  cache.delete(lib);
  void e?.ready.then((r) => r.dispose(), () => undefined);
}
