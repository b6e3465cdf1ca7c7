/** Expands what the person picked — files, folders, a Spotify .zip — into sources to import. */
import fs from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { ImportError } from './errors';
import { bufferSource, fileSource, type Source } from './source';

const DATA_EXT = /\.(json|jsonl|ndjson|csv|tsv)$/i;

export interface Collected {
  source: Source;
  /** True when the person named this file directly (an unknown format is then an error). */
  explicit: boolean;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    // A link to a file is followed (a person may link their exports together); links to folders
    // are not (they could loop).
    else if ((e.isFile() || (e.isSymbolicLink() && isFile(p))) && (DATA_EXT.test(e.name) || /\.zip$/i.test(e.name))) out.push(p);
  }
}

/** Limits on what a zip may expand to (a zip bomb is refused before it is inflated). */
export const ZIP_LIMITS = { archiveBytes: 2 * 1024 ** 3, entryBytes: 1024 ** 3, totalBytes: 3 * 1024 ** 3, ratio: 200 };

function zipSources(file: string): Source[] {
  let entries: Record<string, Uint8Array>;
  const size = fs.statSync(file).size;
  if (size > ZIP_LIMITS.archiveBytes) throw new ImportError(file, null, `the archive is ${(size / 1024 ** 3).toFixed(1)} GB; at most ${ZIP_LIMITS.archiveBytes / 1024 ** 3} GB is read`);
  let total = 0;
  let refused: string | null = null;
  try {
    entries = unzipSync(fs.readFileSync(file), {
      filter: (f) => {
        if (!DATA_EXT.test(f.name) || f.name.startsWith('__MACOSX/') || /(^|\/)\./.test(f.name)) return false;
        total += f.originalSize;
        if (f.originalSize > ZIP_LIMITS.entryBytes || total > ZIP_LIMITS.totalBytes || f.originalSize > Math.max(1 << 20, f.size * ZIP_LIMITS.ratio)) {
          refused ??= `${f.name} would expand to ${(f.originalSize / 1024 ** 2).toFixed(0)} MB (${(total / 1024 ** 2).toFixed(0)} MB in all): more than an export holds`;
          return false;
        }
        return true;
      },
    });
  } catch (e) {
    throw new ImportError(file, null, `not a readable zip archive (${(e as Error).message})`);
  }
  if (refused) throw new ImportError(file, null, refused);
  return Object.keys(entries)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => bufferSource(`${file}!${name}`, entries[name]));
}

export function collect(inputs: string[]): Collected[] {
  const out: Collected[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new ImportError(input, null, 'no such file or folder');
    const st = fs.statSync(input);
    if (st.isDirectory()) {
      const files: string[] = [];
      walk(input, files);
      for (const f of files) {
        if (/\.zip$/i.test(f)) out.push(...zipSources(f).map((source) => ({ source, explicit: false })));
        else out.push({ source: fileSource(f), explicit: false });
      }
    } else if (/\.zip$/i.test(input)) {
      out.push(...zipSources(input).map((source) => ({ source, explicit: false })));
    } else {
      out.push({ source: fileSource(input), explicit: true });
    }
  }
  return out;
}
