/**
 * npm run evaluate:real -- [--data ../shared/data] [--quick] [--json] [--out DIR]
 * Real listeners, time-split, the two-tower model against every baseline on discovery and all plays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadAndLogConfig } from '../src/main/config';
import { configureLogging, getLogger } from '../src/main/logging';
import { resourceDir, sharedDir } from '../src/main/paths';
import { REPORT_METRICS, evaluateReal, type RealEvaluation } from '../src/main/services/evaluation-service';
import { barChartSvg, markdownTable, reportDir } from '../src/main/services/report-writer';
import { main, metricsTable, parse, rounded } from './lib/cli';

const USAGE = `Usage: npm run evaluate:real -- [--data DIR] [--quick] [--json] [--out DIR] [--set key=value …]

DIR is laid out like ../shared/data: catalog/*.csv and histories/spotify-account/<person>/.
--quick trains fewer epochs and bootstraps less (for CI). The report goes to reports/<date>/.`;

void main(async () => {
  const v = parse({ data: { type: 'string' }, quick: { type: 'boolean', default: false }, out: { type: 'string' } }, USAGE);
  configureLogging({ level: 'INFO' });
  const quick = v.quick ? ['training.epochs=4', 'evaluation.bootstrap.samples=200'] : [];
  const { config } = loadAndLogConfig({ layers: v.config ?? [], overrides: [...quick, 'preprocessing.split.test_fraction=0.2', 'preprocessing.split.validation_fraction=0.1', ...(v.set ?? [])] });
  const dataDir = path.resolve(v.data ?? path.join(sharedDir(), 'data'));
  const log = getLogger('evaluate:real');
  const r = await evaluateReal({ dataDir, config, onStage: (s) => log.info(s) });
  const dir = reportDir(path.resolve(v.out ?? path.dirname(resourceDir('package.json'))));
  writeReport(dir, r);
  for (const task of ['discovery', 'all_plays'] as const) {
    const t = r.tasks[task];
    process.stdout.write(`\n${task} (${t.users} people):\n`);
    process.stdout.write(metricsTable(Object.entries(t.rankers).map(([ranker, x]) => ({ ranker, metrics: x.metrics })), [...REPORT_METRICS]) + '\n');
  }
  process.stdout.write(`\nReport: ${dir} (${r.seconds.toFixed(0)} s)\n`);
  if (v.json) {
    const pick = (m: Record<string, number>) => rounded(Object.fromEntries(REPORT_METRICS.filter((k) => k in m).map((k) => [k, m[k]])));
    const json = Object.fromEntries(
      (['discovery', 'all_plays'] as const).map((task) => [task, Object.fromEntries(Object.entries(r.tasks[task].rankers).map(([n, x]) => [n, pick(x.metrics)]))]),
    );
    process.stdout.write(JSON.stringify({ ...json, people: r.people, seconds: +r.seconds.toFixed(1) }) + '\n');
  }
});

function writeReport(dir: string, r: RealEvaluation): void {
  fs.writeFileSync(path.join(dir, 'real.json'), JSON.stringify({ ...r, tasks: Object.fromEntries(Object.entries(r.tasks).map(([k, t]) => [k, { ...t, rankers: Object.fromEntries(Object.entries(t.rankers).map(([n, x]) => [n, { metrics: x.metrics, ci: x.ci }])) }])) }, null, 1));
  const lines: string[] = [`# Evaluation on real listeners — ${r.generatedAt.slice(0, 10)}`, '', `Data: \`${r.data}\` — ${r.people} people, ${r.events.toLocaleString('en-US')} listening events (${(r.trackMatch * 100).toFixed(1)} % matched to a catalogue track).`, '', `**Protocol.** ${r.protocol}`, '', `Model trained ${r.training.epochs} epochs (best ${r.training.bestEpoch}) on ${r.training.backend} in ${r.training.seconds.toFixed(0)} s.`, ''];
  for (const task of ['discovery', 'all_plays'] as const) {
    const t = r.tasks[task];
    const names = Object.keys(t.rankers);
    const best = names.filter((n) => n !== 'two_tower').reduce((b, n) => (t.rankers[n].metrics['ndcg@10'] > (t.rankers[b]?.metrics['ndcg@10'] ?? -1) ? n : b), '');
    const tt = t.rankers.two_tower?.metrics['ndcg@10'] ?? NaN;
    const bb = t.rankers[best]?.metrics['ndcg@10'] ?? NaN;
    lines.push(`## ${task === 'discovery' ? 'Discovery' : 'All plays'} (${t.users} people)`, '');
    lines.push(`Two-tower NDCG@10 ${tt.toFixed(4)} vs best baseline (${best}) ${bb.toFixed(4)}: ${bb > 0 ? `${(((tt - bb) / bb) * 100).toFixed(0)} %` : 'n/a'}.`, '');
    lines.push(markdownTable(['metric', ...names], REPORT_METRICS.map((m) => [m, ...names.map((n) => t.rankers[n].metrics[m])])), '');
    lines.push(`![${task} NDCG@10](${task}-ndcg10.svg)`, '');
    const bars = names.map((n) => ({ label: n, value: t.rankers[n].metrics['ndcg@10'], lo: t.rankers[n].ci['ndcg@10']?.[0], hi: t.rankers[n].ci['ndcg@10']?.[1], highlight: n === 'two_tower' }));
    fs.writeFileSync(path.join(dir, `${task}-ndcg10.svg`), barChartSvg(`${task}: NDCG@10 (95 % CI)`, bars));
  }
  fs.writeFileSync(path.join(dir, 'real.md'), lines.join('\n') + '\n');
}
