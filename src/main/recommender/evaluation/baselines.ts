/**
 * Baselines that run through the same evaluation path and split as the model: random and
 * popularity (in ranking.ts), artist affinity, content nearest neighbours, item-item
 * collaborative filtering from co-listening, and EASE (Steck 2019).
 */
import { AUDIO_COLUMNS } from '../data/dataset';
import type { Interactions } from '../data/examples';
import { ITEM_NUMERIC, colistenScores, type UserAggregate } from '../data/features';
import type { Prepared } from '../data/pipeline';
import type { AppConfig } from '../../../shared/config-schema';
import { chooseSetting, EaseNeighbourhood, MAX_NEIGHBOURHOOD_PEOPLE, positiveLists, positivesWithStrength } from '../inference/neighbourhood';
import { popularityRanker, randomRanker, type Ranker } from './ranking';

/**
 * What a baseline may know: each person's listening before the period it ranks for (validation:
 * the training period; test: training and validation) — exactly what the model's state sees.
 */
export interface History {
  aggs: UserAggregate[];
  inter: Interactions;
}

export function historyOf(prep: Prepared, period: 'valid' | 'test'): History {
  return period === 'valid' ? { aggs: prep.trainAggs, inter: prep.train } : { aggs: prep.testAggs, inter: prep.history };
}

/** Plays per track in the library before the period (one person alone: their own most played). */
export function libraryPopularityRanker(h: History): Ranker {
  const counts = h.inter.itemCounts;
  return { name: 'popularity', score: (users) => users.map(() => Float32Array.from(counts)) };
}

/** The catalogue's own popularity column (what a new user is shown before any listening). */
export function catalogPopularityRanker(prep: Prepared): Ranker {
  const pop = Float32Array.from(prep.data.catalog.popularity, (x) => (Number.isFinite(x) ? x : 0));
  return { name: 'catalog_popularity', score: (users) => users.map(() => pop.slice()) };
}

/** "Replay your favourites": the person's own most-played tracks (play time), ties by catalogue popularity. */
export function replayRanker(prep: Prepared, h: History): Ranker {
  return trackSignalRanker('replay', prep, (u) => h.aggs[u].trackWeight);
}

/**
 * "What you keep coming back to": the person's tracks by their plays decayed over half a year
 * (UserAggregate.trackReplay — the signal the model's all-plays blend uses, on its own), ties by
 * catalogue popularity.
 */
export function recentReplayRanker(prep: Prepared, h: History): Ranker {
  return trackSignalRanker('recent_replay', prep, (u) => h.aggs[u].trackReplay);
}

/** The person's tracks ranked by one signal of their listening, the rest by catalogue popularity. */
function trackSignalRanker(name: string, prep: Prepared, signal: (u: number) => Map<number, number>): Ranker {
  const pop = prep.data.catalog.popularity;
  return {
    name,
    score: (users) =>
      users.map((u) => {
        const s = Float32Array.from(pop, (x) => (Number.isFinite(x) ? x * 1e-6 : 0));
        for (const [t, w] of signal(u)) s[t] += w;
        return s;
      }),
  };
}

/**
 * "The artists you are playing lately": every track scored by its artist's plays decayed over two
 * months (UserAggregate.artistReplay — the model's discovery blend's signal, on its own), within
 * an artist the catalogue's most popular first.
 */
export function recentArtistsRanker(prep: Prepared, h: History): Ranker {
  const pop = prep.data.catalog.popularity;
  const artist = prep.data.catalog.artistId;
  return {
    name: 'recent_artists',
    score: (users) =>
      users.map((u) => {
        const a = h.aggs[u].artistReplay;
        let total = 0;
        for (const w of a.values()) total += w;
        const s = new Float32Array(pop.length);
        for (let t = 0; t < s.length; t++) {
          // Within an artist by popularity (a relative nudge, kept within float32's precision at any share).
          const p = Number.isFinite(pop[t]) ? Math.max(0, pop[t]) : 0;
          s[t] = (total ? ((a.get(artist[t]) ?? 0) / total) * (1 + 1e-5 * p) : 0) + p * 1e-9;
        }
        return s;
      }),
  };
}

/**
 * Community co-listening ("people who play your artists also play"): each track scored by the
 * community's similarity of its artist to the person's most played artists — item-item CF at the
 * artist level over the community data — ties broken by catalogue popularity.
 */
export function colistenRanker(prep: Prepared, h: History): Ranker {
  const pop = prep.data.catalog.popularity;
  const artist = prep.data.catalog.artistId;
  return {
    name: 'colisten',
    score: (users) =>
      users.map((u) => {
        const c = colistenScores(h.aggs[u].artistWeight, prep.community);
        return Float32Array.from(pop, (x, t) => (c.get(artist[t]) ?? 0) + (Number.isFinite(x) ? x * 1e-6 : 0));
      }),
  };
}

/** The person's most-played artists' other tracks (ties broken by popularity). */
export function artistAffinityRanker(prep: Prepared, h: History = historyOf(prep, 'valid')): Ranker {
  const counts = h.inter.itemCounts;
  const maxCount = Math.max(1, ...counts);
  return {
    name: 'artist_affinity',
    score: (users) =>
      users.map((u) => {
        const a = h.aggs[u].artistWeight;
        let total = 0;
        for (const w of a.values()) total += w;
        const s = new Float32Array(prep.items.n);
        for (let t = 0; t < prep.items.n; t++) {
          s[t] = (total ? (a.get(prep.data.catalog.artistId[t]) ?? 0) / total : 0) + (1e-3 * counts[t]) / maxCount;
        }
        return s;
      }),
  };
}

/** Positive items per person before the period (what the content and CF baselines learn from). */
function positives(prep: Prepared, h: History): number[][] {
  const out: number[][] = prep.data.profiles.map(() => []);
  const x = h.inter;
  for (let i = 0; i < x.user.length; i++) if (x.label[i] === 1) out[x.user[i]].push(x.item[i]);
  return out;
}

/** Cosine between a track's standardised audio features and the person's average of them. */
export function contentKnnRanker(prep: Prepared, h: History = historyOf(prep, 'valid')): Ranker {
  const F = prep.featureSpace.itemNumeric.length;
  const cols = AUDIO_COLUMNS.map((c) => ITEM_NUMERIC.indexOf(c));
  const A = cols.length;
  const vec = new Float32Array(prep.items.n * A);
  for (let t = 0; t < prep.items.n; t++) {
    let norm = 0;
    for (let k = 0; k < A; k++) {
      const v = prep.items.numeric[t * F + cols[k]];
      vec[t * A + k] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < A; k++) vec[t * A + k] /= norm;
  }
  const pos = positives(prep, h);
  return {
    name: 'content_knn',
    score: (users) =>
      users.map((u) => {
        const profile = new Float32Array(A);
        for (const t of pos[u]) for (let k = 0; k < A; k++) profile[k] += vec[t * A + k];
        const s = new Float32Array(prep.items.n);
        for (let t = 0; t < prep.items.n; t++) {
          let d = 0;
          for (let k = 0; k < A; k++) d += profile[k] * vec[t * A + k];
          s[t] = d;
        }
        return s;
      }),
  };
}

/** Item-item CF: score(t) = Σ over the person's items j of cosine(t, j) on who played them. */
export function itemCfRanker(prep: Prepared, h: History = historyOf(prep, 'valid')): Ranker {
  const pos = positives(prep, h).map((l) => [...new Set(l)]);
  const nUsers = new Float32Array(prep.items.n);
  for (const l of pos) for (const t of l) nUsers[t]++;
  const sets = pos.map((l) => new Set(l));
  return {
    name: 'item_cf',
    score: (users) =>
      users.map((u) => {
        const s = new Float32Array(prep.items.n);
        pos.forEach((items, v) => {
          // Items j the person shares with v contribute to every item t of v.
          let shared = 0;
          for (const j of pos[u]) if (sets[v].has(j)) shared += 1 / Math.sqrt(nUsers[j]);
          if (!shared) return;
          for (const t of items) s[t] += shared / Math.sqrt(nUsers[t]);
        });
        return s;
      }),
  };
}

/** EASE (Steck 2019) on its own: the neighbourhood score discovery's blend uses (inference/neighbourhood.ts). */
export function easeRanker(prep: Prepared, lambda = 250, h: History = historyOf(prep, 'valid')): Ranker {
  const ease = new EaseNeighbourhood(positiveLists(h.inter, prep.data.profiles.length), prep.items.n, { lambda });
  return { name: 'ease', score: (users) => ease.scoresMany(users).map((s) => s.slice()) };
}

/**
 * The configured baselines for ranking the test period: each sees each person's listening before
 * the test period (training and validation), as the model's test state does.
 */
export function baselineRankers(prep: Prepared, config: AppConfig): Ranker[] {
  const out: Ranker[] = [];
  const want = new Set(config.evaluation.baselines);
  const h = historyOf(prep, 'test');
  if (want.has('random')) out.push(randomRanker(prep.items.n, config.training.seed));
  if (want.has('popularity')) out.push(libraryPopularityRanker(h));
  if (want.has('catalog_popularity')) out.push(catalogPopularityRanker(prep));
  if (want.has('replay')) out.push(replayRanker(prep, h));
  if (want.has('recent_replay')) out.push(recentReplayRanker(prep, h));
  if (want.has('colisten') && prep.community.sources) out.push(colistenRanker(prep, h));
  if (want.has('artist_affinity')) out.push(artistAffinityRanker(prep, h));
  if (want.has('recent_artists')) out.push(recentArtistsRanker(prep, h));
  if (want.has('content_knn')) out.push(contentKnnRanker(prep, h));
  if (want.has('item_cf')) out.push(itemCfRanker(prep, h));
  if (want.has('ease') && prep.data.profiles.length <= MAX_NEIGHBOURHOOD_PEOPLE) {
    // λ chosen on the validation period (from training-period listening), as the model's epochs are.
    const { setting } = chooseSetting(positivesWithStrength(prep.train, prep.data.profiles.length), prep.items.n, prep.valid, [10, 50, 250, 1000, 5000].map((lambda) => ({ lambda })));
    out.push(easeRanker(prep, setting.lambda, h));
  }
  return out;
}

