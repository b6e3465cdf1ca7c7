import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { openLibrary } from '../../src/main/db';
import { TEST, TRAIN, VALID } from '../../src/main/recommender/data/dataset';
import { generateSyntheticLibrary } from '../../src/main/recommender/data/synthetic';
import { prepareData } from '../../src/main/recommender/data/pipeline';
import { tmpDir } from '../helpers/env';

describe('data pipeline', () => {
  const setup = () => {
    const lib = openLibrary(path.join(tmpDir(), 'lib.sqlite'));
    generateSyntheticLibrary(lib, { seed: 2, tracks: 800, profiles: 12, eventsPerProfile: 120 });
    return lib;
  };
  const { config } = loadConfig();

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
});
