/**
 * npm run bench:train -- [--backend auto|wasm|cpu|tensorflow|tensorflow-gpu] [--batch 2048] [--steps 50] [--reps 3] [--no-torch]
 *
 * When python3 with torch is installed (Debian: apt-get install python3-torch), the same model is
 * then trained in PyTorch on the CPU (scripts/bench/wtrain_torch.py) in the same run, and the line
 * carries both figures and their ratio — the comparison REFERENCE.md asks for.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { configureLogging } from '../src/main/logging';
import { runWTrain } from './lib/wtrain';
import type { BackendChoice } from '../src/main/recommender/backend';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    batch: { type: 'string', default: '2048' },
    steps: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
    'no-torch': { type: 'boolean', default: false },
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
  const torch = values['no-torch'] ? null : pytorch();
  if (torch) process.stderr.write(`W-TRAIN in PyTorch ${torch.torch} (${torch.threads} threads): ${torch.rep_examples_per_s.join(', ')} examples/s per repetition\n`);
  console.log(
    JSON.stringify({
      ...r,
      ...(torch ? { pytorch_examples_per_s: torch.examples_per_s, pytorch_reps: torch.rep_examples_per_s, pytorch: torch.torch, vs_pytorch: +(r.examples_per_s / torch.examples_per_s).toFixed(3) } : {}),
      node: process.version,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
    }),
  );
})();

/** PyTorch's figure for the same workload, or null (with a note) where python3 / torch is missing. */
function pytorch(): { examples_per_s: number; rep_examples_per_s: number[]; torch: string; threads: number } | null {
  const script = path.join(__dirname, 'bench', 'wtrain_torch.py');
  const args = [script, '--batch', values.batch!, '--steps', values.steps!, '--warmup', values.warmup!, '--reps', values.reps!];
  let why = '';
  // The first python3 on PATH may be another installation (pyenv) than the one Debian's torch is for.
  for (const python of [process.env.PYTHON ?? 'python3', '/usr/bin/python3']) {
    const r = spawnSync(python, args, { encoding: 'utf8' });
    if (!r.error && r.status === 0) return JSON.parse(r.stdout.trim().split('\n').pop()!);
    why = r.error?.message ?? r.stderr.trim().split('\n').pop() ?? '';
  }
  process.stderr.write(`PyTorch comparison skipped: ${why} (install python3-torch to run it)\n`);
  return null;
}
