/**
 * The public benchmark's data adapter: HetRec 2011 Last.fm 2k (1,892 people × 17,632 artists,
 * play counts, tags) → the same in-memory data the app's library gives the pipeline, so the
 * benchmark trains and ranks with the app's own model, trainer and evaluation (`prepareFrom`,
 * `train`, `rankHeldOut`).
 *
 *  - Artists are the catalogue's rows (each row its own artist), their most used tag the genre.
 *  - Each person's interactions, split into training, validation and test (RecBole's protocol:
 *    at random, 8:1:1 — evaluation/protocols.ts), are laid out as listening events in that
 *    order, so the pipeline's states, tasks and exclusions (training artists, and validation
 *    ones for test: full-sort masking) follow from the split as they do from a time split.
 *  - A play count becomes the event's weight as log play time (1 + ln(1 + plays) minutes, under
 *    the accumulator's 15-minute cap), the log weighting the HetRec work used.
 *  - The artists' co-listening over the *training* interactions is the community knowledge the
 *    app's co-listening feature and fusion read — for a person's training states counted without
 *    them (in folds), as imported community data would be.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TEST, TRAIN, VALID, type Catalog, type LoadedData, type Split } from './dataset';
import { AUDIO_COLUMNS } from '../../db/queries/columns';
import type { CommunityKnowledge } from '../../importers/community';
import { tagVectors, type ItemTags } from '../inference/content';

export interface Interaction {
  item: number;
  weight: number;
}

export interface HetrecData {
  users: number;
  items: number;
  /** HetRec's own ids (user / artist), by index. */
  userIds: number[];
  artistIds: number[];
  artistNames: string[];
  /** Per user: interactions (artist index, play count). */
  inter: Interaction[][];
  /** Per artist: index of its most used tag in `tagNames`, −1 without one. */
  topTag: Int32Array;
  tagNames: string[];
  /** Every time a tag was applied: by whom (user index, −1: someone without listening data), to which artist index, which tag (HetRec's id). */
  tagging: { user: Int32Array; artist: Int32Array; tag: Int32Array };
}

function readTsv(file: string): string[][] {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split('\t'));
}

/** A tag counts (as an artist's genre, in its tag vector) once applied this many times. */
export const HETREC_MIN_TAG_USES = 5;

/** Reads the dataset's folder (`data_user_artists.dat`, and `data_artists.dat`, tags when present). */
export function loadHetrec(dir: string, minTagUses = HETREC_MIN_TAG_USES): HetrecData {
  const uaFile = path.join(dir, 'data_user_artists.dat');
  if (!fs.existsSync(uaFile)) throw new Error(`${dir}: no data_user_artists.dat (expected the HetRec Last.fm 2k folder)`);
  const userIdx = new Map<number, number>();
  const itemIdx = new Map<number, number>();
  const inter: HetrecData['inter'] = [];
  readTsv(uaFile).forEach((cols, line) => {
    const [u, a, w] = cols.map(Number);
    if (cols.length < 3 || !Number.isInteger(u) || !Number.isInteger(a) || !(w >= 0)) {
      throw new Error(`${uaFile}, line ${line + 2}: expected userID, artistID and a play count (three tab-separated numbers)`);
    }
    if (!userIdx.has(u)) {
      userIdx.set(u, userIdx.size);
      inter.push([]);
    }
    if (!itemIdx.has(a)) itemIdx.set(a, itemIdx.size);
    inter[userIdx.get(u)!].push({ item: itemIdx.get(a)!, weight: w });
  });
  const names = new Map<number, string>();
  const artistsFile = path.join(dir, 'data_artists.dat');
  if (fs.existsSync(artistsFile)) for (const [id, name] of readTsv(artistsFile)) names.set(Number(id), name ?? '');
  const artistIds = [...itemIdx.keys()];
  // Tags: how often each tag was applied to each artist, over both parts of the tagging file, and
  // each application (who, which artist, which tag) for the content term's tag vectors.
  const perArtist = new Map<number, Map<number, number>>();
  const tagUses = new Map<number, number>();
  const tagging = { user: [] as number[], artist: [] as number[], tag: [] as number[] };
  for (const f of ['data_user_taggedartists.dat', 'data_user_taggedartists_2.dat'].map((x) => path.join(dir, x)).filter((x) => fs.existsSync(x))) {
    for (const cols of readTsv(f)) {
      const i = itemIdx.get(Number(cols[1]));
      const tag = Number(cols[2]);
      if (i === undefined || !Number.isInteger(tag)) continue;
      const m = perArtist.get(i) ?? perArtist.set(i, new Map()).get(i)!;
      m.set(tag, (m.get(tag) ?? 0) + 1);
      tagUses.set(tag, (tagUses.get(tag) ?? 0) + 1);
      tagging.user.push(userIdx.get(Number(cols[0])) ?? -1);
      tagging.artist.push(i);
      tagging.tag.push(tag);
    }
  }
  const tagName = new Map<number, string>();
  const tagsFile = path.join(dir, 'data_tags.dat');
  if (fs.existsSync(tagsFile)) for (const [id, name] of readTsv(tagsFile)) tagName.set(Number(id), name ?? '');
  const tagIndex = new Map<number, number>();
  const tagNames: string[] = [];
  const topTag = new Int32Array(itemIdx.size).fill(-1);
  for (const [i, m] of perArtist) {
    let best = -1;
    let bestN = 0;
    for (const [t, n] of m) if (tagUses.get(t)! >= minTagUses && (n > bestN || (n === bestN && t < best))) [best, bestN] = [t, n];
    if (best < 0) continue;
    if (!tagIndex.has(best)) {
      tagIndex.set(best, tagNames.length);
      tagNames.push(tagName.get(best) ?? `tag ${best}`);
    }
    topTag[i] = tagIndex.get(best)!;
  }
  return {
    users: userIdx.size, items: itemIdx.size, userIds: [...userIdx.keys()], artistIds,
    artistNames: artistIds.map((a) => names.get(a) ?? `artist ${a}`), inter, topTag, tagNames,
    tagging: { user: Int32Array.from(tagging.user), artist: Int32Array.from(tagging.artist), tag: Int32Array.from(tagging.tag) },
  };
}

const MINUTE = 60000;
const T0 = Date.UTC(2011, 0, 1);

/** Community knowledge from training interactions: each artist's co-listened artists, cosine of co-occurrence — all of them, as an import keeps. */
export function coListeningKnowledge(train: { item: number }[][], items: number): CommunityKnowledge {
  const deg = new Float64Array(items);
  const co: Map<number, number>[] = Array.from({ length: items }, () => new Map());
  for (const l of train) {
    for (const a of l) {
      deg[a.item]++;
      const m = co[a.item];
      for (const b of l) if (b.item !== a.item) m.set(b.item, (m.get(b.item) ?? 0) + 1);
    }
  }
  const neighbours = new Map<number, { artist: number; sim: number }[]>();
  co.forEach((m, a) => {
    if (!m.size) return;
    const list = [...m].map(([b, n]) => ({ artist: b + 1, sim: n / Math.sqrt(deg[a] * deg[b]) }));
    list.sort((x, y) => y.sim - x.sim || x.artist - y.artist);
    neighbours.set(a + 1, list);
  });
  return { neighbours, trackGroups: new Map(), sources: 1 };
}

/**
 * The dataset as the pipeline's input for a split of each person's interactions ([training,
 * validation, test], e.g. evaluation/protocols.ts `randomSplit`): data (catalogue = artists, one
 * event per interaction in split order), the split itself, and co-listening from its training part.
 * Database-style ids are 1-based (artist index + 1; genre = tag index + 1).
 */
export function hetrecLibrary(d: HetrecData, parts: Interaction[][][]): { data: LoadedData; split: Split; community: CommunityKnowledge } {
  const N = d.items;
  const NA = AUDIO_COLUMNS.length;
  const catalog: Catalog = {
    trackId: Int32Array.from({ length: N }, (_, i) => i + 1),
    rowOf: new Map(Array.from({ length: N }, (_, i) => [i + 1, i])),
    spotifyId: d.artistIds.map((a) => `hetrec:artist:${a}`),
    title: d.artistNames,
    artistId: Int32Array.from({ length: N }, (_, i) => i + 1),
    genreId: Int32Array.from(d.topTag, (t) => (t >= 0 ? t + 1 : -1)),
    year: new Float32Array(N).fill(NaN),
    durationMs: new Float32Array(N).fill(NaN),
    popularity: new Float32Array(N).fill(NaN),
    audio: new Float32Array(N * NA).fill(NaN),
    canonical: Int32Array.from({ length: N }, (_, i) => i),
    artistName: new Map(d.artistNames.map((n, i) => [i + 1, n])),
    genreName: new Map(d.tagNames.map((n, i) => [i + 1, n])),
    tags: heldOutFreeTags(d, parts),
  };
  const total = parts.reduce((s, p) => s + p[0].length + p[1].length + p[2].length, 0);
  const ev = {
    profile: new Int32Array(total), ts: new Float64Array(total), track: new Int32Array(total), artist: new Int32Array(total),
    msPlayed: new Float64Array(total), skipped: new Int8Array(total), length: total,
  };
  const part = new Uint8Array(total);
  const validStart = new Float64Array(d.users).fill(Infinity);
  const testStart = new Float64Array(d.users).fill(Infinity);
  let i = 0;
  parts.forEach((p, u) => {
    let k = 0;
    p.forEach((list, which) => {
      const start = T0 + k * MINUTE;
      if (which === VALID) validStart[u] = start;
      if (which === TEST) testStart[u] = start;
      for (const x of list) {
        ev.profile[i] = u;
        ev.ts[i] = T0 + k++ * MINUTE;
        ev.track[i] = x.item;
        ev.artist[i] = x.item + 1;
        ev.msPlayed[i] = (1 + Math.log1p(x.weight)) * MINUTE;
        ev.skipped[i] = 0;
        part[i++] = which === 0 ? TRAIN : which === 1 ? VALID : TEST;
      }
    });
  });
  const profiles = d.userIds.map((id) => ({ id, name: `hetrec user ${id}`, age: null, gender: null, country: null }));
  return { data: { catalog, profiles, events: ev }, split: { part, validStart, testStart }, community: foldedCoListening(d, parts.map((p) => p[0]), N) };
}

/**
 * The artists' tag vectors (inference/content.ts) from every tag applied, except those a person
 * applied to one of their own validation or test artists: tagging an artist says one listens to
 * it, so those would tell the ranking its answers (kept, they lifted seed 1's blend by 0.001 in
 * the scratch study). Everyone else's tags on those artists stay: they describe the artist. Tags
 * applied fewer than `minUses` times are left out, as for the genre (scratch study, seed 1:
 * validation 0.1829 → 0.1854 against every tag kept; 10: 0.1840).
 */
export function heldOutFreeTags(d: HetrecData, parts: Interaction[][][], minUses = HETREC_MIN_TAG_USES): ItemTags {
  const held = parts.map((p) => new Set([...p[1], ...p[2]].map((x) => x.item)));
  const { user, artist, tag } = d.tagging;
  function* kept(): Generator<readonly [number, number]> {
    for (let k = 0; k < artist.length; k++) if (!(user[k] >= 0 && held[user[k]]?.has(artist[k]))) yield [artist[k], tag[k]];
  }
  return tagVectors(d.items, kept(), minUses);
}

/**
 * Co-listening over the training interactions: all of them for ranking (held-out artists never
 * co-occur with the person's own training ones), and for each person's training states the
 * counts of the *other* `folds` − 1 groups of people — so their own listening is never part of
 * "people who play your artists also play …", as with imported community data (which never holds
 * the person). Counting the person in would tell their training states that their own next
 * artists are co-listened with their history.
 */
export function foldedCoListening(d: HetrecData, train: Interaction[][], items: number, folds = 5): CommunityKnowledge {
  const fold = (u: number) => u % folds;
  const byFold = Array.from({ length: folds }, (_, f) => coListeningKnowledge(train.map((l, u) => (fold(u) === f ? [] : l)), items));
  const index = new Map(d.userIds.map((id, u) => [id, u]));
  const all = coListeningKnowledge(train, items);
  return { ...all, ofProfile: (id) => byFold[fold(index.get(id) ?? 0)] };
}
