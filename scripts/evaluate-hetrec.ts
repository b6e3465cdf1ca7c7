/**
 * npm run evaluate:hetrec -- --data ../shared/data/lastfm-hetrec-2k [--seeds 3] [--epochs N] [--model JSON] [--quick] [--json]
 *
 * Training runs on one core (tfjs's wasm backend has no threads in Node); to use more, run seeds
 * in separate processes (`--first-seed K --seeds 1 --out DIR_K`) and combine their reports with
 * `--merge DIR_1/reports/<date>/hetrec.json,…`, which writes the same report as one run would.
 * HetRec Last.fm 2k under RecBole's protocol (random 8:1:1 per person, full sort).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { configureLogging } from '../src/main/logging';
import { resourceDir, sharedDir } from '../src/main/paths';
import { initBackend } from '../src/main/recommender/backend';
import { HETREC_DEFAULTS, loadHetrec, runHetrec, type HetrecMetrics } from '../src/main/recommender/hetrec';
import { markdownTable, reportDir } from '../src/main/recommender/evaluation/report';
import { main } from './lib/cli';

const { values: v } = parseArgs({
  options: {
    data: { type: 'string' },
    seeds: { type: 'string', default: '3' },
    epochs: { type: 'string' },
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    'first-seed': { type: 'string', default: '1' },
    merge: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    model: { type: 'string', default: '{}' },
  },
});

const PUBLISHED = [
  ['BPR', 0.1674], ['LightGCN', 0.1972], ['MHCN (with the friends graph)', 0.2068],
] as const;

void main(async () => {
  configureLogging({ level: 'INFO' });
  const dir = path.resolve(v.data ?? path.join(sharedDir(), 'data', 'lastfm-hetrec-2k'));
  if (!fs.existsSync(path.join(dir, 'data_user_artists.dat'))) throw new Error(`${dir}: no data_user_artists.dat (HetRec Last.fm 2k)`);
  const t0 = performance.now();
  const seeds = v.quick ? 1 : Number(v.seeds);
  // --quick: one seed, one network, 3 epochs (a smoke run of the whole path, ~5 minutes here).
  const quick = v.quick ? { members: 1, epochs: 3 } : {};
  const cfg = { ...HETREC_DEFAULTS, ...quick, ...(JSON.parse(v.model!) as object), ...(v.epochs ? { epochs: Number(v.epochs) } : {}) };
  type Run = { seed: number; test: HetrecMetrics; bestEpochs: number[]; memberTest: HetrecMetrics[]; networksTest: HetrecMetrics; fusionWeights: [number, number] | null };
  const runs: Run[] = [];
  let data = { users: 0, items: 0 };
  let trainedSeconds = 0;
  if (v.merge) {
    // Reports of single seeds run in parallel processes, with one configuration.
    for (const file of v.merge.split(',')) {
      const part = JSON.parse(fs.readFileSync(file, 'utf8')) as { users: number; items: number; config: unknown; runs: Run[]; seconds: number };
      if (JSON.stringify({ ...(part.config as object), seed: 0 }) !== JSON.stringify({ ...cfg, seed: 0 })) throw new Error(`${file}: another configuration (${JSON.stringify(part.config)}) than ${JSON.stringify(cfg)}`);
      runs.push(...part.runs);
      data = { users: part.users, items: part.items };
      trainedSeconds += part.seconds;
    }
    runs.sort((a, b) => a.seed - b.seed);
  }
  const hetrec = v.merge ? null : loadHetrec(dir);
  if (hetrec) {
    data = hetrec;
    await initBackend(v.backend as 'auto');
  }
  for (let s = Number(v['first-seed']); hetrec && s < Number(v['first-seed']) + seeds; s++) {
    const r = await runHetrec(hetrec, { ...cfg, seed: s });
    runs.push({ seed: s, test: r.test, bestEpochs: r.bestEpochs, memberTest: r.memberTest, networksTest: r.networks.test, fusionWeights: r.fusionWeights });
    process.stderr.write(
      `seed ${s}: test ndcg@10 ${r.test['ndcg@10'].toFixed(4)} (members ${r.memberTest.map((m, i) => `${m['ndcg@10'].toFixed(4)} at epoch ${r.bestEpochs[i]}`).join(', ')}; ` +
        `networks ${r.networks.test['ndcg@10'].toFixed(4)}${r.fusionWeights ? `, fusion weights ${r.fusionWeights.join(' / ')}` : ''})\n`,
    );
  }
  const keys = ['ndcg@10', 'recall@10', 'hit@10', 'mrr@10', 'precision@10'] as const;
  const mean = Object.fromEntries(keys.map((k) => [k, +(runs.reduce((s, r) => s + r.test[k], 0) / runs.length).toFixed(4)]));
  const networksMean = Object.fromEntries(keys.map((k) => [k, +(runs.reduce((s, r) => s + r.networksTest[k], 0) / runs.length).toFixed(4)]));
  const seconds = trainedSeconds + (performance.now() - t0) / 1000;
  const out = reportDir(path.resolve(v.out ?? path.dirname(resourceDir('package.json'))));
  fs.writeFileSync(path.join(out, 'hetrec.json'), JSON.stringify({ data: dir, users: data.users, items: data.items, config: cfg, runs, mean, networksMean, seconds }, null, 1));
  fs.writeFileSync(
    path.join(out, 'hetrec.md'),
    [
      `# HetRec Last.fm 2k — ${new Date().toISOString().slice(0, 10)}`, '',
      `**Protocol (RecBole's):** ${data.users} people × ${data.items} artists with play counts; each person's interactions are shuffled and split 8:1:1 into train / validation / test (RecBole \`RS: [0.8, 0.1, 0.1]\`, random order, grouped by user); for each person every artist not in their training interactions (nor validation, for test) is ranked — full sort, no sampled negatives; Recall@10, MRR@10, NDCG@10, Hit@10 and Precision@10 averaged over people with a non-empty test set; ${runs.length} seed(s), the best epoch chosen on validation NDCG@10.`, '',
      `**Model:** the app's two-tower family at artist level — user tower: play-count-weighted mean of the embeddings of the artists in the person's training history (the target masked out while training) → Dense → cosine / τ; item tower: artist embedding with the mean embedding of its top tags → Dense, plus a learned per-artist bias` +
        (cfg.coListening > 0 ? `; plus a person × artist compatibility feature with a learned weight — how strongly the artist is co-listened with the person's training artists (α ${cfg.coListening}; training interactions only, leave-one-out for the person's own training artists)` : '') +
        `; sampled softmax over the batch's artists and ${cfg.uniformNegatives.toLocaleString('en-US')} drawn uniformly from all artists (mixed negative sampling), log-Q corrected for that mixture` +
        (cfg.members > 1 ? `; ${cfg.members} networks trained from different initialisations on the same split, their scores averaged (each member's epoch chosen on validation)` : '') +
        (cfg.fusion ? `; after training, the item-based co-listening score and a similar-listeners score (what the 50 people with the most overlapping training artists play) are added with weights chosen on validation NDCG@10 from a 5 × 4 grid` : '') +
        `. Configuration: \`${JSON.stringify(cfg)}\`. Options and their effect: docs/EVALUATION.md.`, '',
      markdownTable(
        ['seed', ...keys, 'members (NDCG@10 at their epoch)', 'networks only', 'fusion weights'],
        runs.map((r) => [
          String(r.seed), ...keys.map((k) => r.test[k]), r.memberTest.map((m, i) => `${m['ndcg@10'].toFixed(4)} @ ${r.bestEpochs[i]}`).join(', '),
          r.networksTest['ndcg@10'].toFixed(4), r.fusionWeights ? r.fusionWeights.join(' / ') : '—',
        ]),
      ), '',
      `Mean NDCG@10 **${mean['ndcg@10']}**${cfg.fusion ? ` (the networks alone: ${networksMean['ndcg@10']})` : ''}; published on this setting: ${PUBLISHED.map(([n, x]) => `${n} ${x}`).join(', ')}. Target ≥ 0.21.`, '',
    ].join('\n'),
  );
  process.stdout.write(`HetRec Last.fm 2k, ${runs.length} seed(s): ${keys.map((k) => `${k} ${mean[k]}`).join(', ')} (${seconds.toFixed(0)} s). Report: ${out}\n`);
  if (v.json) process.stdout.write(JSON.stringify({ two_tower: mean, seeds: runs.length }) + '\n');
});
