/** npm run bench:train -- [--backend auto|wasm|cpu|tensorflow|tensorflow-gpu] [--batch 2048] [--steps 50] [--reps 3] */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { configureLogging } from '../src/main/logging';
import { runWTrain } from '../src/main/recommender/bench/wtrain';
import type { BackendChoice } from '../src/main/recommender/backend';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    batch: { type: 'string', default: '2048' },
    steps: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
  },
});
configureLogging({ level: 'WARNING' });

void (async () => {
  const r = await runWTrain({
    backend: values.backend as BackendChoice,
    batch: Number(values.batch),
    steps: Number(values.steps),
    warmup: Number(values.warmup),
    reps: Number(values.reps),
    seed: 1,
  });
  process.stderr.write(`W-TRAIN on ${r.backend}: ${r.rep_examples_per_s.join(', ')} examples/s per repetition\n`);
  console.log(JSON.stringify({ ...r, node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model }));
})();
