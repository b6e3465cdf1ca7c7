/**
 * The hybrid two-tower model of the plan.
 *  - User tower: numeric profile (age, listening hours, genre diversity, average audio profile…),
 *    embeddings of country, gender, top genre and age bucket, and the play-time-weighted mean of
 *    the artists in the person's history — sharing the item tower's artist embedding.
 *  - Item tower: artist, genre and year-bucket embeddings, numeric track features.
 *  - Prediction: `dot` (cosine / dot product → sigmoid) or `concat` (user vector, item vector,
 *    their product, the audio fit |avg_x − x| and age×genre / country×genre interactions →
 *    dense layers with dropout → sigmoid).
 */
import type { AppConfig } from '../../../shared/config-schema';
import { tf } from '../backend';
import type { Dims } from '../data/features';
import { Rng } from '../../util/random';
import { BnUpdates, type BatchNorm, type Dense, ParamStore } from './params';

export interface UserInputs {
  numeric: tf.Tensor2D;
  country: tf.Tensor1D;
  gender: tf.Tensor1D;
  topGenre: tf.Tensor1D;
  ageBucket: tf.Tensor1D;
  historyArtist: tf.Tensor2D;
  historyWeight: tf.Tensor2D;
  historyTrack: tf.Tensor2D;
  historyTrackWeight: tf.Tensor2D;
}

export interface ItemInputs {
  numeric: tf.Tensor2D;
  artist: tf.Tensor1D;
  track: tf.Tensor1D;
  genre: tf.Tensor1D;
  yearBucket: tf.Tensor1D;
}

export interface PairInputs {
  /** |user avg − item| on the audio-fit columns (closeness to the person's average), B × audioFit. */
  audioFit: tf.Tensor2D;
  /** Share of the person's listening on the track's artist and genre, B × 2. */
  affinity: tf.Tensor2D;
  ageBucket: tf.Tensor1D;
  country: tf.Tensor1D;
  genre: tf.Tensor1D;
}

export interface ForwardContext {
  training: boolean;
  bn: BnUpdates | null;
  /** Seed for this step's dropout masks. */
  dropoutSeed: number;
}

export const INFERENCE: ForwardContext = { training: false, bn: null, dropoutSeed: 0 };

interface Tower {
  hidden: { dense: Dense; bn: BatchNorm | null }[];
  out: Dense;
  dropout: number;
}

export type ModelConfig = AppConfig['model'];
/** Which of the head's outputs ranks: everything the person might play, or only what is new to them. */
export type Output = 'all' | 'discover';
/**
 * Weight of the person's own listening blended into each output's ranking (inference/fusion.ts),
 * and of the library's neighbourhood score in discovery's (inference/neighbourhood.ts; absent: none).
 */
export type FusionWeights = Record<Output, number> & {
  /** The neighbourhood score's weight and setting (weighted: play-weighted X; absent: 0/1), and the novelty term's weight (none: 0). */
  /**
   * The neighbourhood's weight and setting; `scale`: its score's spread over the people's
   * candidates on validation, by which each person's score is standardised (absent — models saved
   * before the eighteenth session — each person's own spread).
   */
  neighbours?: { weight: number; lambda: number; dropout?: number; weighted?: boolean; novelty?: number; scale?: number };
  /**
   * The community's co-listening share in discovery's own-listening signal, chosen on validation
   * (inference/fusion.ts COLISTEN_SHARES); absent (models saved before it was chosen): COLISTEN_IN_PRIOR.
   */
  colisten?: number;
  /** The content term's weight in discovery's blend (inference/content.ts; absent: none). */
  content?: number;
};

/** One network of the model: its embeddings, towers and head (an ensemble holds several). */
class Member {
  private readonly artistEmb: tf.Variable;
  private readonly trackEmb: tf.Variable | null;
  private readonly genreEmb: tf.Variable;
  private readonly yearEmb: tf.Variable;
  private readonly countryEmb: tf.Variable;
  private readonly genderEmb: tf.Variable;
  private readonly topGenreEmb: tf.Variable;
  private readonly ageEmb: tf.Variable;
  private readonly ageGenreEmb: tf.Variable | null;
  private readonly countryGenreEmb: tf.Variable | null;
  private readonly userTower: Tower;
  private readonly itemTower: Tower;
  private readonly head: { layers: Dense[]; out: Dense; wide: Dense } | null;
  private readonly dotBias: tf.Variable;
  readonly hasHead: boolean;

  /** `prefix` names this member's weights ('' for the first, so single models keep their names). */
  constructor(private readonly params: ParamStore, readonly dims: Dims, readonly cfg: ModelConfig, private readonly prefix: string) {
    const p = params;
    const name = (n: string) => `${prefix}${n}`;
    const ut = cfg.user_tower;
    const it = cfg.item_tower;
    this.artistEmb = p.embedding(name('item/artist'), dims.artists, it.artist_embedding_dim);
    const td = it.track_embedding_dim ?? 0;
    this.trackEmb = td > 0 ? p.embedding(name('item/track'), dims.tracks, td) : null;
    this.genreEmb = p.embedding(name('item/genre'), dims.genres, it.genre_embedding_dim);
    this.yearEmb = p.embedding(name('item/year_bucket'), dims.yearBuckets, it.year_bucket_embedding_dim);
    this.countryEmb = p.embedding(name('user/country'), dims.countries, ut.country_embedding_dim);
    this.genderEmb = p.embedding(name('user/gender'), dims.genders, ut.gender_embedding_dim);
    this.topGenreEmb = p.embedding(name('user/top_genre'), dims.genres, ut.genre_embedding_dim);
    this.ageEmb = p.embedding(name('user/age_bucket'), dims.ageBuckets, ut.age_bucket_embedding_dim);
    const userIn = dims.userNumeric + ut.country_embedding_dim + ut.gender_embedding_dim + ut.genre_embedding_dim +
      ut.age_bucket_embedding_dim + (ut.history_input ? it.artist_embedding_dim + td : 0);
    const itemIn = dims.itemNumeric + it.artist_embedding_dim + td + it.genre_embedding_dim + it.year_bucket_embedding_dim;
    this.userTower = this.tower('user', userIn, ut.hidden_units, ut.batch_norm, ut.dropout);
    this.itemTower = this.tower('item', itemIn, it.hidden_units, it.batch_norm, it.dropout);
    this.dotBias = p.scalar(name('score/bias'), 0);
    if (cfg.prediction === 'concat') {
      this.ageGenreEmb = p.embedding(name('head/age_x_genre'), dims.ageBuckets * dims.genres, 4);
      this.countryGenreEmb = p.embedding(name('head/country_x_genre'), dims.countries * dims.genres, 4);
      let inDim = 3 * cfg.embedding_dim + dims.audioFit + dims.affinity + 8;
      const layers = cfg.head.hidden_units.map((units, i) => {
        const d = p.dense(name(`head/dense_${i}`), inDim, units);
        inDim = units;
        return d;
      });
      // Wide & deep: the interaction features also reach the logit through one linear layer, so
      // "played often and lately" is learnt at once, while the deep layers learn the rest.
      // Two outputs, one network: column 0 ranks everything the person might play (replays and
      // discoveries: "all"), column 1 ranks tracks new to them ("discover"), trained with
      // discoveries weighted up and without "other tracks by your artists" as negatives.
      this.head = { layers, out: p.dense(name('head/out'), inDim, 2), wide: p.dense(name('head/wide'), dims.affinity, 2) };
    } else {
      this.ageGenreEmb = null;
      this.countryGenreEmb = null;
      this.head = null;
    }
    this.hasHead = this.head !== null;
  }

  private tower(name: string, inDim: number, hidden: number[], batchNorm: boolean, dropout: number): Tower {
    let d = inDim;
    const layers = hidden.map((units, i) => {
      const dense = this.params.dense(`${this.prefix}${name}/dense_${i}`, d, units);
      d = units;
      return { dense, bn: batchNorm ? this.params.batchNorm(`${this.prefix}${name}/bn_${i}`, units) : null };
    });
    return { hidden: layers, out: this.params.dense(`${this.prefix}${name}/out`, d, this.cfg.embedding_dim), dropout };
  }

  private runTower(t: Tower, x: tf.Tensor2D, ctx: ForwardContext, salt: number): tf.Tensor2D {
    let h = x;
    t.hidden.forEach((layer, i) => {
      h = layer.dense.apply(h);
      if (layer.bn) h = layer.bn.apply(h, ctx.training ? ctx.bn : null);
      h = tf.relu(h);
      if (ctx.training && t.dropout > 0) h = tf.dropout(h, t.dropout, undefined, ctx.dropoutSeed + salt + i) as tf.Tensor2D;
    });
    return t.out.apply(h);
  }

  private pool(table: tf.Variable, idx: tf.Tensor2D, weight: tf.Tensor2D): tf.Tensor2D {
    const [b, h] = idx.shape;
    const e = tf.reshape(tf.gather(table, tf.reshape(idx, [b * h])), [b, h, -1]);
    return tf.sum(tf.mul(e, tf.expandDims(weight, 2)), 1) as tf.Tensor2D;
  }

  /** Play-time-weighted means of the embeddings of the history's artists (and tracks). */
  historyVector(u: UserInputs): tf.Tensor2D {
    const artists = this.pool(this.artistEmb, u.historyArtist, u.historyWeight);
    if (!this.trackEmb) return artists;
    return tf.concat([artists, this.pool(this.trackEmb, u.historyTrack, u.historyTrackWeight)], 1);
  }

  userVector(u: UserInputs, ctx: ForwardContext): tf.Tensor2D {
    const parts: tf.Tensor2D[] = [
      u.numeric,
      tf.gather(this.countryEmb, u.country) as tf.Tensor2D,
      tf.gather(this.genderEmb, u.gender) as tf.Tensor2D,
      tf.gather(this.topGenreEmb, u.topGenre) as tf.Tensor2D,
      tf.gather(this.ageEmb, u.ageBucket) as tf.Tensor2D,
    ];
    if (this.cfg.user_tower.history_input) parts.push(this.historyVector(u));
    return this.normalise(this.runTower(this.userTower, tf.concat(parts, 1), ctx, 11));
  }

  itemVector(i: ItemInputs, ctx: ForwardContext): tf.Tensor2D {
    const parts: tf.Tensor2D[] = [i.numeric, tf.gather(this.artistEmb, i.artist) as tf.Tensor2D];
    if (this.trackEmb) parts.push(tf.gather(this.trackEmb, i.track) as tf.Tensor2D);
    parts.push(tf.gather(this.genreEmb, i.genre) as tf.Tensor2D, tf.gather(this.yearEmb, i.yearBucket) as tf.Tensor2D);
    const x = tf.concat(parts, 1);
    return this.normalise(this.runTower(this.itemTower, x, ctx, 23));
  }

  private normalise(v: tf.Tensor2D): tf.Tensor2D {
    // x / sqrt(|x|² + ε): unlike tf.norm, its gradient stays finite at the zero vector.
    if (this.cfg.similarity === 'cosine') return tf.mul(v, tf.rsqrt(tf.add(tf.sum(tf.square(v), 1, true), 1e-6))) as tf.Tensor2D;
    return tf.div(v, Math.sqrt(this.cfg.embedding_dim)) as tf.Tensor2D;
  }

  /** The retrieval score: similarity / temperature + bias (a logit). */
  dotLogits(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D {
    return tf.add(tf.div(tf.sum(tf.mul(u, v), 1), this.cfg.temperature), this.dotBias) as tf.Tensor1D;
  }

  get bias(): tf.Variable {
    return this.dotBias;
  }

  /** Both outputs' logits for matched user / item rows, B × 2 (column 0 "all", column 1 "discover"). */
  logitsBoth(u: tf.Tensor2D, v: tf.Tensor2D, pair: PairInputs, ctx: ForwardContext): tf.Tensor2D {
    if (!this.head) {
      const d = tf.reshape(this.dotLogits(u, v), [-1, 1]);
      return tf.concat([d, d], 1) as tf.Tensor2D;
    }
    const g = tf.scalar(this.dims.genres, 'int32');
    const ageGenre = tf.gather(this.ageGenreEmb!, tf.add(tf.mul(pair.ageBucket, g), pair.genre)) as tf.Tensor2D;
    const countryGenre = tf.gather(this.countryGenreEmb!, tf.add(tf.mul(pair.country, g), pair.genre)) as tf.Tensor2D;
    let h: tf.Tensor2D = tf.concat([u, v, tf.mul(u, v) as tf.Tensor2D, pair.audioFit, pair.affinity, ageGenre, countryGenre], 1);
    this.head.layers.forEach((layer, i) => {
      h = tf.relu(layer.apply(h));
      if (ctx.training && this.cfg.head.dropout > 0) h = tf.dropout(h, this.cfg.head.dropout, undefined, ctx.dropoutSeed + 101 + i) as tf.Tensor2D;
    });
    const deep = tf.add(this.head.out.apply(h), this.head.wide.apply(pair.affinity)) as tf.Tensor2D;
    // The retrieval score may be added as a prior. Off by default: with one person's listening it
    // memorises which tracks they played (at any time) and drowns what the state says about now.
    return this.cfg.head.add_retrieval_score ? (tf.add(deep, tf.reshape(this.dotLogits(u, v), [-1, 1])) as tf.Tensor2D) : deep;
  }
}

/**
 * The model: one network, or (`model.ensemble` > 1) several — trained separately (see the
 * trainer's `train`), their scores averaged. The towers' vectors are the members' vectors side by
 * side, so a dot product of them is the sum of the members' dot products: retrieval, the vector
 * index and the serving snapshot work unchanged.
 */
export class TwoTowerModel {
  readonly params: ParamStore;
  private readonly members: Member[];
  /** Length of a tower's output vector: members × embedding_dim. */
  readonly vectorDim: number;

  constructor(readonly dims: Dims, readonly cfg: ModelConfig, seed: number) {
    this.params = new ParamStore(new Rng(seed));
    const n = Math.max(1, cfg.ensemble ?? 1);
    this.members = Array.from({ length: n }, (_, m) => new Member(this.params, dims, cfg, m === 0 ? '' : `m${m}/`));
    this.vectorDim = n * cfg.embedding_dim;
  }

  get size(): number {
    return this.members.length;
  }

  get hasHead(): boolean {
    return this.members[0].hasHead;
  }

  /** Member m's part of a side-by-side vector batch. */
  private part(x: tf.Tensor2D, m: number): tf.Tensor2D {
    if (this.members.length === 1) return x;
    const D = this.cfg.embedding_dim;
    return tf.slice(x, [0, m * D], [-1, D]);
  }

  private joined(f: (member: Member, m: number) => tf.Tensor2D): tf.Tensor2D {
    const parts = this.members.map(f);
    return parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor2D);
  }

  private mean<T extends tf.Tensor>(parts: T[]): T {
    return (parts.length === 1 ? parts[0] : tf.div(tf.addN(parts), parts.length)) as T;
  }

  userVector(u: UserInputs, ctx: ForwardContext): tf.Tensor2D {
    return this.joined((member) => member.userVector(u, ctx));
  }

  itemVector(i: ItemInputs, ctx: ForwardContext): tf.Tensor2D {
    return this.joined((member) => member.itemVector(i, ctx));
  }

  /** Each member's retrieval logit for matched rows. */
  dotLogitsEach(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D[] {
    return this.members.map((member, m) => member.dotLogits(this.part(u, m), this.part(v, m)));
  }

  /** The retrieval score: the members' mean similarity / temperature + bias (a logit). */
  dotLogits(u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D {
    return this.mean(this.dotLogitsEach(u, v));
  }

  /** Retrieval logit = (side-by-side vectors' dot product) × scale + bias, for scoring many items at once outside the graph. */
  dotTransform(): { scale: number; bias: number } {
    const bias = this.members.reduce((s, member) => s + member.bias.dataSync()[0], 0) / this.members.length;
    return { scale: 1 / (this.cfg.temperature * this.members.length), bias };
  }

  /** Each member's two outputs for matched rows, B × 2 each. */
  logitsBothEach(u: tf.Tensor2D, v: tf.Tensor2D, pair: PairInputs, ctx: ForwardContext): tf.Tensor2D[] {
    return this.members.map((member, m) => member.logitsBoth(this.part(u, m), this.part(v, m), pair, ctx));
  }

  /** Both outputs' logits for matched user / item rows, B × 2 (column 0 "all", column 1 "discover"): the members' mean. */
  logitsBoth(u: tf.Tensor2D, v: tf.Tensor2D, pair: PairInputs, ctx: ForwardContext): tf.Tensor2D {
    return this.mean(this.logitsBothEach(u, v, pair, ctx));
  }

  /** One output's logit: "all" (replays and discoveries) or "discover" (tracks new to the person). */
  logits(u: tf.Tensor2D, v: tf.Tensor2D, pair: PairInputs, ctx: ForwardContext, output: Output = 'all'): tf.Tensor1D {
    const both = this.logitsBoth(u, v, pair, ctx);
    return tf.reshape(tf.slice(both, [0, output === 'all' ? 0 : 1], [-1, 1]), [-1]) as tf.Tensor1D;
  }

  newBnUpdates(): BnUpdates {
    return new BnUpdates();
  }

  /** L2 penalty on dense kernels. */
  l2(): tf.Scalar {
    let s: tf.Scalar = tf.scalar(0);
    for (const [name, v] of this.params.vars) if (name.endsWith('/kernel')) s = tf.add(s, tf.sum(tf.square(v))) as tf.Scalar;
    return s;
  }

  dispose(): void {
    this.params.dispose();
  }
}
