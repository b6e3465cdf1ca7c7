import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { openLibrary } from '../../src/main/db';
import { TEST, TRAIN, VALID, timeSplit, type LoadedData } from '../../src/main/recommender/data/dataset';
import { generateSyntheticLibrary } from '../../src/main/recommender/data/synthetic';
import { prepareData } from '../../src/main/recommender/data/pipeline';
import { applyNumeric, fitNumeric } from '../../src/main/recommender/data/preprocessor';
import { tmpDir } from '../helpers/env';

describe('data pipeline', () => {
  const setup = () => {
    const lib = openLibrary(path.join(tmpDir(), 'lib.sqlite'));
    generateSyntheticLibrary(lib, { seed: 2, tracks: 800, profiles: 12, eventsPerProfile: 120 });
    return lib;
  };
  const { config } = loadConfig();

  it('gives validation and test their share of a listening period with a long gap', () => {
    // Two years of daily listening, a year with no export, then two months: by time alone the
    // validation weeks (70–80 % of the span) fall inside the gap and hold nothing.
    const DAY = 86400000;
    const days = [...Array.from({ length: 730 }, (_, d) => d), ...Array.from({ length: 60 }, (_, d) => 1095 + d)];
    const steady = Array.from({ length: 790 }, (_, d) => d);
    const data = (ds: number[]) => ({
      catalog: {} as LoadedData['catalog'],
      profiles: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }] as LoadedData['profiles'],
      events: {
        profile: Int32Array.from([...ds.map(() => 0), ...steady.map(() => 1)]),
        ts: Float64Array.from([...ds, ...steady], (d) => d * DAY),
        track: new Int32Array(ds.length + 790), artist: new Int32Array(ds.length + 790),
        msPlayed: new Float64Array(ds.length + 790), skipped: new Int8Array(ds.length + 790), length: ds.length + 790,
      },
    }) as LoadedData;
    const count = (split: ReturnType<typeof timeSplit>, person: number, part: number) =>
      Array.from(split.part).filter((x, i) => x === part && i < 790 === (person === 0)).length;
    const gap = timeSplit(data(days), 0.1, 0.2, 10);
    // Event counts instead: 10 % validation, 20 % test.
    expect(count(gap, 0, VALID)).toBe(79);
    expect(count(gap, 0, TEST)).toBe(158);
    // Steady listening keeps its split by time (here the same shares).
    expect(count(gap, 1, VALID)).toBe(79);
    expect(count(gap, 1, TEST)).toBe(158);
    expect(gap.validStart[1] / DAY).toBeCloseTo(0.7 * 789, 6);
  });

  it('splits each person by time and keeps every profile in training', () => {
    const lib = setup();
    const prep = prepareData(lib, config);
    const { events } = prep.data;
    for (let p = 0; p < prep.data.profiles.length; p++) {
      let maxTrain = -Infinity;
      let minTest = Infinity;
      let trains = 0;
      for (let i = 0; i < events.length; i++) {
        if (events.profile[i] !== p) continue;
        if (prep.split.part[i] === TRAIN) {
          trains++;
          maxTrain = Math.max(maxTrain, events.ts[i]);
        }
        if (prep.split.part[i] === TEST) minTest = Math.min(minTest, events.ts[i]);
        if (prep.split.part[i] === VALID) expect(events.ts[i]).toBeGreaterThanOrEqual(prep.split.validStart[p]);
      }
      expect(trains).toBeGreaterThan(0);
      expect(maxTrain).toBeLessThan(minTest);
    }
    lib.close();
  });

  it('fits statistics and vocabularies on the training period only', () => {
    const lib = setup();
    const before = prepareData(lib, config).featureSpace;
    // Change everything after each person's training period: the fitted feature space must not move.
    const prep = prepareData(lib, config);
    const ids = lib.sqlite.prepare('SELECT id, profile_id, ts FROM listening_events ORDER BY profile_id, ts, id').raw().all() as [number, number, number][];
    const upd = lib.sqlite.prepare('UPDATE listening_events SET ms_played = 1, artist_id = NULL, track_id = NULL WHERE id = ?');
    const pIndex = new Map(prep.data.profiles.map((p, i) => [p.id, i]));
    let changed = 0;
    for (const [id, pid, ts] of ids) {
      if (ts >= prep.split.validStart[pIndex.get(pid)!]) {
        upd.run(id);
        changed++;
      }
    }
    expect(changed).toBeGreaterThan(100);
    const after = prepareData(lib, config).featureSpace;
    expect(after).toEqual(before);
    lib.close();
  });

  it('imputes with the training median, caps at 3σ and standardises', () => {
    const lib = setup();
    const prep = prepareData(lib, config);
    const fs = prep.featureSpace;
    const s = fs.stats['item.duration_ms'];
    expect(s.log).toBe(true); // listed in log_transform
    expect(s.hi - s.mean).toBeCloseTo(3 * s.std, 6);
    const F = fs.itemNumeric.length;
    const col = fs.itemNumeric.indexOf('duration_ms');
    let max = -Infinity;
    for (let t = 0; t < prep.items.n; t++) max = Math.max(max, prep.items.numeric[t * F + col]);
    expect(max).toBeLessThanOrEqual(3 + 1e-5);
    // Vocabularies reserve 0 for unknown and 1 for other.
    expect(fs.artist.values.length).toBeGreaterThan(0);
    expect(Math.min(...prep.items.artist)).toBeGreaterThanOrEqual(1);
    lib.close();
  });

  it('treats magnitudes no feature reaches as missing: two values of 1e308 leave the column finite', () => {
    const policy = { imputation: 'median' as const, capSigma: 3, logColumns: [] };
    const s = fitNumeric('tempo', [120, 100, 1e308, 1e308, 90, -1e300], policy);
    expect(s.fill).toBe(100); // the median of 120, 100 and 90
    expect(s.mean).toBeCloseTo((120 + 100 + 90 + 3 * 100) / 6, 10); // the three huge ones filled with it
    for (const v of [120, 1e308, -1e300, NaN, 90]) expect(Number.isFinite(applyNumeric(s, v))).toBe(true);
    // A huge value reads as the median, like a missing one.
    expect(applyNumeric(s, 1e308)).toBe(applyNumeric(s, NaN));
    expect(applyNumeric(s, 120)).toBeGreaterThan(0);
  });
});
