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
  /** Tag id → its name, where the tags have names (a library's imported tags; explanations read them). */
  names?: string[];
}

/** How many of the content term's best rows join discovery's candidates. */
export const CONTENT_CANDIDATES = 50;

/**
 * Tag vectors from (row, tag) assignments (one per time a tag was applied, repeats counting — or
 * with the times applied as a third element), weighted as artistTagVectors weighs them; tags
 * applied fewer than `minUses` times are left out. Rows without tags have empty vectors.
 */
export function tagVectors(rows: number, assignments: Iterable<readonly [row: number, tag: number, times?: number]>, minUses = 1): ItemTags {
  const perRow = new Map<number, Map<number, number>>();
  const uses = new Map<number, number>();
  let tags = 0;
  for (const [r, t, times = 1] of assignments) {
    if (!(r >= 0 && r < rows) || !(t >= 0) || !(times > 0)) continue;
    const m = perRow.get(r) ?? perRow.set(r, new Map()).get(r)!;
    m.set(t, (m.get(t) ?? 0) + times);
    uses.set(t, (uses.get(t) ?? 0) + times);
    if (t >= tags) tags = t + 1;
  }
  // Tags applied fewer than `minUses` times in all describe nobody's taste but their tagger's.
  if (minUses > 1) for (const m of perRow.values()) for (const t of m.keys()) if (uses.get(t)! < minUses) m.delete(t);
  // Each row carries tags of its own: the vectors of rows that are their own "artist".
  const own = Int32Array.from({ length: rows }, (_, r) => r);
  return { ...artistTagVectors(own, new Map([...perRow].map(([r, m]) => [r, [...m]]))), tags };
}

/**
 * Tag vectors for rows that carry their artist's tags (`byArtist`: artist → [tag, times applied]):
 * log(1 + times) × log((rows + 1) / (rows with the tag + 1)), each vector scaled to unit length —
 * computed once per artist and copied to its rows (a catalogue has ~116,000 rows and a few
 * thousand tagged artists: a tenth of the time row by row takes).
 */
export function artistTagVectors(artistOfRow: Int32Array, byArtist: Map<number, readonly (readonly [number, number])[]>): ItemTags {
  const rows = artistOfRow.length;
  const rowsOf = new Map<number, number>();
  for (const a of artistOfRow) if (byArtist.has(a)) rowsOf.set(a, (rowsOf.get(a) ?? 0) + 1);
  // Each artist's tags merged and sorted, as a row's map would hold them.
  const merged = new Map<number, [number, number][]>();
  let tags = 0;
  for (const [a, list] of byArtist) {
    if (!rowsOf.has(a)) continue;
    const m = new Map<number, number>();
    for (const [t, n] of list) if (t >= 0 && n > 0) m.set(t, (m.get(t) ?? 0) + n);
    const l = [...m].sort((x, y) => x[0] - y[0]);
    for (const [t] of l) if (t >= tags) tags = t + 1;
    merged.set(a, l);
  }
  const df = new Float64Array(tags);
  for (const [a, l] of merged) for (const [t] of l) df[t] += rowsOf.get(a)!;
  // One artist's vector (float32 weights over a double norm).
  const vec = new Map<number, { tag: Int32Array; weight: Float32Array }>();
  for (const [a, l] of merged) {
    const tag = Int32Array.from(l, ([t]) => t);
    const weight = new Float32Array(l.length);
    let norm = 0;
    l.forEach(([t, n], k) => {
      const w = Math.log1p(n) * Math.log((rows + 1) / (df[t] + 1));
      weight[k] = w;
      norm += w * w;
    });
    norm = Math.sqrt(norm);
    for (let k = 0; k < weight.length; k++) weight[k] = norm > 0 ? weight[k] / norm : 0;
    vec.set(a, { tag, weight });
  }
  const offsets = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) offsets[r + 1] = offsets[r] + (vec.get(artistOfRow[r])?.tag.length ?? 0);
  const tag = new Int32Array(offsets[rows]);
  const weight = new Float32Array(offsets[rows]);
  for (let r = 0; r < rows; r++) {
    const v = vec.get(artistOfRow[r]);
    if (!v) continue;
    tag.set(v.tag, offsets[r]);
    weight.set(v.weight, offsets[r]);
  }
  return { offsets, tag, weight, tags };
}

/** The sum of the tag vectors of `history` (rows the person played) and its length; undefined when none carries a tag. */
export function tagProfile(it: ItemTags, history: Iterable<number>): { profile: Float64Array; norm: number } | undefined {
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
  return norm > 0 ? { profile, norm } : undefined;
}

/**
 * The named tags row `r` shares with a profile (tagProfile's), those that add most to its cosine
 * first: what "tagged like what you play" means for one track.
 */
export function sharedTags(it: ItemTags, profile: Float64Array, r: number, n = 3): string[] {
  if (!it.names) return [];
  const shared: [string, number][] = [];
  for (let j = it.offsets[r]; j < it.offsets[r + 1]; j++) {
    const x = it.weight[j] * profile[it.tag[j]];
    if (x > 0) shared.push([it.names[it.tag[j]] ?? '', x]);
  }
  return shared.filter(([name]) => name).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([name]) => name);
}

/**
 * Every row's cosine with the profile of `history` (rows the person played); undefined when that
 * profile is empty (nothing played carries a tag).
 */
export function contentScores(it: ItemTags, history: Iterable<number>): Float32Array | undefined {
  const p = tagProfile(it, history);
  return p && profileScores(it, p);
}

/** Every row's cosine with a profile (tagProfile's). */
export function profileScores(it: ItemTags, { profile, norm }: { profile: Float64Array; norm: number }): Float32Array {
  const rows = it.offsets.length - 1;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = it.offsets[r]; j < it.offsets[r + 1]; j++) s += it.weight[j] * profile[it.tag[j]];
    out[r] = s / norm;
  }
  return out;
}
