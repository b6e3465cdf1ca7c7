import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseOverride } from '../../src/main/config';
import { configsDir } from '../../src/main/paths';
import { tmpDir } from '../helpers/env';

describe('configuration', () => {
  it('loads and validates the four shipped files', () => {
    const { config, sources } = loadConfig();
    expect(config.model.prediction).toMatch(/^(dot|concat)$/);
    expect(config.training.batch_size).toBeGreaterThan(0);
    expect(config.preprocessing.cap_sigma).toBe(3);
    expect(config.evaluation.k_values).toContain(10);
    expect(sources.get('training.batch_size')).toBe(path.join(configsDir(), 'training_config.yaml'));
  });

  it('applies --set overrides with YAML-typed values and records where they came from', () => {
    const { config, sources } = loadConfig({
      overrides: ['training.batch_size=1024', 'model.user_tower.hidden_units=[256, 64]', 'training.early_stopping.enabled=false'],
    });
    expect(config.training.batch_size).toBe(1024);
    expect(config.model.user_tower.hidden_units).toEqual([256, 64]);
    expect(config.training.early_stopping.enabled).toBe(false);
    expect(sources.get('training.batch_size')).toBe('--set training.batch_size=1024');
  });

  it('layers a partial user config folder over the defaults', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'model_config.yaml'), 'model:\n  embedding_dim: 32\n');
    const { config } = loadConfig({ layers: [dir] });
    expect(config.model.embedding_dim).toBe(32);
    expect(config.model.item_tower.artist_embedding_dim).toBeGreaterThan(0); // untouched defaults stay
  });

  it('names the file, key path, bad value and expectation', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'training_config.yaml');
    fs.writeFileSync(file, 'training:\n  batch_size: -5\n  loss: hinge\n');
    let err: ConfigError | null = null;
    try {
      loadConfig({ layers: [dir] });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const batch = err!.issues.find((i) => i.key === 'training.batch_size')!;
    expect(batch.source).toBe(file);
    expect(batch.value).toBe(-5);
    expect(batch.expected).toMatch(/integer in \[1,/);
    expect(err!.message).toContain(`${file}: training.loss = "hinge" — expected one of bce, sampled_softmax`);
  });

  it('rejects unknown keys (typos) and bad --set expressions', () => {
    expect(() => loadConfig({ overrides: ['training.batchsize=5'] })).toThrow(/training\.batchsize .*no such key/);
    expect(() => loadConfig({ overrides: ['training.batch_size'] })).toThrow(/key\.path=value/);
    expect(() => loadConfig({ overrides: ['preprocessing.year_buckets=[2000, 1990]'] })).toThrow(/strictly increasing/);
    // Early stopping reads a metric validation reports: the blend's, all plays', or the network's alone.
    for (const m of ['ndcg@10', 'mean_ndcg@10', 'all_plays/ndcg@10', 'network/ndcg@10', 'loss']) expect(loadConfig({ overrides: [`training.early_stopping.metric=${m}`] }).config.training.early_stopping.metric).toBe(m);
    for (const m of ['network/recall@50', 'ndcg', 'constructor']) expect(() => loadConfig({ overrides: [`training.early_stopping.metric=${m}`] })).toThrow(/early_stopping\.metric/);
  });

  it('reports YAML syntax errors with a line number', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'model_config.yaml'), 'model:\n  embedding_dim: [1, 2\n');
    expect(() => loadConfig({ layers: [dir] })).toThrow(/model_config\.yaml line \d+/);
  });

  it('refuses a file or --set whose YAML aliases repeat values past the limit, and shows a big value by its size', () => {
    // Nine lines of nested aliases: a billion strings — validating them never finished.
    const levels = 'abcdefghi'.split('');
    const bomb = levels.map((l, i) => `${l}: &${l} [${Array(10).fill(i ? `*${levels[i - 1]}` : '"x"').join(', ')}]`).join('\n');
    const dir = tmpDir();
    const file = path.join(dir, 'preprocessing_config.yaml');
    fs.writeFileSync(file, `${bomb}\npreprocessing:\n  year_buckets: *i\n`);
    expect(() => loadConfig({ layers: [dir] })).toThrow(`${file}: (document) = null — expected at most 100,000 values`);
    expect(() => loadConfig({ overrides: [`preprocessing.year_buckets=[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]]`] })).toThrow(/--set: preprocessing\.year_buckets = null — expected at most 100,000 values/);
    // Aliases under the limit are fine where the value is valid; an unknown key with a list is named by the list's size.
    fs.writeFileSync(file, 'preprocessing:\n  year_buckets: &y [1990, 2000, 2010]\n');
    expect(loadConfig({ layers: [dir] }).config.preprocessing.year_buckets).toEqual([1990, 2000, 2010]);
    fs.writeFileSync(file, `a: [${Array(500).fill('"long string"').join(', ')}]\n`);
    expect(() => loadConfig({ layers: [dir] })).toThrow(`${file}: a = (a list of 500) — expected no such key`);
  });

  it('refuses weight grids and layer lists long enough to stall or exhaust a training run', () => {
    const grid = (n: number) => `[${Array.from({ length: n }, (_, i) => (i / n).toFixed(3)).join(',')}]`;
    expect(loadConfig({ overrides: [`model.head.fusion_weights=${grid(21)}`] }).config.model.head.fusion_weights).toHaveLength(21);
    expect(() => loadConfig({ overrides: [`model.head.fusion_weights=${grid(22)}`] })).toThrow(/model\.head\.fusion_weights/);
    expect(() => loadConfig({ overrides: [`model.head.content_weights=${grid(40)}`] })).toThrow(/model\.head\.content_weights/);
    expect(() => loadConfig({ overrides: [`model.user_tower.hidden_units=[${Array(9).fill(4096).join(',')}]`] })).toThrow(/model\.user_tower\.hidden_units/);
    expect(loadConfig({ overrides: [`model.head.hidden_units=[${Array(8).fill(16).join(',')}]`] }).config.model.head.hidden_units).toHaveLength(8);
  });

  it('parses override values as YAML', () => {
    expect(parseOverride('a.b=0.5')).toEqual({ a: { b: 0.5 } });
    expect(parseOverride('a=hello world')).toEqual({ a: 'hello world' });
  });
});
