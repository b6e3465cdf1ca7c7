/** npm run train -- [--db FILE] [--set training.epochs=10] [--resume RUN_ID] [--warm] [--json] */
import { openLibrary } from '../src/main/db';
import { trainRun } from '../src/main/services/model-service';
import { main, modelsDirFor, parse, rounded, setup } from './lib/cli';
import { ProgressBar } from './lib/progress';

const USAGE = `Usage: npm run train -- [--db FILE] [--config FILE|DIR] [--set key=value …] [--resume RUN_ID] [--warm] [--json]

Trains the two-tower model on the library's listening history (time-based split: the last part
of each person's listening is held out), keeps the best epoch by validation ${'ndcg@10'}, and makes
it the model that serves recommendations. --warm retrains quickly from the serving model (after new
listening or feedback: training.warm_start epochs, the serving model's feature space); without a
serving model it trains in full.`;

void main(async () => {
  const v = parse({ resume: { type: 'string' }, warm: { type: 'boolean', default: false } }, USAGE);
  const ctx = setup(v);
  const lib = openLibrary(ctx.dbPath);
  const bar = new ProgressBar('train');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    const t0 = performance.now();
    const { run, result } = await trainRun(lib, {
      config: ctx.loaded.config,
      modelsDir: modelsDirFor(ctx, Boolean(v.db)),
      signal: controller.signal,
      resumeRunId: v.resume ? Number(v.resume) : undefined,
      warm: v.warm,
      onProgress: (p) => {
        if (p.phase === 'train' || p.phase === 'validate') {
          const done = p.epoch * p.steps + p.step;
          bar.update(done, p.epochs * Math.max(1, p.steps), `epoch ${p.epoch + 1}/${p.epochs} ${p.phase === 'validate' ? 'validating' : `loss ${p.loss?.toFixed(4) ?? '…'}`}`);
        }
      },
    });
    bar.done();
    const best = result.epochs.find((e) => e.epoch === result.bestEpoch);
    const summary = {
      run_id: run.id,
      model_path: run.modelPath,
      backend: result.backend.name,
      epochs: result.epochs.length,
      best_epoch: result.bestEpoch + 1,
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      valid: rounded(best?.valid ?? {}),
    };
    process.stdout.write(
      `Run ${run.id} on ${result.backend.description}: ${result.epochs.length} epochs, best epoch ${result.bestEpoch + 1} ` +
        `(valid ndcg@10 ${best?.valid['ndcg@10']?.toFixed(4) ?? 'n/a'}, hit_rate@10 ${best?.valid['hit_rate@10']?.toFixed(4) ?? 'n/a'}). Model: ${run.modelPath}\n`,
    );
    if (v.json) process.stdout.write(JSON.stringify(summary) + '\n');
  } finally {
    lib.close();
  }
});
