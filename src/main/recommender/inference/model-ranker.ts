/**
 * The two-tower model as a ranker: retrieval by dot product over precomputed item vectors, then
 * (concat head) re-ranking of the best candidates with the full model.
 */
import { tf } from '../backend';
import type { FeatureTensors } from '../data/tensors';
import type { Output, TwoTowerModel } from '../models/two-tower';
import { copiesOf, topN, type Ranker } from '../evaluation/ranking';
import { ArtistCandidates, topPositive, union } from './candidates';
import { CONTENT_CANDIDATES, contentScores } from './content';
import { colistenOver, colistenShareOf, fuse, listeningPrior, NO_FUSION, type FusionWeights } from './fusion';
import { NEIGHBOURHOOD_CANDIDATES, noveltyOf, type Neighbourhood } from './neighbourhood';
import { dotScores, itemVectors, pairLogits, userVectors } from './scoring';

/** One person's re-ranked candidates: rows, the head's logits, and the listening prior of the output. */
export interface RankedCandidates {
  user: number;
  /** Retrieval scores of every row (users × items slice), before re-ranking. */
  retrieval: Float32Array;
  cand: Int32Array;
  logits: Float32Array;
  /** The person's own listening over the candidates (discovery: without the community's co-listening). */
  prior: Float32Array;
  /** Discovery with community data: the co-listening score of each candidate's artist, added to `prior` at the chosen share. */
  colisten?: Float32Array;
  /** The neighbourhood score over the candidates (discovery with a neighbourhood only). */
  nbr?: Float32Array;
  /** The novelty term over the candidates (the same). */
  novelty?: Float32Array;
  /** Discovery where the catalogue has tags: the content term over the candidates (inference/content.ts). */
  content?: Float32Array;
  /**
   * With the content term: how many of `cand` came before it — the rows after them only the term
   * brought in, candidates only where it is blended in (weight > 0), as serving adds them only then.
   */
  contentFrom?: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export class ModelRanker implements Ranker {
  readonly name = 'two_tower';
  /** The head's output that ranks: "discover" for lists without what the person played, "all" with it. */
  output: Output = 'all';
  /** Blend of the person's own listening per output (chosen on validation; see fusion.ts). */
  fusion: FusionWeights = NO_FUSION;
  readonly itemVecs: Float32Array;
  private readonly itemVecsT: tf.Tensor2D;
  private readonly byArtist: ArtistCandidates;
  /** Rows that are another copy of a recording (never candidates). */
  private readonly copies: Int32Array;

  /**
   * `neighbourhood`: the library's neighbourhood score for the person rows of `ft` (as of the same
   * moment as their state); its best tracks join discovery's candidates and its weight in the
   * blend is `fusion.neighbours`.
   */
  constructor(private model: TwoTowerModel, private ft: FeatureTensors, fusion?: FusionWeights, private rerankTop = 200, readonly neighbourhood?: Neighbourhood) {
    if (fusion) this.fusion = fusion;
    this.itemVecs = itemVectors(model, ft);
    this.byArtist = new ArtistCandidates(ft.items);
    this.copies = copiesOf(ft.items.canonical);
    this.itemVecsT = tf.tidy(() => tf.transpose(tf.tensor2d(this.itemVecs, [ft.items.n, model.vectorDim])));
  }

  score(users: number[], exclude: Set<number>[]): Float32Array[] {
    const nb = this.fusion.neighbours;
    return this.candidates(users, exclude).map((c) => this.compose(c, this.fusion[this.output], nb?.weight ?? 0, nb?.novelty ?? 0, colistenShareOf(this.fusion), this.fusion.content ?? 0, nb?.scale));
  }

  /** Retrieval for each person, and (concat head) the head's logits and the prior over the re-ranked candidates. */
  candidates(users: number[], exclude: Set<number>[]): RankedCandidates[] {
    const n = this.ft.items.n;
    const all = dotScores(this.model, userVectors(this.model, this.ft, users), this.itemVecsT, users.length);
    const nbs = this.output === 'discover' && this.model.hasHead ? this.neighbourhood?.scoresMany(users) : undefined;
    return users.map((u, j) => {
      const retrieval = all.slice(j * n, (j + 1) * n);
      if (!this.model.hasHead) return { user: u, retrieval, cand: new Int32Array(0), logits: new Float32Array(0), prior: new Float32Array(0) };
      const masked = retrieval.slice();
      for (const x of exclude[j] ?? []) masked[x] = -Infinity;
      for (const t of this.copies) masked[t] = -Infinity;
      const canon = this.ft.items.canonical;
      const ex = exclude[j] ?? new Set<number>();
      const skip = (t: number) => ex.has(t) || canon[t] !== t;
      const users = this.ft.users;
      const half = this.rerankTop / 2;
      let cand = union(topN(masked, Math.min(this.rerankTop, n)), this.byArtist.ofListening(users, u, half, skip));
      // Discovery with a neighbourhood: its best tracks are candidates too, and its score is kept.
      const nb = nbs?.[j];
      if (nb) {
        cand = union(cand, topPositive(nb, skip, NEIGHBOURHOOD_CANDIDATES));
      }
      // Discovery where the catalogue has tags: the content term's best rows are candidates too.
      const tags = this.output === 'discover' ? this.ft.items.tags : undefined;
      const cs = tags ? contentScores(tags, users.trackReplay[u].keys()) : undefined;
      const contentFrom = cs ? cand.length : undefined;
      // (union keeps `cand` first: the term's own rows come after contentFrom)
      if (cs) cand = union(cand, topPositive(cs, skip, CONTENT_CANDIDATES));
      const logits = pairLogits(this.model, this.ft, new Int32Array(cand.length).fill(u), cand, this.output);
      const nbr = nb ? Float32Array.from(cand, (t) => nb[t]) : undefined;
      const novelty = nb ? noveltyOf(this.neighbourhood!, cand) : undefined;
      const prior = listeningPrior(users, u, this.ft.items.artistId, cand, this.output, 0);
      const colisten = this.output === 'discover' ? colistenOver(users, u, this.ft.items.artistId, cand) : undefined;
      const content = cs ? Float32Array.from(cand, (t) => cs[t]) : undefined;
      return { user: u, retrieval, cand, logits, prior, colisten, nbr, novelty, content, contentFrom };
    });
  }

  /**
   * A whole-catalogue score row from one person's candidates, with the prior (its co-listening at
   * share `wc`) blended in at weight `w`, then (discovery) the neighbourhood score at weight `wn`
   * — standardised by the library-wide `nbrScale` where given (FusionWeights.neighbours.scale) —,
   * the content term at `wt` and the novelty term at `wv`.
   */
  compose(c: RankedCandidates, w: number, wn = 0, wv = 0, wc = 0, wt = 0, nbrScale?: number): Float32Array {
    if (!this.model.hasHead) return c.retrieval;
    // Without the content term, the candidates (and the blends' standardisation) are those before
    // it, as in serving, which adds the term's rows only when it blends it in.
    if (!(wt > 0) && c.contentFrom !== undefined && c.contentFrom < c.cand.length) {
      const n = c.contentFrom;
      const cut = <T extends Float32Array | Int32Array | undefined>(x: T): T => x?.subarray(0, n) as T;
      return this.compose({ ...c, cand: cut(c.cand), logits: cut(c.logits), prior: cut(c.prior), colisten: cut(c.colisten), nbr: cut(c.nbr), novelty: cut(c.novelty), content: undefined, contentFrom: undefined }, w, wn, wv, wc, 0, nbrScale);
    }
    const row = c.retrieval.slice();
    const prior = c.colisten && wc > 0 ? c.prior.map((p, i) => p + wc * c.colisten![i]) : c.prior;
    const own = fuse(c.logits, prior, w);
    const withNbr = c.nbr && wn > 0 ? fuse(own, c.nbr, wn, nbrScale) : own;
    const blended = c.content && wt > 0 ? fuse(withNbr, c.content, wt) : withNbr;
    const final = c.novelty && wv > 0 ? fuse(blended, c.novelty, wv) : blended;
    // Candidates keep their full-model scores; everything else stays below them, in retrieval order.
    for (let i = 0; i < row.length; i++) row[i] -= 1e4;
    c.cand.forEach((t, i) => (row[t] = final[i]));
    return row;
  }

  probabilities(user: number, items: Int32Array): Float32Array {
    const logits = pairLogits(this.model, this.ft, new Int32Array(items.length).fill(user), items, this.output);
    return logits.map(sigmoid);
  }

  /** This ranker set to `output` (the same item vectors). */
  as(output: Output): this {
    this.output = output;
    return this;
  }

  dispose(): void {
    this.itemVecsT.dispose();
  }
}
