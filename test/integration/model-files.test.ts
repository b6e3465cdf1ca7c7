/**
 * A saved model's folder is read back as untrusted: a damaged manifest or weights file (a full disk,
 * an interrupted copy, a hand edit) is refused by name — never loaded with zeros for the missing
 * weights, never a network of whatever size the file says — and the error does not quote the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { openLibrary } from '../../src/main/db';
import { initBackend } from '../../src/main/recommender/backend';
import { dimsOf } from '../../src/main/recommender/data/features';
import { prepareData } from '../../src/main/recommender/data/pipeline';
import { generateSyntheticLibrary } from '../../src/main/recommender/data/synthetic';
import { loadModel, readManifest, saveModel } from '../../src/main/recommender/models/io';
import { TwoTowerModel } from '../../src/main/recommender/models/two-tower';
import { tmpDir } from '../helpers/env';

describe('reading a saved model', () => {
  let good: string;

  beforeAll(async () => {
    await initBackend('cpu');
    const lib = openLibrary(path.join(tmpDir(), 'lib.sqlite'));
    generateSyntheticLibrary(lib, { seed: 3, tracks: 200, profiles: 3, eventsPerProfile: 60 });
    const config = loadConfig({ overrides: ['model.embedding_dim=8', 'model.item_tower.artist_embedding_dim=4'] }).config;
    const prep = prepareData(lib, config);
    const model = new TwoTowerModel(dimsOf(prep.featureSpace), config.model, 1);
    good = path.join(tmpDir(), 'model');
    await saveModel(good, model, { epoch: 0, seed: 1, backend: 'cpu', config, featureSpace: prep.featureSpace, metrics: {} });
    model.dispose();
    lib.close();
  });

  /** A copy of the good model with `edit` applied to its files. */
  const damaged = (edit: (dir: string) => void): string => {
    const dir = path.join(tmpDir(), 'model');
    fs.cpSync(good, dir, { recursive: true });
    edit(dir);
    return dir;
  };
  const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const editManifest = (f: (m: Record<string, any>) => void) => damaged((dir) => {
    const m = manifestOf(dir);
    f(m);
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  });

  it('loads the model as saved', () => {
    const { model, manifest } = loadModel(good);
    expect(manifest.config.model.embedding_dim).toBe(8);
    model.dispose();
  });

  it('refuses a weights file cut short instead of filling the rest with zeros', () => {
    const dir = damaged((d) => {
      const f = path.join(d, 'weights.bin');
      fs.truncateSync(f, fs.statSync(f).size - 4);
    });
    expect(() => loadModel(dir)).toThrow(/weights\.bin: damaged \(.+ runs past the end of the file's \d+ bytes\); train a new model/);
  });

  it('names a manifest that is not JSON without quoting it', () => {
    const dir = damaged((d) => fs.writeFileSync(path.join(d, 'manifest.json'), '{"format": "omr-two-tower", SECRET-TEXT'));
    let message = '';
    try {
      readManifest(dir);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/manifest\.json: damaged, not valid JSON \(.+\); train a new model/);
    expect(message).not.toContain('SECRET');
  });

  it('refuses settings outside what the app accepts before building a network of that size', () => {
    const dir = editManifest((m) => (m.config.model.embedding_dim = 1e9));
    expect(() => loadModel(dir)).toThrow(/manifest\.json: damaged settings \(model\.embedding_dim = 1000000000, expected .+\); train a new model/);
    const proto = editManifest((m) => (m.config = JSON.parse('{"__proto__": {"polluted": 1}}')));
    expect(() => readManifest(proto)).toThrow(/manifest\.json: damaged settings \(__proto__ = /);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('still reads a model saved before a setting existed, and ignores settings this version dropped', () => {
    const dir = editManifest((m) => {
      delete m.config.model.temperature;
      m.config.model.a_setting_of_old = true;
    });
    const { model, manifest } = loadModel(dir);
    // Its own values are kept as saved: the check fills nothing in.
    expect(manifest.config.model.temperature).toBeUndefined();
    model.dispose();
  });

  it('refuses a weight index whose entries are not what the app writes', () => {
    const lengthOff = editManifest((m) => (m.weights[0].length += 1));
    expect(() => readManifest(lengthOff)).toThrow(/damaged \(weights: weight [\w/]+ holds \d+ values where its shape holds \d+\)/);
    // A name the app would not write is not repeated: its place in the index is given instead.
    const oddName = editManifest((m) => {
      m.weights[0].name = 'SECRET <script>';
      m.weights[0].length += 1;
    });
    expect(() => readManifest(oddName)).toThrow(/weights: weight 1 of the index holds/);
    expect(() => readManifest(oddName)).not.toThrow(/SECRET/);
    const unknown = editManifest((m) => (m.weights[0].name = 'SECRET <script>'));
    expect(() => loadModel(unknown)).toThrow(/weight 1 of the index does not exist in this model/);
    const notList = editManifest((m) => (m.weights = { 0: 1 }));
    expect(() => readManifest(notList)).toThrow(/damaged \(weights: expected a list, found a mapping\)/);
    const negative = editManifest((m) => (m.weights[1].offset = -8));
    expect(() => readManifest(negative)).toThrow(/weights: entry 2 is not a name, a shape, an offset and a length/);
  });
});
