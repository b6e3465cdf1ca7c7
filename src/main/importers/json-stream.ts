/**
 * Reads a JSON array of objects record by record, in bounded memory, with record numbers and
 * line numbers for errors. Files up to `wholeFileLimit` are parsed in one JSON.parse (fast path);
 * if that fails the streaming scanner runs to say exactly which record is broken.
 */
import { ImportError, jsonProblem, kindOf } from './errors';
import { MAX_RECORD_CHARS, readText, textChunks, type Source } from './source';

export interface JsonRecord {
  value: Record<string, unknown>;
  /** 1-based position in the array. */
  index: number;
  /** 1-based line where the record starts. */
  line: number;
}

const WHOLE_FILE_LIMIT = 48 * 1024 * 1024;

/** Records in arrays of up to BATCH (per chunk when streaming), for synchronous inner loops. */
const BATCH = 8192;
export async function* readJsonArrayBatches(
  src: Source,
  opts: { onProgress?: (bytes: number) => void; wholeFileLimit?: number } = {},
): AsyncGenerator<JsonRecord[]> {
  const limit = opts.wholeFileLimit ?? WHOLE_FILE_LIMIT;
  if (src.size <= limit) {
    const text = await readText(src);
    let parsed: unknown;
    let ok = true;
    try {
      parsed = JSON.parse(text);
    } catch {
      ok = false;
    }
    if (ok) {
      if (!Array.isArray(parsed)) {
        throw new ImportError(src.name, 'line 1', 'expected a JSON array of records ([{…}, {…}])');
      }
      for (let start = 0; start < parsed.length; start += BATCH) {
        const end = Math.min(parsed.length, start + BATCH);
        const batch: JsonRecord[] = new Array(end - start);
        for (let i = start; i < end; i++) {
          const v = parsed[i];
          if (typeof v !== 'object' || v === null || Array.isArray(v)) {
            throw new ImportError(src.name, `record ${i + 1}`, `expected an object, found ${kindOf(v)}`);
          }
          batch[i - start] = { value: v as Record<string, unknown>, index: i + 1, line: 0 };
        }
        yield batch;
        opts.onProgress?.(Math.round((src.size * end) / parsed.length));
      }
      opts.onProgress?.(src.size);
      return;
    }
    // Fall through: the streaming scanner pinpoints the error.
  }
  yield* scanJsonArray(src, opts.onProgress);
}

async function* scanJsonArray(src: Source, onProgress?: (bytes: number) => void): AsyncGenerator<JsonRecord[]> {
  const O_BRACE = 123, C_BRACE = 125, O_BRACK = 91, C_BRACK = 93, QUOTE = 34, BSLASH = 92, COMMA = 44, LF = 10;
  let started = false; // saw the opening [
  let ended = false; // saw the closing ]
  let depth = 0; // depth inside the current record
  let inString = false;
  let escape = false;
  let buf = '';
  let line = 1;
  let recLine = 0;
  let index = 0;
  let expectValue = true;

  for await (const chunk of textChunks(src)) {
    const s = chunk.text;
    const n = s.length;
    let recStart = depth > 0 ? 0 : -1;
    const ready: JsonRecord[] = [];
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === LF) line++;
      if (inString) {
        if (escape) escape = false;
        else if (c === BSLASH) escape = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (depth > 0) {
        if (c === QUOTE) inString = true;
        else if (c === O_BRACE || c === O_BRACK) depth++;
        else if (c === C_BRACE || c === C_BRACK) {
          depth--;
          if (depth === 0) {
            const text = buf + s.slice(recStart, i + 1);
            buf = '';
            recStart = -1;
            let value: unknown;
            try {
              value = JSON.parse(text);
            } catch (e) {
              throw new ImportError(src.name, `record ${index} starting at line ${recLine}`, `not valid JSON (${jsonProblem(e)})`);
            }
            if (typeof value !== 'object' || value === null || Array.isArray(value)) {
              throw new ImportError(src.name, `record ${index} at line ${recLine}`, 'expected an object');
            }
            ready.push({ value: value as Record<string, unknown>, index, line: recLine });
          }
        }
        continue;
      }
      // Between records.
      if (c === 32 || c === 9 || c === 13 || c === LF) continue;
      if (ended) throw new ImportError(src.name, `line ${line}`, 'unexpected text after the end of the JSON array');
      if (!started) {
        if (c !== O_BRACK) throw new ImportError(src.name, `line ${line}`, 'expected a JSON array of records ([{…}, {…}])');
        started = true;
        continue;
      }
      if (c === C_BRACK) {
        ended = true;
        continue;
      }
      if (c === COMMA) {
        if (expectValue) throw new ImportError(src.name, `line ${line}`, 'unexpected comma in the JSON array');
        expectValue = true;
        continue;
      }
      if (c === O_BRACE) {
        if (!expectValue) throw new ImportError(src.name, `line ${line}`, 'missing comma between records');
        expectValue = false;
        depth = 1;
        index++;
        recLine = line;
        recStart = i;
        continue;
      }
      throw new ImportError(src.name, `record ${index + 1} at line ${line}`, `expected an object, found "${s[i]}"`);
    }
    if (depth > 0 && recStart >= 0) buf += s.slice(recStart);
    if (buf.length > MAX_RECORD_CHARS) throw new ImportError(src.name, `record ${index} starting at line ${recLine}`, `longer than ${MAX_RECORD_CHARS / 1024 ** 2} M characters: not a listening export`);
    if (ready.length) yield ready;
    onProgress?.(chunk.bytesRead);
  }
  if (!started) throw new ImportError(src.name, null, 'the file is empty; expected a JSON array of records');
  if (depth > 0) throw new ImportError(src.name, `record ${index} starting at line ${recLine}`, 'the file ends inside this record (truncated?)');
  if (!ended) throw new ImportError(src.name, `after record ${index}`, 'the JSON array is never closed with "]" (truncated?)');
}

/** JSON Lines: one object per line, blank lines ignored; the objects of each decoded chunk as one array. */
export async function* readJsonLinesBatches(src: Source, onProgress?: (bytes: number) => void): AsyncGenerator<JsonRecord[]> {
  let rest = '';
  let line = 0;
  let index = 0;
  const parseLine = (text: string, ln: number): JsonRecord | null => {
    const t = text.trim();
    if (!t) return null;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      throw new ImportError(src.name, `line ${ln}`, `not valid JSON (${jsonProblem(e)}); expected one JSON object per line`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ImportError(src.name, `line ${ln}`, 'expected a JSON object');
    return { value: v as Record<string, unknown>, index: ++index, line: ln };
  };
  for await (const chunk of textChunks(src)) {
    const parts = (rest + chunk.text).split('\n');
    rest = parts.pop() ?? '';
    const ready: JsonRecord[] = [];
    for (const p of parts) {
      line++;
      const r = parseLine(p, line);
      if (r) ready.push(r);
    }
    if (ready.length) yield ready;
    onProgress?.(chunk.bytesRead);
  }
  if (rest.trim()) {
    line++;
    const r = parseLine(rest, line);
    if (r) yield [r];
  }
}
