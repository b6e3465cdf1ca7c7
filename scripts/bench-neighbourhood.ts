/**
 * The neighbourhood score's cost (inference/neighbourhood.ts: EASE through the Woodbury identity)
 * on a benchmark-sized library: HetRec Last.fm 2k's training interactions (RecBole's 8:1:1 split,
 * seed 1: 1,892 people × 17,632 artists), or a seeded synthetic library of the same shape where
 * ../shared is absent. Measures building it (people × people inverse, diag(P)) and scoring every
 * person, with the product w = yK⁻¹ in this process's JavaScript loop (the anchor, as before a
 * backend starts) and on the compute backend (what training and serving use), in the same run;
 * checks that both give the same scores. Then what serving pays after a like in the largest library
 * where it rebuilds the score on feedback (NEIGHBOURHOOD_FEEDBACK_PEOPLE people with long
 * histories, seeded: ~1,750 tracks each over a 120,000-track catalogue): building it and one
 * person's scores.
 *   npm run bench:neighbourhood -- [--data DIR] [--lambda 50] [--synthetic]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/recommender/backend';
import { loadHetrec } from '../src/main/recommender/data/hetrec';
import { randomSplit } from '../src/main/recommender/evaluation/protocols';
import { EaseNeighbourhood, NEIGHBOURHOOD_FEEDBACK_PEOPLE } from '../src/main/recommender/inference/neighbourhood';
import { sharedDir } from '../src/main/paths';
import { Rng } from '../src/main/util/random';

const { values } = parseArgs({
  options: { data: { type: 'string' }, lambda: { type: 'string', default: '50' }, synthetic: { type: 'boolean', default: false } },
});
const dir = path.resolve(values.data ?? path.join(sharedDir(), 'data', 'lastfm-hetrec-2k'));
const lambda = Number(values.lambda);
if (!(lambda > 0)) throw new Error('--lambda: expected a positive number');

function library(): { positives: number[][]; items: number; source: string } {
  if (!values.synthetic && fs.existsSync(path.join(dir, 'data_user_artists.dat'))) {
    const d = loadHetrec(dir);
    const parts = randomSplit(d.inter, 1);
    return { positives: parts.map((p) => [...new Set(p[0].map((x) => x.item))].sort((a, b) => a - b)), items: d.items, source: `HetRec (${dir}), training part of seed 1's split` };
  }
  // The same shape, seeded: 1,892 people with ~39 artists each drawn from a Zipf-like popularity.
  const rng = new Rng(1);
  const items = 17632;
  const positives = Array.from({ length: 1892 }, () => {
    const s = new Set<number>();
    const n = 5 + Math.floor(rng.next() * 70);
    while (s.size < n) s.add(Math.min(items - 1, Math.floor(Math.exp(rng.next() * Math.log(items)) - 1)));
    return [...s].sort((a, b) => a - b);
  });
  return { positives, items, source: 'synthetic, 1,892 people × 17,632 items (seeded)' };
}

function run(label: string, positives: number[][], items: number): { all: Float32Array[]; buildS: number; scoreS: number } {
  const t0 = performance.now();
  const nb = new EaseNeighbourhood(positives, items, { lambda });
  const built = performance.now();
  const all = nb.scoresMany(positives.map((_, u) => u));
  const scored = performance.now();
  const buildS = (built - t0) / 1000;
  const scoreS = (scored - built) / 1000;
  console.log(`${label.padEnd(34)} build ${buildS.toFixed(1).padStart(6)} s   score all ${positives.length} people ${scoreS.toFixed(1).padStart(6)} s`);
  return { all, buildS, scoreS };
}

(async () => {
  const { positives, items, source } = library();
  console.log(`neighbourhood (EASE, λ ${lambda}) over ${source}: ${positives.length} people, ${positives.reduce((s, p) => s + p.length, 0)} positives`);
  const js = run('JavaScript loop (no backend; anchor)', positives, items);
  const info = await initBackend('auto');
  const be = run(`compute backend: ${info.description}`, positives, items);
  let maxDiff = 0;
  let maxAbs = 0;
  js.all.forEach((s, u) => s.forEach((x, t) => {
    maxDiff = Math.max(maxDiff, Math.abs(x - be.all[u][t]));
    maxAbs = Math.max(maxAbs, Math.abs(x));
  }));
  console.log(`largest score difference between the two: ${maxDiff.toExponential(2)} (largest score ${maxAbs.toFixed(3)})`);
  // A household-sized library with long histories, rebuilt as serving does after a like.
  const rng = new Rng(2);
  const hhItems = 120000;
  const household = Array.from({ length: NEIGHBOURHOOD_FEEDBACK_PEOPLE }, () => {
    const s = new Set<number>();
    const n = 500 + Math.floor(rng.next() * 2500);
    while (s.size < n) s.add(Math.floor(rng.next() * rng.next() * hhItems));
    return [...s].sort((a, b) => a - b);
  });
  const h0 = performance.now();
  const hnb = new EaseNeighbourhood(household, hhItems, { lambda }, 16);
  const h1 = performance.now();
  hnb.scores(0);
  const h2 = performance.now();
  const rebuild = { people: household.length, positives: household.reduce((s, p) => s + p.length, 0), build_s: (h1 - h0) / 1000, one_person_s: (h2 - h1) / 1000 };
  console.log(`after a like, ${rebuild.people} people × ${hhItems} tracks (${rebuild.positives} positives): build ${rebuild.build_s.toFixed(2)} s, one person's scores ${rebuild.one_person_s.toFixed(3)} s`);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`peak RSS ${rssMb.toFixed(0)} MB`);
  const r = (x: number) => Math.round(x * 10) / 10;
  console.log(JSON.stringify({ workload: 'neighbourhood', source, people: positives.length, items, lambda, anchor: { build_s: r(js.buildS), score_s: r(js.scoreS) }, backend: { name: info.description, build_s: r(be.buildS), score_s: r(be.scoreS) }, max_score_diff: maxDiff, feedback_rebuild: { people: rebuild.people, positives: rebuild.positives, build_s: +rebuild.build_s.toFixed(2), one_person_s: +rebuild.one_person_s.toFixed(3) }, peak_rss_mb: Math.round(rssMb) }));
})().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
