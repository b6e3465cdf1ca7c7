/**
 * Saving and loading a trained model: one folder with manifest.json (configuration, feature
 * space, dimensions, metrics) and weights.bin (float32, little-endian). Writes are atomic: the
 * folder is written beside its final place and renamed over it, so a crash or a cancelled run
 * never leaves a half-written model where the last good one was.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../../../shared/config-schema';
import { tf } from '../backend';
import { dimsOf, type FeatureSpace } from '../data/features';
import { TwoTowerModel, type FusionWeights } from './two-tower';
import { ConfigError, checkSavedConfig, shown } from '../../config/loader';
import { jsonProblem, kindOf } from '../../importers/errors';

export const MODEL_FORMAT = 'omr-two-tower';

/** Where one tensor lies in a .bin file. */
export type TensorIndex = { name: string; shape: number[]; offset: number; length: number }[];

export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  version: 1;
  createdAt: string;
  epoch: number;
  seed: number;
  backend: string;
  config: AppConfig;
  featureSpace: FeatureSpace;
  metrics: Record<string, number>;
  /** Blend of the person's own listening per output, chosen on validation (absent: none). */
  fusion?: FusionWeights;
  weights: TensorIndex;
  /** Adam state, only in checkpoints written for resuming. */
  optimizer?: TensorIndex;
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // Not every platform lets a folder be opened for fsync (Windows); the renames stay atomic.
  }
}

/**
 * After a crash in the middle of writeDirAtomic, `dir` may be missing while its previous copy
 * (`.<name>.tmp-XXXX-old`, complete) or the new one (`.<name>.tmp-XXXX`, complete once its
 * manifest is there) sits beside it: the newest complete one is put back in place.
 */
export function recoverDir(dir: string): void {
  if (fs.existsSync(dir)) return;
  const parent = path.dirname(dir);
  if (!fs.existsSync(parent)) return;
  const prefix = `.${path.basename(dir)}.tmp-`;
  const candidates = fs.readdirSync(parent).filter((n) => n.startsWith(prefix)).map((n) => path.join(parent, n));
  const complete = (p: string) => fs.existsSync(path.join(p, 'manifest.json')) && fs.existsSync(path.join(p, 'weights.bin'));
  // A finished new copy wins over the old one; among equals, the latest.
  const pick = [...candidates.filter((p) => !p.endsWith('-old') && complete(p)), ...candidates.filter((p) => p.endsWith('-old') && complete(p))][0];
  if (!pick) return;
  fs.renameSync(pick, dir);
  fsyncDir(parent);
}

/**
 * Replaces folder `dir` with `files`: written and fsynced in a temporary folder beside it, then
 * swapped in by two renames. A crash at any moment leaves either the old or the new folder
 * complete, under `dir` or beside it, where recoverDir (called by every reader) finds it.
 */
export function writeDirAtomic(dir: string, files: Record<string, Buffer | string>): void {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  recoverDir(dir);
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  // The manifest last: a folder with a manifest has everything else.
  const names = Object.keys(files).sort((a, b) => (a === 'manifest.json' ? 1 : b === 'manifest.json' ? -1 : a.localeCompare(b)));
  for (const name of names) {
    const data = files[name];
    const fd = fs.openSync(path.join(tmp, name), 'w');
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  fsyncDir(tmp);
  const old = fs.existsSync(dir) ? `${tmp}-old` : null;
  if (old) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fsyncDir(parent);
  if (old) fs.rmSync(old, { recursive: true, force: true });
  // Leftovers of earlier interrupted writes.
  for (const n of fs.readdirSync(parent)) if (n.startsWith(`.${path.basename(dir)}.tmp-`)) fs.rmSync(path.join(parent, n), { recursive: true, force: true });
}

async function pack(tensors: [string, tf.Tensor][]): Promise<{ index: TensorIndex; data: Buffer }> {
  const index: TensorIndex = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const values = (await t.data()) as Float32Array;
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
    chunks.push(Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength));
    index.push({ name, shape: t.shape, offset, length: f32.length });
    offset += f32.byteLength;
  }
  return { index, data: Buffer.concat(chunks) };
}

export type SaveOptions = Pick<ModelManifest, 'epoch' | 'seed' | 'backend' | 'config' | 'featureSpace' | 'metrics' | 'fusion'> & {
  /** Also save the optimizer's state (for resuming). */
  optimizer?: tf.Optimizer;
};

export async function saveModel(dir: string, model: TwoTowerModel, o: SaveOptions): Promise<void> {
  const weights = await pack([...model.params.all()].map(([n, v]) => [n, v]));
  const files: Record<string, Buffer | string> = { 'weights.bin': weights.data };
  let optimizer: TensorIndex | undefined;
  if (o.optimizer) {
    const named = await o.optimizer.getWeights();
    const packed = await pack(named.map((w) => [w.name, w.tensor]));
    files['optimizer.bin'] = packed.data;
    optimizer = packed.index;
  }
  const manifest: ModelManifest = {
    format: MODEL_FORMAT, version: 1, createdAt: new Date().toISOString(), epoch: o.epoch, seed: o.seed,
    backend: o.backend, config: o.config, featureSpace: o.featureSpace, metrics: o.metrics, fusion: o.fusion, weights: weights.index, optimizer,
  };
  files['manifest.json'] = JSON.stringify(manifest, null, 1);
  writeDirAtomic(dir, files);
}

export function readManifest(dir: string): ModelManifest {
  recoverDir(dir);
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new Error(`${dir}: not a saved model (no manifest.json)`);
  let m: ModelManifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelManifest;
  } catch (e) {
    // V8's message quotes the text around the fault: name the place, never the file's content.
    throw new Error(`${file}: damaged, not valid JSON (${jsonProblem(e)}); train a new model`);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error(`${file}: damaged (${kindOf(m)} where the model's description belongs); train a new model`);
  if (m.format !== MODEL_FORMAT) throw new Error(`${file}: not a model this app saved (expected format ${MODEL_FORMAT}); train a new model`);
  for (const [key, index] of [['weights', m.weights], ['optimizer', m.optimizer]] as const) {
    if (key === 'optimizer' && index === undefined) continue;
    const problem = indexProblem(index);
    if (problem) throw new Error(`${file}: damaged (${key}: ${problem}); train a new model`);
  }
  // Every setting it holds is checked as this version reads it (a damaged size would otherwise build
  // a network of any shape before the weights could disagree with it).
  try {
    checkSavedConfig(m.config, file);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new Error(`${file}: damaged settings (${e.issues.map((i) => `${i.key} = ${shown(i.value)}, expected ${i.expected}`).join('; ')}); train a new model`);
  }
  // Models saved before the audio-fit values were renamed keep working (same values, old key).
  const space = m.featureSpace as FeatureSpace & { compatFill?: number[] };
  if (space && !space.audioFitFill && space.compatFill) space.audioFitFill = space.compatFill;
  return m;
}

/** What is wrong with a tensor index (undefined: nothing): entries of a name, a shape of whole sizes, and a place that fits. */
function indexProblem(index: unknown): string | undefined {
  if (!Array.isArray(index)) return `expected a list, found ${kindOf(index)}`;
  for (const [i, w] of index.entries()) {
    const e = w as { name?: unknown; shape?: unknown; offset?: unknown; length?: unknown };
    const whole = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || !Array.isArray(e.shape) || !e.shape.every(whole) || !whole(e.offset) || !whole(e.length)) {
      return `entry ${i + 1} is not a name, a shape, an offset and a length`;
    }
    const size = e.shape.reduce((a: number, b: number) => a * b, 1);
    if (size !== e.length) return `${weightLabel(e.name, i)} holds ${e.length} values where its shape holds ${size}`;
  }
  return undefined;
}

/**
 * A weight as an error names it: its name where it looks like one the app writes (letters, digits,
 * `_ / . : -`, at most 100), else its place in the index — the file's text is not repeated.
 */
function weightLabel(name: string, i: number): string {
  return /^[\w/.:-]{1,100}$/.test(name) ? `weight ${name}` : `weight ${i + 1} of the index`;
}

function unpack(buf: Buffer, entry: { name: string; offset: number; length: number; shape: number[] }, i: number, file: string): tf.Tensor {
  // A file cut short (a full disk, a copy interrupted) would otherwise leave zeros in the weights.
  if (entry.offset + entry.length * 4 > buf.length) throw new Error(`${file}: damaged (${weightLabel(entry.name, i)} runs past the end of the file's ${buf.length} bytes); train a new model`);
  const f32 = new Float32Array(entry.length);
  new Uint8Array(f32.buffer).set(buf.subarray(entry.offset, entry.offset + entry.length * 4));
  return tf.tensor(f32, entry.shape);
}

export interface LoadedModel {
  model: TwoTowerModel;
  manifest: ModelManifest;
}

export function loadModel(dir: string): LoadedModel {
  const manifest = readManifest(dir);
  if (manifest.featureSpace?.version !== 2) {
    throw new Error(`${dir}: this model was trained by an older version of the app (its features differ); train a new model`);
  }
  const model = new TwoTowerModel(dimsOf(manifest.featureSpace), manifest.config.model, manifest.seed);
  const bin = path.join(dir, 'weights.bin');
  const buf = fs.readFileSync(bin);
  const vars = model.params.all();
  for (const [i, w] of manifest.weights.entries()) {
    const v = vars.get(w.name);
    if (!v) throw new Error(`${dir}: ${weightLabel(w.name, i)} does not exist in this model`);
    if (v.shape.join() !== w.shape.join()) throw new Error(`${dir}: ${weightLabel(w.name, i)} has shape ${w.shape}, expected ${v.shape}`);
    const t = unpack(buf, w, i, bin);
    v.assign(t);
    t.dispose();
  }
  if (manifest.weights.length !== vars.size) throw new Error(`${dir}: ${manifest.weights.length} weights saved, the model has ${vars.size}`);
  return { model, manifest };
}

export async function restoreOptimizer(dir: string, optimizer: tf.Optimizer): Promise<boolean> {
  const manifest = readManifest(dir);
  if (!manifest.optimizer) return false;
  const bin = path.join(dir, 'optimizer.bin');
  const buf = fs.readFileSync(bin);
  await optimizer.setWeights(manifest.optimizer.map((w, i) => ({ name: w.name, tensor: unpack(buf, w, i, bin) })));
  return true;
}
