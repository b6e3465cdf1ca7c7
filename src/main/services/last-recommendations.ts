/**
 * The last list each person was shown, kept in the serving model's folder under a key of
 * everything the list depends on — the model (folder, weights file), the catalogue, the person's
 * profile, listening and feedback, and the request's options. At the next start the window can
 * show it while the model is still opening: if the key still matches, the model would compute
 * the same list. Anything written since (a listen, a like, a retraining, an import) changes the
 * key, and the list is computed afresh.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dbVersion, versions, type Library } from '../db';
import { getLogger } from '../logging';
import type { Recommendation } from '../../shared/types';
import { weightsStamp } from '../recommender/inference/serving-snapshot';
import { servingModelDir } from './model-service';

const log = getLogger('recommender');
const DIR = 'last-recommendations';
const fileOf = (modelDir: string, profileId: number) => path.join(modelDir, DIR, `${profileId}.json`);

interface Stored {
  key: string;
  list: Recommendation[];
}

function keyOf(lib: Library, modelDir: string, profileId: number, options: unknown): string {
  const person = versions.profileVersion(lib.sqlite, profileId, 'all');
  return JSON.stringify([modelDir, weightsStamp(modelDir), versions.catalogueVersion(lib.sqlite), person, profileId, options ?? null]);
}

function read(modelDir: string, profileId: number): Stored | null {
  try {
    return JSON.parse(fs.readFileSync(fileOf(modelDir, profileId), 'utf8')) as Stored;
  } catch {
    return null;
  }
}

/** Written lists per library: the dbVersion and options they were written under. */
const written = new WeakMap<Library, Map<number, string>>();

/** The stored list when it is still what the model would return, else null. */
export function lastRecommendations(lib: Library, profileId: number, options: unknown): Recommendation[] | null {
  const dir = servingModelDir(lib);
  if (!dir) return null;
  const hit = read(dir, profileId);
  if (!hit || hit.key !== keyOf(lib, dir, profileId, options)) return null;
  return hit.list;
}

/**
 * Keeps `list` as the person's last list, once the current request has been answered: the key is
 * computed then (a few SQLite reads) if the database is still as the list saw it — otherwise the
 * list may already be stale and is not kept. Repeated requests on unchanged data write nothing.
 */
export function keepRecommendations(lib: Library, profileId: number, options: unknown, list: Recommendation[]): void {
  const version = dbVersion(lib.sqlite);
  const seen = `${version}|${JSON.stringify(options ?? null)}`;
  const mine = written.get(lib) ?? written.set(lib, new Map()).get(lib)!;
  if (mine.get(profileId) === seen) return;
  mine.set(profileId, seen);
  setImmediate(() => {
    let dir: string | null = null;
    try {
      if (!lib.sqlite.open || dbVersion(lib.sqlite) !== version) {
        mine.delete(profileId);
        return;
      }
      dir = servingModelDir(lib);
      if (!dir) return;
      const stored: Stored = { key: keyOf(lib, dir, profileId, options), list };
      const file = fileOf(dir, profileId);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(stored));
      fs.renameSync(`${file}.tmp`, file);
    } catch (e) {
      mine.delete(profileId);
      log.warning(`could not keep the last recommendations in ${dir ?? 'the model folder'}: ${(e as Error).message}`);
    }
  });
}
