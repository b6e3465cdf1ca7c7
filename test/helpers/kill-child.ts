/**
 * A process the kill tests SIGKILL at random moments. Modes:
 *  - checkpoint DIR: writes model-like folders to DIR with writeDirAtomic in a loop (weights
 *    checksummed in the manifest), printing "ready" after the first one.
 *  - import DB FILE: imports the history FILE into the library DB (one transaction), printing
 *    "ready" when it starts and "done" when it has committed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { openLibrary } from '../../src/main/db';
import { configureLogging } from '../../src/main/logging';
import { writeDirAtomic } from '../../src/main/recommender/models/io';
import { runImport } from '../../src/main/services/import-service';

configureLogging({ quiet: true, level: 'ERROR' });
const [mode, a, b] = process.argv.slice(2);

async function main(): Promise<void> {
  if (mode === 'checkpoint') {
    for (let i = 0; ; i++) {
      const weights = randomBytes(1 << 20);
      const sha = createHash('sha256').update(weights).digest('hex');
      writeDirAtomic(a, { 'weights.bin': weights, 'optimizer.bin': randomBytes(1 << 19), 'manifest.json': JSON.stringify({ sha, i }) });
      if (i === 0) process.stdout.write('ready\n');
    }
  } else if (mode === 'import') {
    const lib = openLibrary(a);
    process.stdout.write('ready\n');
    await runImport(lib, { histories: [b], profile: 'killed' });
    lib.close();
    process.stdout.write('done\n');
  }
}
void main();
