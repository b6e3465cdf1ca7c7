/**
 * npm run evaluate:real -- [--data ../shared/data] [--alone] [--seeds N] [--quick] [--json] [--out DIR]
 * Real listeners, time-split, the two-tower model against every baseline on discovery and all plays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadAndLogConfig, loadConfig } from '../src/main/config';
import { configureLogging, getLogger } from '../src/main/logging';
import { resourceDir, sharedDir } from '../src/main/paths';
import { REPORT_METRICS, evaluateReal, type RealEvaluation } from '../src/main/services/evaluation-service';
import { barChartSvg, epochLabel, markdownTable, reportDir } from '../src/main/recommender/evaluation/report';
import { main, metricsTable, parse, rounded } from './lib/cli';
import { SEED_TASKS, meanPeople, summariseSeeds, type SeedPerson, type SeedRun, type SeedTask, type SeedTaskSummary } from '../src/main/recommender/evaluation/seeds';

const USAGE = `Usage: npm run evaluate:real -- [--data DIR] [--alone] [--community PATH …] [--seeds N] [--first-seed S] [--quick] [--json] [--out DIR] [--set key=value …]

DIR is laid out like ../shared/data: catalog/*.csv and histories/spotify-account/<person>/.
Together (the default) one library holds everyone; --alone puts each person in a library of their
own (the catalogues and their export), trains and evaluates each separately. Both report the
average over people and each person's own result.
--community PATH adds public listening data (MPD slices, a HetRec folder) after the catalogues.
--quick trains fewer epochs and bootstraps less (for CI). --analysis adds permutation feature
importance and ablations (one retraining each); --search runs the successive-halving
hyperparameter search of evaluation_config.yaml. The report goes to reports/<date>/.
--seeds N runs the whole protocol N times, from seed S (--first-seed; default training.seed) on:
each seed's report goes to reports/<date>/seed-<seed>/, and real-seeds.md (and --json) give the
means over seeds and each seed's model against its best baseline. With a handful of people one
seed's figure moves a lot with the draw.`;

/** The most seeds one command runs (each is a full protocol run). */
const MAX_SEEDS = 50;

void main(async () => {
  const v = parse(
    {
      data: { type: 'string' }, alone: { type: 'boolean', default: false }, community: { type: 'string', multiple: true }, quick: { type: 'boolean', default: false }, out: { type: 'string' },
      analysis: { type: 'boolean', default: false }, search: { type: 'boolean', default: false }, seeds: { type: 'string' }, 'first-seed': { type: 'string' },
    },
    USAGE,
  );
  configureLogging({ level: 'INFO' });
  const seeds = countOption('--seeds', v.seeds ?? '1', 1, MAX_SEEDS);
  if (seeds > 1 && (v.analysis || v.search)) throw new Error('--seeds runs the protocol only; --analysis and --search take one seed');
  const quick = v.quick ? ['training.epochs=4', 'evaluation.bootstrap.samples=200'] : [];
  const base = [...quick, 'preprocessing.split.test_fraction=0.2', 'preprocessing.split.validation_fraction=0.1', ...(v.set ?? [])];
  const { config: first } = loadAndLogConfig({ layers: v.config ?? [], overrides: base });
  const firstSeed = v['first-seed'] === undefined ? first.training.seed : countOption('--first-seed', v['first-seed'], 0, 2 ** 31 - 1);
  // Every seed of the range must be one training.seed accepts, before the first run starts.
  if (firstSeed + seeds - 1 > 2 ** 31 - 1) throw new Error(`--first-seed ${firstSeed} with --seeds ${seeds} goes past the largest seed, ${2 ** 31 - 1}`);
  const dataDir = path.resolve(v.data ?? path.join(sharedDir(), 'data'));
  const log = getLogger('evaluate:real');
  const dir = reportDir(path.resolve(v.out ?? path.dirname(resourceDir('package.json'))));
  const runs: { seed: number; r: RealEvaluation }[] = [];
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    // The seed as the last override, so that --set training.seed cannot contradict --first-seed.
    const overrides = v['first-seed'] === undefined && seeds === 1 ? base : [...base, `training.seed=${seed}`];
    const config = loadConfig({ layers: v.config ?? [], overrides }).config;
    if (seeds > 1) log.info(`seed ${seed} (${seed - firstSeed + 1} of ${seeds})`);
    const r = await evaluateReal({
      dataDir, config, overrides, alone: v.alone, community: (v.community ?? []).map((c: string) => path.resolve(c)), analysis: v.analysis, search: v.search, onStage: (s) => log.info(s),
      loadConfig: (ov) => loadConfig({ layers: v.config ?? [], overrides: ov }).config,
    });
    runs.push({ seed, r });
    const seedDir = seeds > 1 ? path.join(dir, `seed-${seed}`) : dir;
    fs.mkdirSync(seedDir, { recursive: true });
    writeReport(seedDir, r);
    for (const task of ['discovery', 'all_plays'] as const) {
      const t = r.tasks[task];
      process.stdout.write(`\n${task} (${t.users} people${r.mode === 'alone' ? ', each alone' : ''}${seeds > 1 ? `, seed ${seed}` : ''}):\n`);
      process.stdout.write(metricsTable(Object.entries(t.rankers).map(([ranker, x]) => ({ ranker, metrics: x.metrics })), [...REPORT_METRICS]) + '\n');
    }
  }
  const seconds = runs.reduce((s, x) => s + x.r.seconds, 0);
  const pick = (m: Record<string, number>) => rounded(Object.fromEntries(REPORT_METRICS.filter((k) => k in m).map((k) => [k, m[k]])));
  const seedRuns: SeedRun[] = runs.map(({ seed, r }) => ({ seed, tasks: { discovery: metricsOf(r, 'discovery'), all_plays: metricsOf(r, 'all_plays') } }));
  const summary = seeds > 1 ? summariseSeeds(seedRuns) : undefined;
  if (summary) {
    const text = seedsReport(runs[0].r, summary, firstSeed, seeds);
    fs.writeFileSync(path.join(dir, 'real-seeds.md'), text);
    process.stdout.write(`\n${text}`);
  }
  process.stdout.write(`\nReport: ${dir} (${seconds.toFixed(0)} s)\n`);
  if (v.json) {
    // Over several seeds, their means; otherwise the one run's figures.
    const byRanker = (task: SeedTask) => (summary ? summary[task].means : seedRuns[0].tasks[task]);
    const tasks = Object.fromEntries(SEED_TASKS.map((task) => [task, Object.fromEntries(Object.entries(byRanker(task)).map(([n, m]) => [n, pick(m)]))]));
    const r = runs[0].r;
    const personRows = (ps: SeedPerson[]) =>
      ps.map((p) => ({ name: p.name, events: p.events, ...Object.fromEntries(SEED_TASKS.map((task) => [task, p.tasks[task] ? Object.fromEntries(Object.entries(p.tasks[task]!).map(([n, m]) => [n, pick(m)])) : null])) }));
    const perPerson = runs.every((x) => x.r.perPerson) ? runs.map((x) => x.r.perPerson!) : undefined;
    const people = perPerson ? personRows(summary ? meanPeople(perPerson) : perPerson[0]) : r.people;
    const bySeed = summary
      ? {
          seeds: seedRuns.map((s) => ({ seed: s.seed, ...Object.fromEntries(SEED_TASKS.map((task) => [task, Object.fromEntries(Object.entries(s.tasks[task]).map(([n, m]) => [n, +(m['ndcg@10'] ?? NaN).toFixed(4)]))])) })),
          summary: Object.fromEntries(SEED_TASKS.map((task) => [task, { model: +summary[task].meanModel.toFixed(4), best_baseline: +summary[task].meanBest.toFixed(4), ratio: +summary[task].ratio.toFixed(3), seeds_at_1_2x: summary[task].seedsAtLeast(1.2), seeds_at_1x: summary[task].seedsAtLeast(1) }])),
        }
      : {};
    process.stdout.write(JSON.stringify({ mode: r.mode, ...tasks, people, ...bySeed, seconds: +seconds.toFixed(1) }) + '\n');
  }
});

function countOption(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${name}: expected a whole number from ${min} to ${max}`);
  return n;
}

function metricsOf(r: RealEvaluation, task: SeedTask): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(r.tasks[task].rankers).map(([n, x]) => [n, x.metrics]));
}

/** The seeds' summary as Markdown: each seed's model against its best baseline, then every ranker's mean. */
function seedsReport(r: RealEvaluation, s: Record<SeedTask, SeedTaskSummary>, first: number, n: number): string {
  const lines = [`# Evaluation on real listeners over ${n} seeds (${first}–${first + n - 1}) — ${r.generatedAt.slice(0, 10)}`, '', `Data: \`${r.data}\` — ${r.people} people, ${r.mode}. Each seed is the whole protocol (training, ties, bootstrap) run again; its own report is in seed-<seed>/.`, ''];
  for (const task of SEED_TASKS) {
    const t = s[task];
    if (!t.perSeed.length) continue;
    lines.push(`## ${task === 'discovery' ? 'Discovery' : 'All plays'}: NDCG@10`, '');
    lines.push(markdownTable(['seed', 'two-tower', 'best baseline', 'its NDCG@10', 'ratio'], t.perSeed.map((x) => [String(x.seed), x.model, x.best, x.bestValue, Number.isFinite(x.ratio) ? `${x.ratio.toFixed(2)} ×` : 'n/a'])), '');
    lines.push(`Mean two-tower ${t.meanModel.toFixed(4)} against the mean of each seed's best baseline ${t.meanBest.toFixed(4)}: **${Number.isFinite(t.ratio) ? t.ratio.toFixed(2) : 'n/a'} ×**; at least 1.2 × on ${t.seedsAtLeast(1.2)} seed(s) of ${t.perSeed.length}, at least 1.0 × on ${t.seedsAtLeast(1)}.`, '');
    const names = Object.keys(t.means);
    lines.push(markdownTable(['metric (mean over seeds)', ...names], REPORT_METRICS.filter((m) => names.some((x) => m in t.means[x])).map((m) => [m, ...names.map((x) => t.means[x][m] ?? NaN)])), '');
  }
  return lines.join('\n') + '\n';
}

function writeReport(dir: string, r: RealEvaluation): void {
  fs.writeFileSync(path.join(dir, 'real.json'), JSON.stringify({ ...r, tasks: Object.fromEntries(Object.entries(r.tasks).map(([k, t]) => [k, { ...t, rankers: Object.fromEntries(Object.entries(t.rankers).map(([n, x]) => [n, { metrics: x.metrics, ci: x.ci }])) }])) }, null, 1));
  const lines: string[] = [`# Evaluation on real listeners — ${r.generatedAt.slice(0, 10)}`, '', `Data: \`${r.data}\` — ${r.people} people, ${r.events.toLocaleString('en-US')} listening events (${(r.trackMatch * 100).toFixed(1)} % matched to a catalogue track).`, '', `**Protocol.** ${r.protocol}`, '', r.mode === 'alone' ? `${r.people} models, one per person: ${r.training.epochs} epochs in all on ${r.training.backend}, ${r.training.seconds.toFixed(0)} s of training.` : `Model trained ${r.training.epochs} epochs (best ${epochLabel(r.training.bestEpoch)}) on ${r.training.backend} in ${r.training.seconds.toFixed(0)} s.`, ''];
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
  if (r.perPerson) {
    lines.push(r.mode === 'alone' ? '## Each person alone (NDCG@10)' : '## Each person, ranked by the one model (NDCG@10)', '');
    const rankers = Object.keys(r.tasks.discovery.rankers).length ? Object.keys(r.tasks.discovery.rankers) : Object.keys(r.tasks.all_plays.rankers);
    for (const task of ['discovery', 'all_plays'] as const) {
      lines.push(`### ${task === 'discovery' ? 'Discovery' : 'All plays'}`, '');
      lines.push(markdownTable(['person', 'events', ...rankers], r.perPerson.map((p) => [p.name, String(p.events), ...rankers.map((n) => p.tasks[task]?.[n]?.['ndcg@10'] ?? NaN)])), '');
    }
  }
  if (r.importance) {
    lines.push('## Permutation feature importance (discovery NDCG@10)', '', 'Each group is shuffled across people (or tracks) and the model re-evaluated; the drop is what the model loses without it.', '');
    lines.push(markdownTable(['feature group', 'NDCG@10 shuffled', 'drop'], [...r.importance].sort((a, b) => b.drop - a.drop).map((i) => [i.group, i.permuted, i.drop])), '');
    fs.writeFileSync(path.join(dir, 'importance.svg'), barChartSvg('Permutation importance: drop in discovery NDCG@10', [...r.importance].sort((a, b) => b.drop - a.drop).map((i) => ({ label: i.group.replace(/^(user|track): /, ''), value: Math.max(0, i.drop), highlight: true })), { width: 720, format: (x) => x.toFixed(4) }));
    lines.push('![importance](importance.svg)', '');
  }
  if (r.ablations) {
    lines.push('## Ablations (discovery, retrained)', '');
    lines.push(markdownTable(['variant', 'NDCG@10', 'HitRate@10', 'recall@50', 'MRR'], r.ablations.map((a) => [a.name, a.metrics['ndcg@10'], a.metrics['hit_rate@10'], a.metrics['recall@50'], a.metrics.mrr])), '');
  }
  if (r.search) {
    lines.push('## Hyperparameter search (successive halving, validation NDCG@10)', '');
    lines.push(`Budget ${r.search.minutes} min; best \`${r.search.best.join(' ') || 'defaults'}\` ${r.search.bestValid.toFixed(4)} vs defaults ${r.search.defaultValid.toFixed(4)} at the same budget.`, '');
    lines.push(markdownTable(['epochs', 'overrides', 'valid NDCG@10'], r.search.trials.map((t) => [String(t.epochs), t.overrides.join(' ') || 'defaults', t.valid])), '');
  }
  fs.writeFileSync(path.join(dir, 'real.md'), lines.join('\n') + '\n');
}
