/** npm run evaluate -- [--db FILE] [--run ID] [--json] */
import { openLibrary } from '../src/main/db';
import { evaluateModel, getRun, servingModelDir } from '../src/main/services/model-service';
import { main, metricsTable, parse, rounded, setup } from './lib/cli';

const USAGE = `Usage: npm run evaluate -- [--db FILE] [--run ID] [--config …] [--set …] [--json]

Measures the serving model (or run ID) on each person's held-out test period against the
baselines, with every metric of evaluation_config.yaml; --json ends with one JSON line.`;

void main(async () => {
  const v = parse({ run: { type: 'string' } }, USAGE);
  const ctx = setup(v);
  const lib = openLibrary(ctx.dbPath);
  try {
    const dir = v.run ? getRun(lib, Number(v.run))?.modelPath : servingModelDir(lib);
    if (!dir) throw new Error(v.run ? `no run ${v.run}` : 'no trained model yet: run `npm run train` first');
    const report = await evaluateModel(lib, ctx.loaded.config, dir);
    const ks = ctx.loaded.config.evaluation.k_values;
    const names = [
      ...ks.flatMap((k) => [`ndcg@${k}`, `hit_rate@${k}`, `map@${k}`, `precision@${k}`, `recall@${k}`]),
      'mrr', 'auc', 'precision', 'recall', 'f1', 'accuracy', `diversity@10`, `coverage@10`, `serendipity@10`,
    ];
    process.stdout.write(`Test period of ${report.users} people (${report.backend ?? '?'} backend), model ${dir}\n`);
    process.stdout.write(metricsTable(report.results, names) + '\n');
    if (v.json) {
      const out: Record<string, unknown> = Object.fromEntries(report.results.map((r) => [r.ranker, rounded(r.metrics)]));
      out.users = report.users;
      out.ci = Object.fromEntries(report.results.map((r) => [r.ranker, Object.fromEntries(Object.entries(r.ci).map(([k, c]) => [k, [+c.lo.toFixed(4), +c.hi.toFixed(4)]]))]));
      process.stdout.write(JSON.stringify(out) + '\n');
    }
  } finally {
    lib.close();
  }
});
