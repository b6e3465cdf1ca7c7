/**
 * Streaming CSV reader (RFC 4180 plus what real exports do): quoted fields with embedded
 * delimiters, doubled quotes and newlines, CRLF or LF line ends, `,` `;` or tab delimiters
 * (detected from the header line). Memory stays bounded by the longest record.
 */
import { ImportError } from './errors';
import { countNewlines, MAX_RECORD_CHARS, textChunks, type Source } from './source';

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

export function detectDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = -1;
  for (const d of [',', ';', '\t']) {
    let n = 0;
    let quoted = false;
    for (let i = 0; i < firstLine.length; i++) {
      const c = firstLine[i];
      if (c === '"') quoted = !quoted;
      else if (!quoted && c === d) n++;
    }
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Records in order, the records of each decoded chunk (~1 MB) as one array: importers loop over
 * them synchronously, so the cost of an async step is paid per chunk rather than per record.
 * Throws ImportError on an unterminated quoted field. `onProgress` receives bytes read so far.
 */
export async function* readCsvBatches(
  src: Source,
  opts: { delimiter?: string; onProgress?: (bytes: number) => void } = {},
): AsyncGenerator<CsvRecord[]> {
  let delim = opts.delimiter ?? '';
  let D = delim.charCodeAt(0);
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // just closed a quote (next must be delimiter / newline / another quote)
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0;
  let pendingCR = false;
  let bytes = 0;
  let recordChars = 0; // characters in the current record's fields before `field`

  const QUOTE = 34;
  const CR = 13;
  const LF = 10;

  for await (const chunk of textChunks(src)) {
    const s = chunk.text;
    bytes = chunk.bytesRead;
    if (!delim) {
      const nl = s.indexOf('\n');
      delim = detectDelimiter(nl < 0 ? s : s.slice(0, nl));
      D = delim.charCodeAt(0);
    }
    let i = 0;
    const n = s.length;
    const out: CsvRecord[] = [];
    while (i < n) {
      if (quoted) {
        // Fast scan to the next quote.
        const q = s.indexOf('"', i);
        if (q < 0) {
          const piece = s.slice(i);
          field += piece;
          line += countNewlines(piece);
          i = n;
          break;
        }
        const piece = s.slice(i, q);
        field += piece;
        line += countNewlines(piece);
        i = q + 1;
        quoted = false;
        afterQuote = true;
        continue;
      }
      const c = s.charCodeAt(i);
      if (pendingCR) {
        pendingCR = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      if (c === QUOTE) {
        if (afterQuote) {
          // Doubled quote inside a quoted field: "" → "
          field += '"';
          quoted = true;
          afterQuote = false;
        } else if (!fieldStarted) {
          quoted = true;
          fieldStarted = true;
          quoteLine = line;
        } else {
          field += '"'; // stray quote inside an unquoted field: keep it literally
        }
        i++;
        continue;
      }
      if (c === D) {
        fields.push(field);
        recordChars += field.length + 1;
        field = '';
        fieldStarted = false;
        afterQuote = false;
        i++;
        continue;
      }
      if (c === LF || c === CR) {
        if (fieldStarted || fields.length > 0 || field !== '') {
          fields.push(field);
          out.push({ fields, line: recordLine });
        }
        fields = [];
        field = '';
        recordChars = 0;
        fieldStarted = false;
        afterQuote = false;
        line++;
        recordLine = line;
        if (c === CR) pendingCR = true;
        i++;
        continue;
      }
      // Plain run of characters up to the next special one.
      let j = i + 1;
      while (j < n) {
        const d = s.charCodeAt(j);
        if (d === D || d === LF || d === CR || d === QUOTE) break;
        j++;
      }
      field += s.slice(i, j);
      fieldStarted = true;
      afterQuote = false;
      i = j;
    }
    if (recordChars + field.length > MAX_RECORD_CHARS) {
      const where = quoted ? quoteLine : recordLine;
      throw new ImportError(src.name, `line ${where}`, `a record longer than ${MAX_RECORD_CHARS / 1024 ** 2} M characters${quoted ? ' (a quoted field that never closes?)' : ''}: not a listening export or catalogue`);
    }
    if (out.length) yield out;
    opts.onProgress?.(bytes);
  }
  if (quoted) {
    throw new ImportError(src.name, `line ${quoteLine}`, 'a quoted field is never closed (the file may be truncated)');
  }
  if (fieldStarted || fields.length > 0 || field !== '') {
    fields.push(field);
    yield [{ fields, line: recordLine }];
  }
}


/** Maps header names to column indexes; lookups are case- and punctuation-insensitive. */
export class Header {
  readonly index = new Map<string, number>();
  constructor(public readonly names: string[]) {
    names.forEach((h, i) => {
      const k = Header.key(h);
      if (!this.index.has(k)) this.index.set(k, i);
    });
  }
  static key(name: string): string {
    return name.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[^a-z0-9]/g, '');
  }
  /** Index of the first of `names` present, or -1. */
  find(...names: string[]): number {
    for (const n of names) {
      const i = this.index.get(Header.key(n));
      if (i !== undefined) return i;
    }
    return -1;
  }
  has(...names: string[]): boolean {
    return names.every((n) => this.index.has(Header.key(n)));
  }
}
