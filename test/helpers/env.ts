import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configureLogging } from '../../src/main/logging';
import { sharedDir } from '../../src/main/paths';

configureLogging({ quiet: true });

/** The real data beside the checkout (`../shared`, or $SHARED_DIR). */
export const SHARED = sharedDir();
export const HAS_SHARED = fs.existsSync(path.join(SHARED, 'data', 'catalog', 'spotify_tracks_114k.csv'));
export const SKIP_SHARED_REASON = `real data not found at ${SHARED} (set SHARED_DIR); these tests read real exports from it`;
if (!HAS_SHARED) console.warn(`skipping tests on real data: ${SKIP_SHARED_REASON}`);

export const data = (...p: string[]) => path.join(SHARED, 'data', ...p);

const made: string[] = [];

/** A fresh folder under the system's temporary one, removed after the test file (test/setup.ts). */
export function tmpDir(prefix = 'omr-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes the folders tmpDir made so far (a test run would otherwise leave gigabytes behind). */
export function removeTmpDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
