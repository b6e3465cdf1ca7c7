/**
 * Layered configuration: shipped defaults (configs/*.yaml) ← user config folder ← --config
 * files ← --set key.path=value overrides. The merged result is validated against the schema in
 * src/shared/config-schema.ts (TypeBox: the schema is also the type); an error names the file the bad value came from, its key path,
 * the value and what was expected.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { APP_CONFIG_SCHEMA, CONFIG_FILES, FORBIDDEN_KEYS, forbiddenKeyPath, type AppConfig } from '../../shared/config-schema';
import { schemaProblems } from '../schema-check';
import { configsDir } from '../paths';
import { getLogger } from '../logging';

export class ConfigError extends Error {
  constructor(
    public readonly issues: { source: string; key: string; value: unknown; expected: string }[],
  ) {
    super(
      'invalid configuration:\n' +
        issues
          .map((i) => `  ${i.source}: ${i.key} = ${shown(i.value)} — expected ${i.expected}`)
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * A value as an error shows it: a number, boolean or string (cut at 60 characters), a list or
 * mapping only by its size — a YAML file's aliases can make a value of a billion elements, which
 * JSON.stringify could not even write ("Invalid string length").
 */
export function shown(v: unknown): string {
  if (Array.isArray(v)) return `(a list of ${v.length})`;
  if (typeof v === 'object' && v !== null) return `(a mapping of ${Object.keys(v).length} key(s))`;
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  return String(v);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface LoadOptions {
  /** Folder with the four default files; the shipped `configs/` when omitted. */
  defaultsDir?: string;
  /** Folders or files whose YAML is layered over the defaults, in order (user folder, --config). */
  layers?: string[];
  /** `key.path=value` overrides (the value is parsed as YAML: numbers, booleans, lists). */
  overrides?: string[];
}

export interface LoadedConfig {
  config: AppConfig;
  /** For each leaf key path, the file (or `--set`) its value came from. */
  sources: Map<string, string>;
}

function readYaml(file: string): Obj {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ source: file, key: '(file)', value: null, expected: `a readable file (${(e as Error).message})` }]);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text.replace(/^\uFEFF/, ''), { filename: file });
  } catch (e) {
    const err = e as { mark?: { line: number; column: number }; reason?: string; message: string };
    const where = err.mark ? ` line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
    throw new ConfigError([{ source: `${file}${where}`, key: '(document)', value: null, expected: `valid YAML (${err.reason ?? err.message})` }]);
  }
  if (doc === undefined || doc === null) return {};
  if (!isObj(doc)) throw new ConfigError([{ source: file, key: '(document)', value: doc, expected: 'a mapping of sections' }]);
  if (!withinSize(doc, MAX_CONFIG_VALUES)) {
    throw new ConfigError([{ source: file, key: '(document)', value: null, expected: `at most ${MAX_CONFIG_VALUES.toLocaleString('en')} values (YAML aliases repeat a value each time they are used)` }]);
  }
  return doc;
}

/**
 * The most values (each list element and mapping entry, counted every time an alias repeats it) a
 * configuration file may hold: the shipped four hold a few hundred. Ten lines of nested aliases
 * make a billion, which validation would walk for ever.
 */
export const MAX_CONFIG_VALUES = 100_000;

/** Whether `v` holds at most `budget` values, counting a shared (aliased) one at each use; stops as soon as it does not. */
function withinSize(v: unknown, budget: number): boolean {
  let left = budget;
  const walk = (x: unknown): boolean => {
    if (typeof x !== 'object' || x === null) return true;
    const children = Array.isArray(x) ? x : Object.values(x);
    left -= children.length;
    if (left < 0) return false;
    for (const c of children) if (!walk(c)) return false;
    return true;
  };
  return walk(v);
}

function mergeInto(target: Obj, src: Obj, source: string, sources: Map<string, string>, prefix = ''): void {
  const bad = forbiddenKeyPath(src, prefix);
  if (bad) throw new ConfigError([{ source, key: bad, value: null, expected: 'a configuration key (keys such as __proto__, constructor and prototype are refused)' }]);
  for (const [k, v] of Object.entries(src)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObj(v) && isObj(target[k])) {
      mergeInto(target[k] as Obj, v, source, sources, key);
    } else {
      target[k] = structuredClone(v);
      markSources(v, key, source, sources);
    }
  }
}

function markSources(v: Json, key: string, source: string, sources: Map<string, string>): void {
  if (isObj(v)) for (const [k, c] of Object.entries(v)) markSources(c, `${key}.${k}`, source, sources);
  else sources.set(key, source);
}

function sourceOf(key: string, sources: Map<string, string>): string {
  let k = key.replace(/\[\d+\]/g, '');
  while (k) {
    const s = sources.get(k);
    if (s) return s;
    const dot = k.lastIndexOf('.');
    k = dot < 0 ? '' : k.slice(0, dot);
  }
  // A key nobody set: attribute it to the file that owns its section.
  const section = key.split('.')[0];
  for (const def of Object.values(CONFIG_FILES)) {
    if (Object.hasOwn(def.spec.properties, section)) return def.file;
  }
  return 'configuration';
}

/** Parses `a.b.c=value` into a nested object. */
export function parseOverride(expr: string): Obj {
  const eq = expr.indexOf('=');
  if (eq <= 0) {
    throw new ConfigError([{ source: '--set', key: expr, value: expr, expected: 'key.path=value, e.g. training.batch_size=1024' }]);
  }
  const keyPath = expr.slice(0, eq).trim();
  const raw = expr.slice(eq + 1);
  let value: unknown;
  try {
    value = yaml.load(raw);
  } catch {
    value = raw;
  }
  if (value === undefined) value = null;
  if (!withinSize(value, MAX_CONFIG_VALUES)) {
    throw new ConfigError([{ source: '--set', key: keyPath, value: null, expected: `at most ${MAX_CONFIG_VALUES.toLocaleString('en')} values (YAML aliases repeat a value each time they are used)` }]);
  }
  const parts = keyPath.split('.');
  if (parts.some((p) => p === '' || FORBIDDEN_KEYS.has(p))) {
    throw new ConfigError([{ source: '--set', key: keyPath, value: raw, expected: 'a dotted key path such as training.batch_size' }]);
  }
  const root: Obj = {};
  let cur = root;
  parts.forEach((p, i) => {
    if (i === parts.length - 1) cur[p] = value as Json;
    else cur = (cur[p] = {}) as Obj;
  });
  return root;
}

function layerFiles(layer: string): string[] {
  if (!fs.existsSync(layer)) {
    throw new ConfigError([{ source: layer, key: '(file)', value: null, expected: 'an existing YAML file or folder' }]);
  }
  if (fs.statSync(layer).isDirectory()) {
    return Object.values(CONFIG_FILES)
      .map((d) => path.join(layer, d.file))
      .filter((f) => fs.existsSync(f));
  }
  return [layer];
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const defaults = opts.defaultsDir ?? configsDir();
  const sources = new Map<string, string>();
  const merged: Obj = {};
  for (const def of Object.values(CONFIG_FILES)) {
    mergeInto(merged, readYaml(path.join(defaults, def.file)), path.join(defaults, def.file), sources);
  }
  for (const layer of opts.layers ?? []) {
    for (const file of layerFiles(layer)) mergeInto(merged, readYaml(file), file, sources);
  }
  for (const o of opts.overrides ?? []) mergeInto(merged, parseOverride(o), `--set ${o}`, sources);

  const problems = schemaProblems(APP_CONFIG_SCHEMA, merged);
  if (problems.length) {
    throw new ConfigError(problems.map((p) => ({ ...p, source: sourceOf(p.key, sources) })));
  }
  const config = merged as unknown as AppConfig;
  crossCheck(config, sources);
  return { config, sources };
}

function crossCheck(c: AppConfig, sources: Map<string, string>): void {
  const issues: ConfigError['issues'] = [];
  const s = c.preprocessing.split;
  if (s.validation_fraction + s.test_fraction >= 0.9) {
    issues.push({ source: sourceOf('preprocessing.split.test_fraction', sources), key: 'preprocessing.split', value: s, expected: 'validation_fraction + test_fraction < 0.9' });
  }
  for (const key of ['year_buckets', 'age_buckets'] as const) {
    const b = c.preprocessing[key];
    if (b.some((v, i) => i > 0 && v <= b[i - 1])) {
      issues.push({ source: sourceOf(`preprocessing.${key}`, sources), key: `preprocessing.${key}`, value: b, expected: 'strictly increasing values' });
    }
  }
  if (!/^(loss|auc|mrr|[a-z_]+@\d+|all_plays\/(mrr|[a-z_]+@\d+)|network\/ndcg@10)$/.test(c.training.early_stopping.metric)) {
    issues.push({ source: sourceOf('training.early_stopping.metric', sources), key: 'training.early_stopping.metric', value: c.training.early_stopping.metric, expected: 'loss, auc, mrr, metric@k such as ndcg@10, all_plays/metric@k, or network/ndcg@10 (the network before the blend)' });
  }
  if (issues.length) throw new ConfigError(issues);
}

/** Loads and logs the effective configuration (the plan asks for it in every run's log). */
export function loadAndLogConfig(opts: LoadOptions = {}): LoadedConfig {
  const loaded = loadConfig(opts);
  const log = getLogger('config');
  const layers = (opts.layers ?? []).length ? ` over ${opts.layers!.join(', ')}` : '';
  const sets = (opts.overrides ?? []).length ? ` with --set ${opts.overrides!.join(' ')}` : '';
  log.info(`effective configuration (defaults${layers}${sets}): ${JSON.stringify(loaded.config)}`);
  return loaded;
}

/**
 * A configuration saved with a model (its manifest), checked as this version reads it: every value
 * it holds must pass the schema and the cross-checks. Keys it lacks (a model saved before they
 * existed) are checked at this version's defaults and keys this version no longer has are ignored —
 * only for the check: the model keeps using its own values. Throws a ConfigError naming `source`.
 */
export function checkSavedConfig(saved: unknown, source: string, defaultsDir?: string): void {
  const bad = forbiddenKeyPath(saved);
  if (bad !== null || !isObj(saved)) throw new ConfigError([{ source, key: bad ?? 'config', value: '(not shown)', expected: 'the settings the app saves with a model' }]);
  const { config } = loadConfig({ defaultsDir });
  const over = (base: Json, mine: Json | undefined): Json => {
    if (mine === undefined) return base;
    if (!isObj(base) || !isObj(mine)) return mine;
    return Object.fromEntries(Object.entries(base).map(([k, v]) => [k, over(v, Object.hasOwn(mine, k) ? mine[k] : undefined)]));
  };
  const merged = over(config as unknown as Json, saved as Json);
  const problems = schemaProblems(APP_CONFIG_SCHEMA, merged);
  if (problems.length) throw new ConfigError(problems.map((p) => ({ ...p, source })));
  try {
    crossCheck(merged as unknown as AppConfig, new Map());
  } catch (e) {
    throw e instanceof ConfigError ? new ConfigError(e.issues.map((i) => ({ ...i, source }))) : e;
  }
}
