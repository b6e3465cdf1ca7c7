/**
 * Why a track was recommended, measured on the model: each factor (an audio feature, the artist,
 * the genre, the era, popularity, the track's identity, community co-listening, one of the
 * person's top artists) is neutralised in turn and the drop of the head's score is its
 * contribution; the blend of the person's own listening (inference/fusion.ts) is a factor too.
 */
import type { Explanation, ExplanationFactor } from '../../../shared/types';
import type { CommunityKnowledge } from '../../importers/community';
import { tf } from '../backend';
import { AUDIO_COLUMNS, type Catalog, type loadProfileData } from '../data/dataset';
import {
  AFFINITY_COLUMNS, AUDIO_FIT_COLUMNS, ITEM_NUMERIC, audioFitScale, colistenSources, neighbourSim, pairAffinity,
  type FeatureSpace, type ItemFeatures, type UserAggregate, type UserFeatures,
} from '../data/features';
import type { FeatureTensors } from '../data/tensors';
import { OTHER, UNKNOWN } from '../data/preprocessor';
import { INFERENCE, type Output, type TwoTowerModel } from '../models/two-tower';

const NA = AUDIO_COLUMNS.length;

/** A person as the recommender serves them: their listening state, its features and tower vector. */
export interface ServingUser {
  profileId: number;
  data: ReturnType<typeof loadProfileData>;
  agg: UserAggregate;
  features: UserFeatures;
  played: Set<number>;
  knownArtists: Set<number>;
  /** Per artist: tracks the person saved (an Exportify Liked Songs row is a save, not a play). */
  saved?: Map<number, number>;
  /** Everything the person has is saves (an Exportify Liked Songs file alone): no listening to speak of. */
  onlySaves?: boolean;
  vector: Float32Array;
  avgYear: number;
}

/** How the person knows an artist: plays (saves left out) and saved tracks. */
function habitOf(u: ServingUser, artistId: number): { plays: number; saved: number } {
  const saved = u.saved?.get(artistId) ?? 0;
  return { plays: Math.max(0, (u.agg.artistPlays.get(artistId) ?? 0) - saved), saved };
}

/** What an explanation reads of the open recommender. */
export interface ExplainContext {
  readonly featureSpace: FeatureSpace;
  readonly catalog: Catalog;
  readonly items: ItemFeatures;
  readonly model: TwoTowerModel;
  readonly ft: FeatureTensors;
  readonly community: CommunityKnowledge;
}

/** The person's artist through whom the community links them to `artistId` most strongly. */
export function colistenVia(ctx: ExplainContext, u: ServingUser, artistId: number): string | null {
  if (!ctx.community.neighbours.size) return null;
  // The same sources and weights as the model's co-listening feature (colistenScores).
  let best: [number, number] | null = null;
  for (const [j, share] of colistenSources(u.agg.artistWeight)) {
    const v = share * (neighbourSim(ctx.community.neighbours, j, artistId) ?? 0);
    if (v > 0 && (!best || v > best[1])) best = [j, v];
  }
  return best ? (ctx.catalog.artistName.get(best[0]) ?? null) : null;
}

type Variant = { t: number; numeric: Float32Array; artist: number; track: number; genre: number; yearBucket: number; audioFit: Float32Array; noArtist?: boolean; noGenre?: boolean; noColisten?: boolean };
/** Variants per track, in this order: the track, each audio-fit column neutral, then no artist, no genre, no era, no popularity, no track identity, no co-listening. */
const VARIANTS_PER_TRACK = 1 + AUDIO_FIT_COLUMNS.length + 6;

/** Each track and its variants with one factor neutralised (VARIANTS_PER_TRACK per track, the track first). */
function itemVariants(ctx: ExplainContext, tracks: number[]): Variant[] {
  const space = ctx.featureSpace;
  const F = space.itemNumeric.length;
  const C = AUDIO_FIT_COLUMNS.length;
  const col = (name: string) => ITEM_NUMERIC.indexOf(name as (typeof ITEM_NUMERIC)[number]);
  const neutralRaw = AUDIO_FIT_COLUMNS.map((c) => {
    const s = space.stats[`item.${c}`];
    return audioFitScale(c, s.log ? Math.expm1(s.mean) : s.mean);
  });
  const variants: Variant[] = [];
  for (const t of tracks) {
    const base: Variant = {
      t,
      numeric: ctx.items.numeric.slice(t * F, (t + 1) * F), artist: ctx.items.artist[t], track: ctx.items.track[t], genre: ctx.items.genre[t],
      yearBucket: ctx.items.yearBucket[t], audioFit: ctx.items.audioFitRaw.slice(t * C, (t + 1) * C),
    };
    const clone = (): Variant => ({ ...base, numeric: base.numeric.slice(), audioFit: base.audioFit.slice() });
    variants.push(base);
    AUDIO_FIT_COLUMNS.forEach((c, k) => {
      const v = clone();
      v.numeric[col(c)] = 0;
      v.audioFit[k] = neutralRaw[k];
      variants.push(v);
    });
    const a = clone();
    a.artist = OTHER;
    a.noArtist = true;
    variants.push(a);
    const g = clone();
    g.genre = UNKNOWN;
    g.noGenre = true;
    variants.push(g);
    const e = clone();
    for (const name of ['year', 'recency', 'is_new_release', 'year_missing']) e.numeric[col(name)] = 0;
    e.yearBucket = UNKNOWN;
    variants.push(e);
    const p = clone();
    p.numeric[col('popularity')] = 0;
    variants.push(p);
    const id = clone();
    id.track = OTHER;
    variants.push(id);
    const cl = clone();
    cl.noColisten = true;
    variants.push(cl);
  }
  return variants;
}

interface HistoryAblations {
  /** The person's top history artists that can be left out, by history slot. */
  hist: { idx: number; w: number; h: number }[];
  /** Database artist ids of the history slots. */
  histArtistIds: number[];
  /** Rows of history inputs: the person as they are, then without each of `hist`. */
  userRows: number;
  ua: Int32Array;
  uw: Float32Array;
}

/** The person without one of their top artists, for each of up to six of them. */
function historyAblations(ctx: ExplainContext, u: ServingUser): HistoryAblations {
  const H = ctx.featureSpace.historyLength;
  const hist = Array.from({ length: H }, (_, h) => ({ idx: u.features.historyArtist[h], w: u.features.historyWeight[h], h }))
    .filter((x) => x.w > 0 && x.idx > OTHER)
    .slice(0, 6);
  const histArtistIds = [...u.agg.artistWeight.entries()].sort((x, y) => y[1] - x[1]).slice(0, H).map(([id]) => id);
  const userRows = 1 + hist.length;
  const ua = new Int32Array(userRows * H);
  const uw = new Float32Array(userRows * H);
  for (let r = 0; r < userRows; r++) {
    ua.set(u.features.historyArtist.subarray(0, H), r * H);
    uw.set(u.features.historyWeight.subarray(0, H), r * H);
    if (r > 0) {
      const drop = hist[r - 1].h;
      const rest = 1 - uw[r * H + drop];
      uw[r * H + drop] = 0;
      for (let h = 0; h < H; h++) uw[r * H + h] = rest > 0 ? uw[r * H + h] / rest : 0;
    }
  }
  return { hist, histArtistIds, userRows, ua, uw };
}

/** The head's logits: every variant with the person as they are, then each track with each history ablation. */
function ablationLogits(ctx: ExplainContext, u: ServingUser, tracks: number[], variants: Variant[], ab: HistoryAblations, output: Output): Float32Array {
  const F = ctx.featureSpace.itemNumeric.length;
  const C = AUDIO_FIT_COLUMNS.length;
  const H = ctx.featureSpace.historyLength;
  const { hist, histArtistIds, userRows, ua, uw } = ab;
  const logits = tf.tidy(() => {
    const m = ctx.model;
    const nv = variants.length;
    const items = {
      numeric: tf.tensor2d(concat(variants.map((v) => v.numeric)), [nv, F]),
      artist: tf.tensor1d(variants.map((v) => v.artist), 'int32'),
      track: tf.tensor1d(variants.map((v) => v.track), 'int32'),
      genre: tf.tensor1d(variants.map((v) => v.genre), 'int32'),
      yearBucket: tf.tensor1d(variants.map((v) => v.yearBucket), 'int32'),
    };
    const rep = (t: tf.Tensor, n: number) => tf.tile(t, [n, ...t.shape.slice(1).map(() => 1)]);
    const uf = ctx.ft.user;
    const users = {
      numeric: rep(uf.numeric, userRows) as tf.Tensor2D,
      country: rep(uf.country, userRows) as tf.Tensor1D,
      gender: rep(uf.gender, userRows) as tf.Tensor1D,
      topGenre: rep(uf.topGenre, userRows) as tf.Tensor1D,
      ageBucket: rep(uf.ageBucket, userRows) as tf.Tensor1D,
      historyArtist: tf.tensor2d(ua, [userRows, H], 'int32'),
      historyWeight: tf.tensor2d(uw, [userRows, H]),
      historyTrack: rep(uf.historyTrack, userRows) as tf.Tensor2D,
      historyTrackWeight: rep(uf.historyTrackWeight, userRows) as tf.Tensor2D,
    };
    const uVecs = m.userVector(users, INFERENCE);
    const iVecs = m.itemVector(items, INFERENCE);
    // Pairs: every item variant with the person as they are; each base item with each history ablation.
    const baseRows = tracks.map((_, i) => i * VARIANTS_PER_TRACK);
    const pairUser = [...variants.map(() => 0), ...hist.flatMap((_, h) => tracks.map(() => h + 1))];
    const pairItem = [...variants.map((_, i) => i), ...hist.flatMap(() => baseRows)];
    const pu = tf.tensor1d(pairUser, 'int32');
    const pi = tf.tensor1d(pairItem, 'int32');
    const uAvg = tf.tensor2d(u.features.audioFitAvg.subarray(0, C), [1, C]);
    const audioFitAll = tf.tensor2d(concat(variants.map((v) => v.audioFit)), [nv, C]);
    // Affinities of each pair; neutralising the artist (or genre) also removes the person's share of it,
    // and a history ablation removes the dropped artist's share.
    const aff = pairAffinity(u.features, ctx.items, new Int32Array(pairItem.length), Int32Array.from(pairItem, (i) => variants[i].t));
    const A = AFFINITY_COLUMNS.length;
    const [artistShare, genreShare, , , artistRecent, colisten] = AFFINITY_COLUMNS.map((_, k) => k);
    pairItem.forEach((vi, j) => {
      const v = variants[vi];
      const dropArtist = v.noArtist || (pairUser[j] > 0 && histArtistIds[hist[pairUser[j] - 1].h] === ctx.catalog.artistId[v.t]);
      if (dropArtist) aff[A * j + artistShare] = aff[A * j + artistRecent] = 0;
      if (v.noArtist || v.noColisten) aff[A * j + colisten] = 0;
      if (v.noGenre) aff[A * j + genreShare] = 0;
    });
    const pair = {
      affinity: tf.tensor2d(aff, [pairItem.length, A]),
      audioFit: tf.abs(tf.sub(uAvg, tf.gather(audioFitAll, pi))) as tf.Tensor2D,
      ageBucket: tf.fill([pairUser.length], u.features.ageBucket[0], 'int32') as tf.Tensor1D,
      country: tf.fill([pairUser.length], u.features.country[0], 'int32') as tf.Tensor1D,
      genre: tf.gather(items.genre, pi) as tf.Tensor1D,
    };
    return m.logits(tf.gather(uVecs, pu) as tf.Tensor2D, tf.gather(iVecs, pi) as tf.Tensor2D, pair, INFERENCE, output);
  });
  const L = logits.dataSync();
  logits.dispose();
  return L as Float32Array;
}

/**
 * `blend`, `neighbours`, `novelty`, `content`: what each blend after the network added to each
 * track's score (0 without one); the content term's with the tags behind it (content.ts sharedTags).
 */
export function explainTracks(
  ctx: ExplainContext, u: ServingUser, tracks: number[], output: Output, blend: number[] = [], neighbours: number[] = [], novelty: number[] = [],
  content: { contribution: number; tags: string[] }[] = [],
): Explanation[] {
  if (!tracks.length) return [];
  const variants = itemVariants(ctx, tracks);
  const ab = historyAblations(ctx, u);
  const L = ablationLogits(ctx, u, tracks, variants, ab, output);
  const nItemPairs = variants.length;
  const genreTotal = [...u.agg.genreWeight.values()].reduce((a, b) => a + b, 0);
  return tracks.map((t, i) => explainOne(ctx, u, t, i, { L, nItemPairs, nTracks: tracks.length }, ab, genreTotal, blend[i] ?? 0, output, neighbours[i] ?? 0, novelty[i] ?? 0, content[i]));
}

/** One track's factors from the ablation logits: each factor's contribution, the top six with their shares, a summary. */
function explainOne(
  ctx: ExplainContext, u: ServingUser, t: number, i: number,
  scores: { L: Float32Array; nItemPairs: number; nTracks: number },
  ab: HistoryAblations, genreTotal: number, blendOfTrack: number, output: Output, neighboursOfTrack = 0, noveltyOfTrack = 0,
  contentOfTrack?: { contribution: number; tags: string[] },
): Explanation {
  const C = AUDIO_FIT_COLUMNS.length;
  const { L, nItemPairs } = scores;
  const { hist, histArtistIds } = ab;
  const o = i * VARIANTS_PER_TRACK;
  const base = L[o];
  const factors: ExplanationFactor[] = [];
  AUDIO_FIT_COLUMNS.forEach((c, k) => {
    const a = AUDIO_COLUMNS.indexOf(c);
    const trackValue = ctx.catalog.audio[t * NA + a];
    const userValue = u.agg.audioWeight[a] > 0 ? u.agg.audioSum[a] / u.agg.audioWeight[a] : NaN;
    if (!Number.isFinite(trackValue)) return;
    factors.push({
      kind: 'audio', label: c, trackValue, userValue,
      text: `${c} ${fmtAudio(c, trackValue)}${Number.isFinite(userValue) ? ` — your average ${fmtAudio(c, userValue)}` : ''}`,
      contribution: base - L[o + 1 + k], share: 0,
    });
  });
  const artistId = ctx.catalog.artistId[t];
  const artistName = ctx.catalog.artistName.get(artistId) ?? '?';
  const { plays, saved } = habitOf(u, artistId);
  const artistFactor: ExplanationFactor = {
    kind: 'artist', label: artistName,
    text: plays || saved ? `${artistName} — you have ${[
      plays ? `played them ${plays} time${plays === 1 ? '' : 's'}` : '',
      saved ? `saved ${saved} of their tracks` : '',
    ].filter(Boolean).join(' and ')}` : `by ${artistName}, an artist new to you`,
    contribution: base - L[o + 1 + C], share: 0,
  };
  factors.push(artistFactor);
  const g = ctx.catalog.genreId[t];
  if (g >= 0) {
    const gName = ctx.catalog.genreName.get(g) ?? '?';
    const share = genreTotal ? (u.agg.genreWeight.get(g) ?? 0) / genreTotal : 0;
    factors.push({
      kind: 'genre', label: gName, text: `${gName} — ${(share * 100).toFixed(0)} % of ${u.onlySaves ? 'what you saved' : 'your listening'}`,
      contribution: base - L[o + 2 + C], share: 0,
    });
  }
  const y = ctx.catalog.year[t];
  if (Number.isFinite(y)) {
    factors.push({
      kind: 'era', label: String(y), trackValue: y, userValue: u.avgYear,
      text: `from ${y}${Number.isFinite(u.avgYear) ? ` — your music averages ${Math.round(u.avgYear)}` : ''}`,
      contribution: base - L[o + 3 + C], share: 0,
    });
  }
  const pop = ctx.catalog.popularity[t];
  if (Number.isFinite(pop)) {
    factors.push({ kind: 'popularity', label: 'popularity', trackValue: pop, text: `popularity ${Math.round(pop)}/100`, contribution: base - L[o + 4 + C], share: 0 });
  }
  // (Measured lines whose wording has a direction say which way the model moved the track.)
  if (ctx.items.track[t] > OTHER) {
    const contribution = base - L[o + 5 + C];
    factors.push({
      kind: 'collaborative', label: 'track', text: contribution >= 0 ? 'often played alongside the tracks you play' : 'seldom played alongside the tracks you play',
      contribution, share: 0,
    });
  }
  const via = colistenVia(ctx, u, artistId);
  if (via) {
    const contribution = base - L[o + 6 + C];
    factors.push({
      kind: 'community', label: via, text: contribution >= 0 ? `people who play ${via} also play ${artistName}` : `people who play ${via} seldom play ${artistName}`,
      contribution, share: 0,
    });
  }
  const fromHistory = hist.map((hh, h) => ({ id: histArtistIds[hh.h], contribution: base - L[nItemPairs + h * scores.nTracks + i] }));
  // The track's own artist in the person's history is the artist factor again ("Mopol — you have
  // played them 14 times" beside "you listen to Mopol (14 plays)"): its part joins that factor.
  const own = fromHistory.filter((b) => b.id === artistId).reduce((sum, b) => sum + b.contribution, 0);
  artistFactor.contribution += own;
  const because = fromHistory
    .filter((b) => b.id !== artistId && b.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, 3)
    .map((b) => ({ artist: ctx.catalog.artistName.get(b.id) ?? '?', ...habitOf(u, b.id), contribution: b.contribution }));
  for (const b of because) {
    const what = [b.plays ? `${b.plays} plays` : '', b.saved ? `${b.saved} saved` : ''].filter(Boolean).join(', ');
    factors.push({ kind: 'history', label: b.artist, text: `you listen to ${b.artist} (${what})`, contribution: b.contribution, share: 0 });
  }
  // The person's own listening, blended into the ranking after the network (inference/fusion.ts):
  // their recent replays (decayed plays), worded apart from the artist factor's all-time count.
  const b = blendOfTrack;
  if (Math.abs(b) > 1e-6) {
    // The blend ranks against the other candidates: a track it lowers is one whose signal is
    // weaker than theirs (two plays of an artist among favourites of fifty), which the text says.
    const up = b > 0;
    const text = output === 'all'
      ? plays ? (up ? 'you keep coming back to it' : 'you come back to it less than to your favourites') : 'you saved it'
      : plays ? (up ? `you have been playing ${artistName} lately` : `you have played ${artistName} less lately than your other artists`)
      : saved ? (up ? `you saved ${artistName}'s tracks` : `you saved fewer of ${artistName}'s tracks than of your other artists'`)
      : up ? `${artistName} is co-listened with the artists you play` : `${artistName} is new to you: your own listening puts the artists you play first`;
    factors.push({ kind: 'history', label: 'your listening', text, contribution: b, share: 0 });
  }
  // The library's neighbourhood score (inference/neighbourhood.ts), blended into discovery after that.
  if (Math.abs(neighboursOfTrack) > 1e-6) {
    factors.push({
      kind: 'collaborative', label: 'listeners like you',
      text: neighboursOfTrack > 0 ? 'people in your library who play what you play also play it' : 'people in your library who play what you play seldom play it',
      contribution: neighboursOfTrack, share: 0,
    });
  }
  // The content term (content.ts): the community's tags it shares with what the person plays.
  if (contentOfTrack && Math.abs(contentOfTrack.contribution) > 1e-6) {
    const tags = contentOfTrack.tags;
    factors.push({
      kind: 'community', label: tags.length ? tags.join(', ') : 'tags',
      // (the sign, shown beside it, is the blend's: a track the network already ranked higher than its tags would can lose a little)
      text: tags.length ? `tagged ${tags.map((x) => `“${x}”`).join(', ')}, like the music you play` : 'tagged unlike the music you play',
      contribution: contentOfTrack.contribution, share: 0,
    });
  }
  // The novelty term after it: fewer of the library's people play it (or, against it, many do).
  if (Math.abs(noveltyOfTrack) > 1e-6) {
    factors.push({
      kind: 'popularity', label: 'new to your library',
      text: noveltyOfTrack > 0 ? 'few people in your library play it yet' : 'many people in your library already play it',
      contribution: noveltyOfTrack, share: 0,
    });
  }
  factors.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const shown = factors.slice(0, 6);
  const total = shown.reduce((s, f) => s + Math.abs(f.contribution), 0) || 1;
  for (const f of shown) f.share = f.contribution / total;
  const pos = shown.filter((f) => f.contribution > 0).slice(0, 2);
  const summary = pos.length ? `Recommended mainly for: ${pos.map((f) => f.text).join('; ')}.` : 'A close match to your overall listening profile.';
  return { summary, factors: shown, becauseArtists: because };
}

function concat(parts: Float32Array[]): Float32Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function fmtAudio(col: string, v: number): string {
  if (col === 'tempo') return `${Math.round(v)} BPM`;
  if (col === 'loudness') return `${v.toFixed(1)} dB`;
  return v.toFixed(2);
}
