import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { configsDir } from '../../src/main/paths';
import { TEST, TRAIN, VALID } from '../../src/main/recommender/data/dataset';
import { coListeningKnowledge, hetrecLibrary, loadHetrec } from '../../src/main/recommender/data/hetrec';
import { randomSplit, recboleRun } from '../../src/main/recommender/evaluation/protocols';
import { prepareFrom } from '../../src/main/recommender/data/pipeline';
import { colistenScores } from '../../src/main/recommender/data/features';
import { Rng } from '../../src/main/util/random';
import { tagVectors } from '../../src/main/recommender/inference/content';
import { tmpDir } from '../helpers/env';

/** A small HetRec-shaped folder: 40 people, 60 artists in two taste groups, a few tags. */
function writeFolder(): string {
  const dir = tmpDir('omr-hetrec-');
  const rng = new Rng(3);
  const ua = ['userID\tartistID\tweight'];
  for (let u = 0; u < 40; u++) {
    const group = u % 2;
    const picks = new Set<number>();
    while (picks.size < 12) picks.add(rng.next() < 0.8 ? group * 30 + rng.int(30) : rng.int(60));
    for (const a of picks) ua.push(`${100 + u}\t${1000 + a}\t${1 + rng.int(500)}`);
  }
  fs.writeFileSync(path.join(dir, 'data_user_artists.dat'), ua.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'data_artists.dat'), ['id\tname\turl\tpictureURL', ...Array.from({ length: 60 }, (_, a) => `${1000 + a}\tArtist ${a}\t\t`)].join('\n'));
  fs.writeFileSync(path.join(dir, 'data_tags.dat'), 'tagID\ttagValue\n1\trock\n2\tjazz\n');
  const tagged = ['userID\tartistID\ttagID\tday\tmonth\tyear'];
  for (let a = 0; a < 60; a++) for (let k = 0; k < 6; k++) tagged.push(`${100 + k}\t${1000 + a}\t${a < 30 ? 1 : 2}\t1\t1\t2010`);
  fs.writeFileSync(path.join(dir, 'data_user_taggedartists.dat'), tagged.join('\n'));
  return dir;
}

const dir = writeFolder();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('HetRec adapter and RecBole protocol', () => {
  it('reads people, artists and each artist’s most used tag', () => {
    const d = loadHetrec(dir);
    expect(d.users).toBe(40);
    expect(d.items).toBeGreaterThan(50);
    const rockArtist = d.artistIds.indexOf(1003);
    expect(d.tagNames[d.topTag[rockArtist]]).toBe('rock');
    expect(d.tagNames[d.topTag[d.artistIds.indexOf(1040)]]).toBe('jazz');
  });

  it('refuses a malformed line by file and line', () => {
    const bad = tmpDir('omr-hetrec-bad-');
    fs.writeFileSync(path.join(bad, 'data_user_artists.dat'), 'userID\tartistID\tweight\n1\t2\t3\n1\tx\n');
    expect(() => loadHetrec(bad)).toThrow(/data_user_artists\.dat, line 3: expected userID, artistID and a play count/);
    fs.rmSync(bad, { recursive: true, force: true });
  });

  it('splits each person 8:1:1 into disjoint parts, the same for the same seed and not for another', () => {
    const d = loadHetrec(dir);
    const s = randomSplit(d.inter, 1);
    d.inter.forEach((l, u) => {
      const [train, valid, test] = s[u];
      expect(train.length).toBe(Math.floor(l.length * 0.8));
      expect(valid.length).toBe(Math.floor(l.length * 0.1));
      expect(train.length + valid.length + test.length).toBe(l.length);
      expect(new Set([...train, ...valid, ...test].map((x) => x.item)).size).toBe(l.length);
    });
    expect(randomSplit(d.inter, 1)).toEqual(s);
    expect(randomSplit(d.inter, 2)).not.toEqual(s);
  });

  it('lays the split out as the pipeline’s events: training first, one person after another, parts as split', () => {
    const d = loadHetrec(dir);
    const { data, split } = hetrecLibrary(d, randomSplit(d.inter, 4));
    const parts = randomSplit(d.inter, 4);
    let i = 0;
    parts.forEach((p, u) => p.forEach((list, which) => list.forEach((x) => {
      expect(data.events.profile[i]).toBe(u);
      expect(data.events.track[i]).toBe(x.item);
      expect(split.part[i]).toBe([TRAIN, VALID, TEST][which]);
      if (i > 0 && data.events.profile[i - 1] === u) expect(data.events.ts[i]).toBeGreaterThan(data.events.ts[i - 1]);
      i++;
    })));
    expect(i).toBe(data.events.length);
  });

  it('ranks for test every artist outside the person’s training and validation interactions (full-sort masking), and for validation outside training', () => {
    const d = loadHetrec(dir);
    const { config } = loadConfig({ layers: [path.join(configsDir(), 'benchmarks', 'hetrec.yaml')] });
    const { data, split, community } = hetrecLibrary(d, randomSplit(d.inter, 5));
    const prep = prepareFrom(data, config, { split, community });
    const parts = randomSplit(d.inter, 5);
    const items = (l: { item: number }[]) => new Set(l.map((x) => x.item));
    let checked = 0;
    prep.test.users.forEach((u, k) => {
      const [train, valid, test] = parts[u].map(items);
      expect(prep.test.exclude[k]).toEqual(new Set([...train, ...valid]));
      expect(prep.test.relevant[k]).toEqual(test);
      checked++;
    });
    prep.valid.users.forEach((u, k) => {
      const [train, valid] = parts[u].map(items);
      expect(prep.valid.exclude[k]).toEqual(train);
      expect(prep.valid.relevant[k]).toEqual(valid);
    });
    expect(checked).toBe(40);
    // Training states never see a validation or test artist.
    for (let j = 0; j < prep.states.inter.item.length; j++) {
      const u = prep.states.person[prep.states.inter.user[j]];
      expect(items(parts[u][0]).has(prep.states.inter.item[j])).toBe(true);
    }
  });

  it('gives artists tag vectors without the tags people gave their own held-out artists', () => {
    const d = loadHetrec(dir);
    // Taggers 100–105 tag every artist; person 0 (user 100) also tags one of their own test
    // artists and one of their training artists, each with a tag nobody else uses.
    const parts = randomSplit(d.inter, 8);
    const testArtist = parts[0][2][0].item;
    const trainArtist = parts[0][0][0].item;
    // (Five times each: a tag counts once applied five times.)
    const five = <T>(...xs: T[]) => [...xs, ...xs, ...xs, ...xs, ...xs];
    const own = { user: [...d.tagging.user, ...five(0, 0)], artist: [...d.tagging.artist, ...five(testArtist, trainArtist)], tag: [...d.tagging.tag, ...five(99, 98)] };
    const withOwn = { ...d, tagging: { user: Int32Array.from(own.user), artist: Int32Array.from(own.artist), tag: Int32Array.from(own.tag) } };
    const { data } = hetrecLibrary(withOwn, parts);
    const tags = data.catalog.tags!;
    const tagsOf = (r: number) => Array.from(tags.tag.subarray(tags.offsets[r], tags.offsets[r + 1]));
    expect(tagsOf(testArtist)).not.toContain(99);
    expect(tagsOf(trainArtist)).toContain(98);
    // Everyone's tags describe the artists: rock on the first group, jazz on the second.
    const rock = d.tagging.tag[d.tagging.artist.indexOf(d.artistIds.indexOf(1003))];
    expect(tagsOf(d.artistIds.indexOf(1003))).toContain(rock);
    expect(tagsOf(d.artistIds.indexOf(1040))).not.toContain(rock);
    // Counted in, the held-out tag would be there (what the exclusion is for).
    expect(Array.from(tagVectors(d.items, own.artist.map((a, k) => [a, own.tag[k]] as const)).tag)).toContain(99);
  });

  it('counts co-listening on training interactions only', () => {
    const d = loadHetrec(dir);
    const parts = randomSplit(d.inter, 6);
    const { community } = hetrecLibrary(d, randomSplit(d.inter, 6));
    const expected = coListeningKnowledge(parts.map((p) => p[0]), d.items);
    expect(community.neighbours).toEqual(expected.neighbours);
    // With a held-out interaction counted, some similarity changes.
    const leaky = coListeningKnowledge(parts.map((p) => [...p[0], ...p[2]]), d.items);
    expect(leaky.neighbours).not.toEqual(expected.neighbours);
  });

  it('gives each person co-listening counted without them (community made of the same people)', () => {
    const d = loadHetrec(dir);
    const parts = randomSplit(d.inter, 7);
    const { community } = hetrecLibrary(d, parts);
    const train = parts.map((p) => p[0].map((x) => x.item));
    let checked = 0;
    train.forEach((mine, u) => {
      const own = community.ofProfile!(d.userIds[u]);
      // Pairs of this person's training artists that nobody else plays together.
      for (const a of mine) {
        for (const b of mine) {
          if (a === b || train.some((l, v) => v !== u && l.includes(a) && l.includes(b))) continue;
          expect(own.neighbours.get(a + 1)?.some((n) => n.artist === b + 1) ?? false).toBe(false);
          expect(community.neighbours.get(a + 1)?.some((n) => n.artist === b + 1)).toBe(true);
          checked++;
        }
      }
    });
    expect(checked).toBeGreaterThan(0);
    // Training states read the counts without their person; ranking reads them all.
    const { config } = loadConfig({ layers: [path.join(configsDir(), 'benchmarks', 'hetrec.yaml')] });
    const { data, split } = hetrecLibrary(d, parts);
    const prep = prepareFrom(data, config, { split, community });
    const row = prep.states.person.findIndex((p) => p === 3);
    const id = d.userIds[3];
    // States' scores are summed per artist when asked (thousands of states cannot each hold a map),
    // exactly the map's sums, nothing for an artist nobody co-listens; iterating gives the map.
    const lazy = prep.stateUsers.colisten[row];
    const own = colistenScores(prep.states.aggs[row].artistWeight, community.ofProfile!(id));
    expect(own.size).toBeGreaterThan(0);
    for (const [a, v] of own) expect(lazy.get(a)).toBe(v);
    for (let a = 1; a <= d.items; a++) if (!own.has(a)) expect(lazy.get(a)).toBeUndefined();
    expect(new Map(lazy)).toEqual(own);
    expect(new Map(lazy)).not.toEqual(colistenScores(prep.states.aggs[row].artistWeight, { neighbours: community.neighbours }));
    expect(prep.users.colisten[3]).toEqual(colistenScores(prep.trainAggs[3].artistWeight, { neighbours: community.neighbours }));
  });
});

describe('RecBole protocol through the app’s trainer', () => {
  it('trains the app’s model on the adapter’s data and ranks the test part above popularity', async () => {
    const d = loadHetrec(dir);
    const { config } = loadConfig({
      layers: [path.join(configsDir(), 'benchmarks', 'hetrec.yaml')],
      overrides: ['training.epochs=4', 'training.backend=cpu', 'model.embedding_dim=16', 'training.batch_size=128', 'training.learning_rate=0.01'],
    });
    const r = await recboleRun(d.inter, 1, config, (parts) => hetrecLibrary(d, parts));
    const byName = Object.fromEntries(r.test.map((x) => [x.ranker, x]));
    expect(Object.keys(byName)).toEqual(['two_tower', 'popularity', 'colisten']);
    expect(byName.two_tower.users).toBe(40);
    expect(r.bestEpoch).toBeGreaterThanOrEqual(1);
    // Two taste groups: the model (and co-listening) must find the person's group; popularity cannot.
    expect(byName.two_tower.metrics['ndcg@10']).toBeGreaterThan(byName.popularity.metrics['ndcg@10']);
  }, 120_000);
});
