import { describe, expect, it } from 'vitest';
import { readCsvBatches } from '../../src/main/importers/csv';
import { ImportError, jsonProblem } from '../../src/main/importers/errors';
import { readJsonArrayBatches, readJsonLinesBatches } from '../../src/main/importers/json-stream';
import { bufferSource, type Source } from '../../src/main/importers/source';
import { implausibleListen } from '../../src/main/importers/types';

const enc = new TextEncoder();
const src = (text: string | Uint8Array, name = 'fixture.csv'): Source => bufferSource(name, typeof text === 'string' ? enc.encode(text) : text);
/** A source that yields its bytes in tiny chunks, so records straddle chunk borders. */
const chunked = (text: string, size = 3): Source => {
  const bytes = enc.encode(text);
  return {
    name: 'chunked.json', baseName: 'chunked.json', size: bytes.byteLength,
    async *bytes() {
      for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
    },
  };
};
/** Every record, from the readers' per-chunk batches. */
async function all<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}
async function failure(p: Promise<unknown>): Promise<ImportError> {
  try {
    await p;
  } catch (e) {
    return e as ImportError;
  }
  throw new Error('expected an ImportError');
}

describe('CSV reader', () => {
  it('reads quoted fields with delimiters, doubled quotes and newlines, CRLF line ends and a BOM', async () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"multi\r\nline",z\r\n\r\n3,,\r\n';
    const rows = await all(readCsvBatches(src(text)));
    expect(rows.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'multi\r\nline', 'z'],
      ['3', '', ''],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 6]);
  });

  it('detects ; and tab delimiters from the header', async () => {
    expect((await all(readCsvBatches(src('a;b\n1;2\n'))))[1].fields).toEqual(['1', '2']);
    expect((await all(readCsvBatches(src('a\tb\n1\t2\n'))))[1].fields).toEqual(['1', '2']);
  });

  it('decodes UTF-16 LE with a BOM', async () => {
    const body = 'artist,track\nBjörk,Jóga\n';
    const bytes = new Uint8Array(2 + body.length * 2);
    bytes[0] = 0xff;
    bytes[1] = 0xfe;
    for (let i = 0; i < body.length; i++) {
      bytes[2 + i * 2] = body.charCodeAt(i) & 0xff;
      bytes[3 + i * 2] = body.charCodeAt(i) >> 8;
    }
    expect((await all(readCsvBatches(src(bytes))))[1].fields).toEqual(['Björk', 'Jóga']);
  });

  it('names the file and line of a quoted field that never closes', async () => {
    const e = await failure(all(readCsvBatches(src('a,b\n1,2\n3,"open\n4,5\n', 'broken.csv'))));
    expect(e).toBeInstanceOf(ImportError);
    expect(e.message).toBe('broken.csv (line 3): a quoted field is never closed (the file may be truncated)');
  });

  it('rejects bytes that are not UTF-8, naming the file', async () => {
    const bytes = new Uint8Array([...enc.encode('a,b\n1,'), 0xe9, 0x0a]); // latin-1 "é"
    const e = await failure(all(readCsvBatches(src(bytes, 'latin1.csv'))));
    expect(e.message).toMatch(/^latin1\.csv \(near line \d\): the file is not valid UTF-8 text/);
  });
});

describe('JSON readers', () => {
  const records = Array.from({ length: 50 }, (_, i) => ({ i, s: `a "quoted" {brace} [${i}]\n` }));
  const text = JSON.stringify(records, null, 2);

  it('streams an array in tiny chunks with the same result as JSON.parse', async () => {
    const streamed = await all(readJsonArrayBatches(chunked(text, 7), { wholeFileLimit: 0 }));
    expect(streamed.map((r) => r.value)).toEqual(records);
    expect(streamed[0].line).toBe(2);
    const whole = await all(readJsonArrayBatches(chunked(text, 7)));
    expect(whole.map((r) => r.value)).toEqual(records);
  });

  it('names the record where a truncated file ends', async () => {
    const cut = text.slice(0, Math.floor(text.length * 0.6));
    const e = await failure(all(readJsonArrayBatches(src(cut, 'StreamingHistory0.json'))));
    expect(e.message).toMatch(/^StreamingHistory0\.json \(record \d+ starting at line \d+\): the file ends inside this record \(truncated\?\)$/);
  });

  it('names a malformed record', async () => {
    const bad = '[{"a":1},\n{"a":2,},\n{"a":3}]';
    const e = await failure(all(readJsonArrayBatches(src(bad, 'x.json'))));
    expect(e.message).toMatch(/^x\.json \(record 2 starting at line 2\): not valid JSON/);
  });

  it('rejects an empty file and a non-array document', async () => {
    expect((await failure(all(readJsonArrayBatches(src('', 'e.json'))))).message).toMatch(/empty/);
    expect((await failure(all(readJsonArrayBatches(src('{"a":1}', 'o.json'))))).message).toMatch(/expected a JSON array/);
  });

  it('says what is wrong with broken JSON without repeating the file’s text', async () => {
    // V8's own message quotes it: Unexpected token 'p', ..."secret": pa"... is not valid JSON
    const secret = '{"note": password123}';
    for (const e of [
      await failure(all(readJsonArrayBatches(src(`[{"a":1},\n${secret}]`, 'x.json'), { wholeFileLimit: 0 }))),
      await failure(all(readJsonArrayBatches(src(`[${secret}]`, 'x.json')))),
      await failure(all(readJsonLinesBatches(src(`{"a":1}\n${secret}\n`, 'l.jsonl')))),
      await failure(all(readJsonArrayBatches(src('["password123"]', 'x.json')))),
    ]) {
      expect(e.message).toMatch(/^(x\.json|l\.jsonl) \(/);
      expect(e.message).not.toMatch(/password|note/);
    }
    expect(jsonProblem(new SyntaxError("Expected ',' or '}' after property value in JSON at position 6"))).toBe("Expected ',' or '}' after property value at character 7");
    expect(jsonProblem(new SyntaxError('Unexpected token \'p\', ..."te": passwo"... is not valid JSON'))).toBe('an unexpected character');
    expect(jsonProblem(new SyntaxError('Unexpected end of JSON input'))).toBe('the text ends before the JSON does');
  });

  it('refuses a JSON record of megabytes by where it starts, before gathering the rest of the file', async () => {
    const e = await failure(all(readJsonArrayBatches(src(`[{"a":1},\n{"a":"${'x'.repeat(5 * 1024 * 1024)}`, 'big.json'), { wholeFileLimit: 0 })));
    expect(e.message).toBe('big.json (record 2 starting at line 2): longer than 4 M characters: not a listening export');
  });

  it('reads JSON Lines and names a broken line', async () => {
    expect((await all(readJsonLinesBatches(src('{"a":1}\n\n{"a":2}\n')))).map((r) => r.value)).toEqual([{ a: 1 }, { a: 2 }]);
    const e = await failure(all(readJsonLinesBatches(src('{"a":1}\n{"a":\n', 'l.jsonl'))));
    expect(e.message).toMatch(/^l\.jsonl \(line 2\): not valid JSON/);
  });
});

describe('Exportify artist names', () => {
  it('splits on ";" where the field has one, else only on a comma no space follows', async () => {
    const { exportifyArtists } = await import('../../src/main/importers/formats/catalog');
    expect(exportifyArtists('Kali Uchis;Tyler, The Creator;Bootsy Collins')).toEqual(['Kali Uchis', 'Tyler, The Creator', 'Bootsy Collins']);
    expect(exportifyArtists('Tyler, The Creator')).toEqual(['Tyler, The Creator']);
    expect(exportifyArtists('Earth, Wind & Fire')).toEqual(['Earth, Wind & Fire']);
    expect(exportifyArtists('Drake,Future')).toEqual(['Drake', 'Future']);
  });
});

describe('believable listens', () => {
  const now = Date.UTC(2026, 11, 5, 12);
  it('takes listens from 2000 until a day after the import, with a play time from 0 to 24 hours or none', () => {
    expect(implausibleListen(Date.UTC(2000, 0, 1), 0, now)).toBeNull();
    expect(implausibleListen(now + 86_400_000, 86_400_000, now)).toBeNull();
    expect(implausibleListen(Date.UTC(2015, 5, 1), null, now)).toBeNull();
    expect(implausibleListen(Date.UTC(2000, 0, 1) - 1, 1000, now)).toMatch(/before 2000/);
    expect(implausibleListen(0, 1000, now)).toMatch(/before 2000/);
    expect(implausibleListen(now + 86_400_001, 1000, now)).toMatch(/future/);
    expect(implausibleListen(Date.UTC(2015, 5, 1), -1, now)).toMatch(/play time/);
    expect(implausibleListen(Date.UTC(2015, 5, 1), 86_400_001, now)).toMatch(/play time/);
  });
});
