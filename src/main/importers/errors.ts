/** An import failure that names the file, where in it, and what was expected. */
export class ImportError extends Error {
  constructor(
    public readonly file: string,
    public readonly where: string | null,
    public readonly problem: string,
  ) {
    super(`${file}${where ? ` (${where})` : ''}: ${problem}`);
    this.name = 'ImportError';
  }
}

/**
 * What is wrong with a JSON text, from JSON.parse's error, without the text itself: V8 quotes the
 * characters around the fault (`Unexpected token 'p', ..."secret": pa"... is not valid JSON`),
 * and an error must not repeat a file's contents. The kind of fault and its position stay.
 */
export function jsonProblem(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (/^Unexpected end of JSON input/.test(m)) return 'the text ends before the JSON does';
  const pos = /at position (\d+)/.exec(m);
  const at = pos ? ` at character ${+pos[1] + 1}` : '';
  if (/is not valid JSON/.test(m) || /^Unexpected token/.test(m)) return `an unexpected character${at}`;
  // "Expected ',' or '}' after property value in JSON at position 12 (line 1 column 13)", "Unterminated string in JSON …"
  const kind = /^(.*?)\s+(?:in|after) JSON\b/.exec(m)?.[1];
  return kind && /^[A-Za-z ,'{}[\]:-]+$/.test(kind) ? `${kind}${at}` : `malformed JSON${at}`;
}

/** What a JSON value is, for an error that must not repeat the file's contents. */
export function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : typeof v === 'boolean' ? 'true or false' : v === undefined ? 'nothing' : typeof v === 'object' ? 'a mapping' : typeof v;
}
