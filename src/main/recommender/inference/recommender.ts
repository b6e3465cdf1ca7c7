/**
 * The recommender service: top-K for a person over the whole catalogue, with filters, feedback,
 * diversity, "more like this", and explanations measured on the model by ablation.
 */
import { dbVersion, feedback as feedbackRows, profiles as profileQueries, versions, type Library } from '../../db';
import type { FeedbackKind, Recommendation, RecommendOptions } from '../../../shared/types';
import { tf } from '../backend';
import { catalogueTags, loadCatalog, loadData, loadProfileData, type Catalog } from '../data/dataset';
import { buildInteractions, withFeedback } from '../data/examples';
import { libraryFeedback } from '../data/pipeline';
import { EaseNeighbourhood, MAX_NEIGHBOURHOOD_PEOPLE, NEIGHBOURHOOD_CANDIDATES, NEIGHBOURHOOD_FEEDBACK_PEOPLE, noveltyOf, positivesWithStrength, type Neighbourhood } from './neighbourhood';
import { aggregateUsers, buildItemFeatures, buildUserFeatures, type FeatureSpace, type ItemFeatures } from '../data/features';
import { FeatureTensors } from '../data/tensors';
import { loadModel, type ModelManifest } from '../models/io';
import { INFERENCE, type Output, type TwoTowerModel } from '../models/two-tower';
import { ArtistCandidates, topPositive, union } from './candidates';
import { explainTracks, type ExplainContext, type ServingUser } from './explain';
import { colistenShareOf, fuse, listeningPrior, NO_FUSION, type FusionWeights } from './fusion';
import { CONTENT_CANDIDATES, profileScores, sharedTags, tagProfile } from './content';
import { loadCommunity, type CommunityKnowledge } from '../../importers/community';
import { favouriteArtists, withFavourites } from '../data/favourites';
import { itemVectors, userVectors } from './scoring';
import { catalogFingerprint, loadSnapshot, loadSnapshotAsync, saveSnapshot, type Snapshot } from './serving-snapshot';
import { VectorIndex } from './vector-index';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));


export class Recommender {
  readonly featureSpace: FeatureSpace;
  readonly catalog: Catalog;
  private readonly items: ItemFeatures;
  private readonly ft: FeatureTensors;
  readonly itemVecs: Float32Array;
  private readonly D: number;
  private readonly scale: number;
  private readonly bias: number;
  private readonly byArtist: ArtistCandidates;
  /** Exact top-K over the item vectors (int8 SIMD scan + bound + float re-rank). */
  private readonly index: VectorIndex;
  /** People served recently, keyed by a fingerprint of their profile and listening (see userKey). */
  private readonly users = new Map<number, { key: string; seen: string; user: ServingUser }>();
  /** Whose features `ft.user` holds. */
  private ftProfile = -1;
  /** What imported community data says about artists (read once; a change reopens the recommender). */
  private readonly community: CommunityKnowledge;
  /** 1 for the rows that may be recommended at all: one row per recording (another album's or genre's copy of a song is not a new song). */
  private readonly rankable: Uint8Array;
  /** The person's own listening blended into each output's ranking, as chosen on validation when the model was trained. */
  private readonly fusion: FusionWeights;
  /** What explanations read of this recommender. */
  private readonly explainContext: ExplainContext;
  /** The library's neighbourhood score (when the model blends one), over everyone's listening as of `version` and likes as of `feedback`. */
  private nbr: { seen: string; version: string; feedback: string; nb: Neighbourhood | null; row: Map<number, number> } | null = null;

  private constructor(
    private lib: Library, private model: TwoTowerModel, readonly manifest: ModelManifest, readonly modelDir: string,
    loaded: { fingerprint: string; snap: Snapshot | null },
  ) {
    this.featureSpace = manifest.featureSpace;
    this.fusion = manifest.fusion ?? NO_FUSION;
    this.D = model.vectorDim;
    this.community = loadCommunity(lib);
    // The catalogue, its features and item vectors: from the model folder's snapshot when it
    // matches the catalogue, else computed (and saved for the next start).
    const { fingerprint, snap } = loaded;
    // The community tags where the blend has the content term (the serving snapshot keeps no tags).
    const tags = (this.fusion.content ?? 0) > 0;
    this.catalog = snap ? { ...snap.catalog, tags: tags ? catalogueTags(lib.sqlite, snap.catalog.artistId) : undefined } : loadCatalog(lib.sqlite, { tags });
    this.items = snap?.items ?? buildItemFeatures(this.catalog, this.featureSpace);
    const empty = buildUserFeatures({ catalog: this.catalog, profiles: [], events: loadProfileDataEmpty() }, [], this.featureSpace);
    this.ft = new FeatureTensors(empty, this.items);
    this.itemVecs = snap?.itemVecs ?? itemVectors(model, this.ft);
    if (!snap) saveSnapshot(modelDir, fingerprint, { catalog: this.catalog, items: this.items, itemVecs: this.itemVecs });
    this.rankable = Uint8Array.from(this.catalog.canonical, (c, t) => (c === t ? 1 : 0));
    this.byArtist = new ArtistCandidates(this.items);
    this.explainContext = { featureSpace: this.featureSpace, catalog: this.catalog, items: this.items, model, ft: this.ft, community: this.community };
    this.index = new VectorIndex(this.itemVecs, this.D);
    const t = model.dotTransform();
    this.scale = t.scale;
    this.bias = t.bias;
    // The library's neighbourhood score, built now rather than on the first list.
    this.neighbourhoodOf(-1);
  }

  static open(lib: Library, modelDir: string): Recommender {
    // The fingerprint first: it stamps the weights file as it was before being read.
    const fingerprint = catalogFingerprint(lib.sqlite, modelDir);
    const { model, manifest } = loadModel(modelDir);
    return new Recommender(lib, model, manifest, modelDir, { fingerprint, snap: loadSnapshot(modelDir, fingerprint, model.vectorDim) });
  }

  /**
   * open, in steps that give the event loop back in between and read the snapshot without
   * blocking, so that a process serving the interface (the harness) keeps answering meanwhile.
   */
  static async openAsync(lib: Library, modelDir: string): Promise<Recommender> {
    const pause = () => new Promise<void>((r) => setImmediate(r));
    const fingerprint = catalogFingerprint(lib.sqlite, modelDir);
    const { model, manifest } = loadModel(modelDir);
    await pause();
    const snap = await loadSnapshotAsync(modelDir, fingerprint, model.vectorDim);
    await pause();
    return new Recommender(lib, model, manifest, modelDir, { fingerprint, snap });
  }

  get catalogSize(): number {
    return this.catalog.trackId.length;
  }

  /**
   * What a person's serving state depends on: their profile fields and their listening (count and
   * newest row). The catalogue and the model are fixed for this object's lifetime (the service
   * opens a new Recommender when either changes), so this is enough to reuse the state.
   */
  private userKey(profileId: number): string {
    return versions.profileVersion(this.lib.sqlite, profileId, 'favourites');
  }

  /** The person's features, vector and history, rebuilt only when their data changed. */
  private user(profileId: number): ServingUser {
    const seen = dbVersion(this.lib.sqlite);
    const hit = this.users.get(profileId);
    const key = hit?.seen === seen ? hit.key : this.userKey(profileId);
    if (hit?.key === key) {
      hit.seen = seen;
      if (this.ftProfile !== profileId) {
        this.ft.setUsers(hit.user.features);
        this.ftProfile = profileId;
      }
      return hit.user;
    }
    const user = this.buildUser(profileId);
    this.users.delete(profileId);
    if (this.users.size >= 64) this.users.delete(this.users.keys().next().value!);
    this.users.set(profileId, { key, seen, user });
    return user;
  }

  private buildUser(profileId: number): ServingUser {
    const data = loadProfileData(this.lib.sqlite, this.catalog, profileId);
    // Artists the person named (cold start) count in their state as listening.
    const agg = withFavourites(aggregateUsers(data, () => true, this.featureSpace.skipThresholdMs, this.featureSpace.recentHalfLifeDays, this.featureSpace.replayHalfLifeDays)[0], favouriteArtists(this.lib, profileId));
    const features = buildUserFeatures(data, [agg], this.featureSpace, this.community);
    this.ft.setUsers(features);
    this.ftProfile = profileId;
    const vector = userVectors(this.model, this.ft, [0]);
    const played = new Set<number>();
    let ySum = 0;
    let yW = 0;
    for (let i = 0; i < data.events.length; i++) {
      const t = data.events.track[i];
      if (t < 0) continue;
      played.add(t);
      const y = this.catalog.year[t];
      if (Number.isFinite(y)) {
        ySum += y;
        yW++;
      }
    }
    const saved = new Map(profileQueries.savedByArtist(this.lib.sqlite, profileId));
    let saves = 0;
    for (const n of saved.values()) saves += n;
    let events = 0;
    for (const n of agg.artistPlays.values()) events += n;
    return {
      profileId, data, agg, features, played, knownArtists: new Set(agg.artistWeight.keys()), saved, onlySaves: saves > 0 && saves >= events, vector,
      avgYear: yW ? ySum / yW : NaN,
    };
  }

  private feedbackOf(profileId: number) {
    const rows = feedbackRows.recentFeedback(this.lib.sqlite, profileId, 500);
    const liked: number[] = [];
    const disliked: number[] = [];
    const neverArtists = new Set<number>();
    for (const [trackId, artistId, kind] of rows) {
      const row = trackId === null ? undefined : this.catalog.rowOf.get(trackId);
      if (kind === 'never_artist' && artistId !== null) neverArtists.add(artistId);
      else if (row !== undefined && kind === 'like') liked.push(row);
      else if (row !== undefined && kind === 'dislike') disliked.push(row);
    }
    return { liked, disliked, neverArtists };
  }

  private dot(vec: Float32Array, t: number): number {
    const D = this.D;
    const o = t * D;
    let s = 0;
    for (let k = 0; k < D; k++) s += vec[k] * this.itemVecs[o + k];
    return s;
  }

  recommend(profileId: number, opts: RecommendOptions = {}): Recommendation[] {
    const k = opts.k ?? 20;
    const u = this.user(profileId);
    const fb = this.feedbackOf(profileId);
    const D = this.D;
    const n = this.catalog.trackId.length;
    // Feedback moves the person's vector towards what they liked and away from what they disliked;
    // `delta` is that move. Scores are (vector + delta)·item × scale + bias, so one search serves both.
    const delta = new Float32Array(D);
    for (const [list, sign] of [[fb.liked, 0.35], [fb.disliked, -0.35]] as const) {
      if (!list.length) continue;
      for (const t of list) for (let d = 0; d < D; d++) delta[d] += (sign / list.length) * this.itemVecs[t * D + d];
    }
    const hasFeedback = fb.liked.length + fb.disliked.length > 0;
    const query = Float32Array.from(u.vector, (x, d) => x + delta[d]);
    // What may be recommended at all.
    const allow = this.rankable.slice();
    if (opts.excludePlayed ?? true) for (const t of u.played) allow[t] = 0;
    for (const t of fb.disliked) allow[t] = 0;
    for (const a of fb.neverArtists) for (const t of this.byArtist.tracksOf(a)) allow[t] = 0;
    const genreIds = opts.genres?.length
      ? new Set([...this.catalog.genreName.entries()].filter(([, name]) => opts.genres!.includes(name)).map(([id]) => id))
      : null;
    if (genreIds || opts.yearFrom !== undefined || opts.yearTo !== undefined) {
      for (let t = 0; t < n; t++) {
        const y = this.catalog.year[t];
        if (
          (genreIds && !genreIds.has(this.catalog.genreId[t])) ||
          (opts.yearFrom !== undefined && !(y >= opts.yearFrom)) || (opts.yearTo !== undefined && !(y <= opts.yearTo))
        ) allow[t] = 0;
      }
    }
    // The discovery control lowers tracks by artists the person knows. Those are scored here,
    // exactly, and the index searches the rest: the union's best R are the best R overall.
    const penalty = (opts.discovery ?? 0) * 1.5;
    const R = Math.min(n, Math.max(300, k * 6));
    const pool: { t: number; logit: number }[] = [];
    let searchAllow = allow;
    if (penalty > 0 && u.knownArtists.size) {
      searchAllow = allow.slice();
      for (const a of u.knownArtists) {
        for (const t of this.byArtist.tracksOf(a)) {
          if (!allow[t]) continue;
          searchAllow[t] = 0;
          pool.push({ t, logit: this.dot(query, t) * this.scale + this.bias - penalty });
        }
      }
    }
    const found = this.index.search(query, R, { allow: searchAllow });
    found.ids.forEach((t, j) => pool.push({ t, logit: found.scores[j] * this.scale + this.bias }));
    pool.sort((a, b) => b.logit - a.logit || a.t - b.t);
    pool.length = Math.min(pool.length, R);
    // What feedback and the discovery control add on top of the model's own score.
    const shift = (t: number) => (hasFeedback ? this.dot(delta, t) * this.scale : 0) - (penalty > 0 && u.knownArtists.has(this.catalog.artistId[t]) ? penalty : 0);
    const blocked = (t: number) => !allow[t];
    // Without what the person played, the head's "discover" output ranks; with it, "all".
    const output: Output = (opts.excludePlayed ?? true) ? 'discover' : 'all';
    // Discovery with the library's neighbourhood score: its best tracks are candidates too.
    const nbr = this.model.hasHead && output === 'discover' ? this.neighbourhoodOf(profileId) : null;
    let cand = this.model.hasHead
      ? union(pool.map((p) => p.t), this.byArtist.ofListening(u.features, 0, R / 2, blocked))
      : Int32Array.from(pool, (p) => p.t);
    if (nbr) cand = union(cand, topPositive(nbr, (t) => !allow[t], NEIGHBOURHOOD_CANDIDATES));
    // Where the catalogue has tags and validation chose the content term: its best tracks too.
    const tags = this.model.hasHead && output === 'discover' && (this.fusion.content ?? 0) > 0 ? this.catalog.tags : undefined;
    const profile = tags && tagProfile(tags, u.features.trackReplay[0].keys());
    const content = profile && profileScores(tags!, profile);
    if (content) cand = union(cand, topPositive(content, (t) => !allow[t], CONTENT_CANDIDATES));
    if (!cand.length) return [];
    // The head's score, with the person's own listening (and the neighbourhood) blended in as chosen on validation.
    const head = this.model.hasHead ? this.headLogits(u, cand, output) : Float32Array.from(pool, (p) => p.logit);
    const own = this.model.hasHead ? fuse(head, listeningPrior(u.features, 0, this.catalog.artistId, cand, output, colistenShareOf(this.fusion)), this.fusion[output]) : head;
    const withNbr = nbr ? fuse(own, Float32Array.from(cand, (t) => nbr[t]), this.fusion.neighbours!.weight, this.fusion.neighbours!.scale) : own;
    const withContent = content ? fuse(withNbr, Float32Array.from(cand, (t) => content[t]), this.fusion.content!) : withNbr;
    const novelty = nbr ? this.fusion.neighbours!.novelty ?? 0 : 0;
    const fused = novelty > 0 ? fuse(withContent, noveltyOf(this.nbr!.nb!, cand), novelty) : withContent;
    const final = fused.map((l, i) => l + shift(cand[i]));
    const chosen = this.diversify(cand, final, k, opts.maxPerArtist ?? 2, opts.diversity ?? 0.2);
    const recs = chosen.map(({ t, logit }, i) => this.describe(t, logit, i + 1, u));
    if (opts.explain) {
      // What each blend added to each chosen track's score (0 without one).
      const at = new Map(Array.from(cand, (t, i) => [t, i]));
      const i = (t: number) => at.get(t)!;
      const exps = explainTracks(
        this.explainContext, u, chosen.map((c) => c.t), output, chosen.map((c) => own[i(c.t)] - head[i(c.t)]),
        chosen.map((c) => withNbr[i(c.t)] - own[i(c.t)]), chosen.map((c) => fused[i(c.t)] - withContent[i(c.t)]),
        chosen.map((c) => ({ contribution: withContent[i(c.t)] - withNbr[i(c.t)], tags: profile ? sharedTags(tags!, profile.profile, c.t) : [] })),
      );
      recs.forEach((r, i) => (r.explanation = exps[i]));
    }
    return recs;
  }

  /**
   * The library's neighbourhood score for one person (null when the model blends none, or the
   * library no longer has neighbours for them), over everyone's listening and likes as they are
   * now — the positives training validated it on: rebuilt when a listen or a profile is added or a
   * profile removed (`versions.listeningVersion`), and on a like or dislike where the library is
   * small enough to rebuild it in a moment (NEIGHBOURHOOD_FEEDBACK_PEOPLE).
   */
  private neighbourhoodOf(profileId: number): Float32Array | null {
    const blend = this.fusion.neighbours;
    if (!blend) return null;
    const seen = dbVersion(this.lib.sqlite);
    if (this.nbr?.seen !== seen) {
      const version = versions.listeningVersion(this.lib.sqlite);
      const feedback = versions.trackFeedbackVersion(this.lib.sqlite);
      const old = this.nbr;
      if (old && old.version === version && (old.feedback === feedback || old.row.size > NEIGHBOURHOOD_FEEDBACK_PEOPLE)) old.seen = seen;
      else {
        const data = loadData(this.lib.sqlite, { catalog: this.catalog });
        const people = data.profiles.length;
        const ok = people >= 2 && people <= MAX_NEIGHBOURHOOD_PEOPLE;
        const listened = ok ? buildInteractions(data, () => true, { skipThresholdMs: this.featureSpace.skipThresholdMs, minPositiveMs: this.manifest.config.preprocessing.min_positive_ms }) : null;
        const inter = listened ? withFeedback(listened, libraryFeedback(this.lib, data)) : null;
        const nb = inter ? new EaseNeighbourhood(positivesWithStrength(inter, people), this.catalog.trackId.length, blend, 16) : null;
        this.nbr = { seen, version, feedback, nb, row: new Map(data.profiles.map((p, i) => [p.id, i])) };
      }
    }
    const row = this.nbr!.row.get(profileId);
    return row === undefined || !this.nbr!.nb ? null : this.nbr!.nb.scores(row);
  }

  /** The concat head's logits for one person and candidate rows, from the cached tower outputs. */
  private headLogits(u: ServingUser, cand: Int32Array, output: Output): Float32Array {
    const R = cand.length;
    const out = tf.tidy(() => {
      const iIdx = tf.tensor1d(cand, 'int32');
      const uv = tf.tile(tf.tensor2d(u.vector, [1, this.D]), [R, 1]) as tf.Tensor2D;
      const rows = new Float32Array(R * this.D);
      cand.forEach((t, i) => rows.set(this.itemVecs.subarray(t * this.D, (t + 1) * this.D), i * this.D));
      const iv = tf.tensor2d(rows, [R, this.D]);
      return this.model.logits(uv, iv, this.ft.pairBatch(tf.zeros([R], 'int32') as tf.Tensor1D, iIdx, new Int32Array(R), cand), INFERENCE, output);
    });
    const data = Float32Array.from(out.dataSync());
    out.dispose();
    return data;
  }

  /** MMR: relevance against similarity to what is already chosen, with a per-artist cap. */
  private diversify(cand: Int32Array, logits: Float32Array, k: number, maxPerArtist: number, lambda: number) {
    const R = cand.length;
    const D = this.D;
    const rel = Float64Array.from(logits, sigmoid);
    const artist = Int32Array.from(cand, (t) => this.catalog.artistId[t]);
    // The candidates' vectors side by side, so the similarity updates walk memory in order.
    const vec = new Float32Array(R * D);
    for (let i = 0; i < R; i++) vec.set(this.itemVecs.subarray(cand[i] * D, (cand[i] + 1) * D), i * D);
    const chosen: { t: number; logit: number }[] = [];
    const perArtist = new Map<number, number>();
    const used = new Uint8Array(R);
    const maxSim = new Float64Array(R);
    while (chosen.length < k) {
      let best = -1;
      let bestVal = -Infinity;
      for (let i = 0; i < R; i++) {
        if (used[i]) continue;
        const v = (1 - lambda) * rel[i] - lambda * maxSim[i];
        if (v > bestVal && !(maxPerArtist > 0 && (perArtist.get(artist[i]) ?? 0) >= maxPerArtist)) {
          bestVal = v;
          best = i;
        }
      }
      if (best < 0) break;
      used[best] = 1;
      chosen.push({ t: cand[best], logit: logits[best] });
      perArtist.set(artist[best], (perArtist.get(artist[best]) ?? 0) + 1);
      if (lambda > 0) {
        const o = best * D;
        for (let i = 0; i < R; i++) {
          if (used[i]) continue;
          let s = 0;
          for (let d = 0, oi = i * D; d < D; d++) s += vec[o + d] * vec[oi + d];
          if (s > maxSim[i]) maxSim[i] = s;
        }
      }
    }
    return chosen;
  }

  private describe(t: number, logit: number, rank: number, u: ServingUser | null): Recommendation {
    const c = this.catalog;
    const g = c.genreId[t];
    return {
      rank,
      trackId: c.trackId[t],
      spotifyId: c.spotifyId[t],
      title: c.title[t],
      artist: c.artistName.get(c.artistId[t]) ?? '?',
      artistId: c.artistId[t],
      genre: g >= 0 ? (c.genreName.get(g) ?? null) : null,
      year: Number.isFinite(c.year[t]) ? c.year[t] : null,
      durationMs: Number.isFinite(c.durationMs[t]) ? c.durationMs[t] : null,
      score: sigmoid(logit),
      knownArtist: u ? u.knownArtists.has(c.artistId[t]) : false,
    };
  }

  /** Nearest tracks to one track by item vector ("more like this"). */
  similar(trackId: number, k = 20): Recommendation[] {
    const t0 = this.catalog.rowOf.get(trackId);
    if (t0 === undefined) throw new Error(`no track with id ${trackId}`);
    const q = this.itemVecs.slice(t0 * this.D, (t0 + 1) * this.D);
    const allow = this.rankable.slice();
    allow[t0] = allow[this.catalog.canonical[t0]] = 0;
    const r = this.index.search(q, k, { allow });
    return Array.from(r.ids, (t, i) => ({ ...this.describe(t, r.scores[i] * this.scale + this.bias, i + 1, null), score: r.scores[i] }));
  }

  feedback(profileId: number, kind: FeedbackKind, target: { trackId?: number; artistId?: number }): void {
    let artistId = target.artistId ?? null;
    if (kind === 'never_artist' && artistId === null && target.trackId !== undefined) {
      const row = this.catalog.rowOf.get(target.trackId);
      if (row !== undefined) artistId = this.catalog.artistId[row];
    }
    if (kind !== 'never_artist' && target.trackId === undefined) throw new Error(`${kind} needs a track`);
    if (kind === 'never_artist' && artistId === null) throw new Error('never_artist needs an artist or a track');
    feedbackRows.addFeedback(this.lib.sqlite, profileId, kind, kind === 'never_artist' ? null : target.trackId!, artistId);
  }

  dispose(): void {
    this.index.close();
    this.ft.dispose();
    this.model.dispose();
  }
}

function loadProfileDataEmpty() {
  return { profile: new Int32Array(0), ts: new Float64Array(0), track: new Int32Array(0), artist: new Int32Array(0), msPlayed: new Float64Array(0), skipped: new Int8Array(0), length: 0 };
}
