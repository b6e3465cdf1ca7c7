/**
 * A process the kill tests SIGKILL at random moments. Modes:
 *  - checkpoint DIR: writes model-like folders to DIR with writeDirAtomic in a loop (weights
 *    checksummed in the manifest), printing "ready" after the first one.
 *  - import DB FILE: imports the history FILE into the library DB (one transaction), printing
 *    "ready" when it starts and "done" when it has committed.
 *  - train DB RUNDIR: trains a small model on the synthetic library in DB (created if missing),
 *    checkpointing best/ and last/ every epoch, printing "ready" after the first checkpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { openLibrary } from '../../src/main/db';
import { configureLogging } from '../../src/main/logging';
import { writeDirAtomic } from '../../src/main/recommender/models/io';
import { runImport } from '../../src/main/services/import-service';
import { loadConfig } from '../../src/main/config';
import { generateSyntheticLibrary } from '../../src/main/recommender/data/synthetic';
import { prepareData } from '../../src/main/recommender/data/pipeline';
import { train } from '../../src/main/recommender/training/trainer';

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
  } else if (mode === 'train') {
    const lib = openLibrary(a);
    if (!(lib.sqlite.prepare('SELECT count(*) FROM tracks').pluck().get() as number)) generateSyntheticLibrary(lib, { seed: 5, tracks: 400, profiles: 6, eventsPerProfile: 150 });
    const config = loadConfig({ overrides: ['training.epochs=200', 'training.early_stopping.enabled=false', 'training.batch_size=256', 'logging.tensorboard=false'] }).config;
    const prep = prepareData(lib, config);
    let said = false;
    await train({
      config, prepared: prep, runDir: b, resume: true,
      onProgress: (p) => {
        if (!said && p.phase === 'train' && p.step === p.steps && p.epoch >= 1) {
          said = true;
          process.stdout.write('ready\n');
        }
      },
    });
  } else if (mode === 'import') {
    const lib = openLibrary(a);
    process.stdout.write('ready\n');
    await runImport(lib, { histories: [b], profile: 'killed' });
    lib.close();
    process.stdout.write('done\n');
  }
}
void main();
