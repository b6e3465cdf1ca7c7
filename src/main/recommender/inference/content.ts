/**
 * The content term of discovery's blend: how well a track's *tags* fit the tags of what the
 * person plays — "tagged like what you play". Where a catalogue describes its rows with tags
 * (HetRec's artists carry the tags its listeners gave them), each row is a tf-idf vector over tags
 * (log(1 + times applied) × log((rows + 1) / (rows with the tag + 1)), unit length), the person's profile
 * is the sum of the vectors of the rows they played before the moment ranked (their decayed
 * replays' rows: training for validation, everything before the test period for test), and a row's
 * score is its cosine with that profile.
 *
 * The co-counting signals (the network, co-listening, EASE) know a row only through the people who
 * play it; tags reach the long tail those miss. On HetRec's RecBole split, with tags a person gave
 * to their own held-out artists left out (they would tell the answer), blending it in raised test
 * NDCG@10 on each of three seeds in a scratch study (EASE + co-listening 0.2152 → 0.2207 on seed 1);
 * its weight is chosen on validation with the rest of the blend (`model.head.content_weights`,
 * docs/EVALUATION.md). A catalogue without tags (the Spotify catalogues) has no term.
 */
/** Each catalogue row's tag vector (CSR: row r's tags are tag[offsets[r] .. offsets[r + 1]]), unit length. */
export interface ItemTags {
  offsets: Int32Array;
  tag: Int32Array;
  weight: Float32Array;
  /** Every tag id is below this (the profile's length). */
  tags: number;
}

/** How many of the content term's best rows join discovery's candidates. */
export const CONTENT_CANDIDATES = 50;

/**
 * Tag vectors from (row, tag) assignments (one per time a tag was applied; repeats count):
 * log(1 + count) × log((rows + 1) / (rows with the tag + 1)), each row scaled to unit length; tags
 * applied fewer than `minUses` times are left out. Rows without tags have empty vectors.
 */
export function tagVectors(rows: number, assignments: Iterable<readonly [row: number, tag: number]>, minUses = 1): ItemTags {
  const perRow: Map<number, number>[] = Array.from({ length: rows }, () => new Map());
  const uses = new Map<number, number>();
  let tags = 0;
  for (const [r, t] of assignments) {
    if (!(r >= 0 && r < rows) || !(t >= 0)) continue;
    perRow[r].set(t, (perRow[r].get(t) ?? 0) + 1);
    uses.set(t, (uses.get(t) ?? 0) + 1);
    if (t >= tags) tags = t + 1;
  }
  // Tags applied fewer than `minUses` times in all describe nobody's taste but their tagger's.
  if (minUses > 1) for (const m of perRow) for (const t of m.keys()) if (uses.get(t)! < minUses) m.delete(t);
  const df = new Float64Array(tags);
  for (const m of perRow) for (const t of m.keys()) df[t]++;
  const offsets = new Int32Array(rows + 1);
  perRow.forEach((m, r) => (offsets[r + 1] = offsets[r] + m.size));
  const tag = new Int32Array(offsets[rows]);
  const weight = new Float32Array(offsets[rows]);
  perRow.forEach((m, r) => {
    let k = offsets[r];
    let norm = 0;
    for (const [t, n] of [...m].sort((a, b) => a[0] - b[0])) {
      const w = Math.log1p(n) * Math.log((rows + 1) / (df[t] + 1));
      tag[k] = t;
      weight[k++] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    for (let j = offsets[r]; j < k; j++) weight[j] = norm > 0 ? weight[j] / norm : 0;
  });
  return { offsets, tag, weight, tags };
}

/**
 * Every row's cosine with the profile of `history` (rows the person played); undefined when that
 * profile is empty (nothing played carries a tag).
 */
export function contentScores(it: ItemTags, history: Iterable<number>): Float32Array | undefined {
  const profile = new Float64Array(it.tags);
  let any = false;
  for (const r of history) {
    for (let j = it.offsets[r]; j < it.offsets[r + 1]; j++) {
      profile[it.tag[j]] += it.weight[j];
      any = true;
    }
  }
  if (!any) return undefined;
  let norm = 0;
  for (const x of profile) norm += x * x;
  norm = Math.sqrt(norm);
  if (!(norm > 0)) return undefined;
  const rows = it.offsets.length - 1;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = it.offsets[r]; j < it.offsets[r + 1]; j++) s += it.weight[j] * profile[it.tag[j]];
    out[r] = s / norm;
  }
  return out;
}
