/**
 * Checking a value against a TypeBox schema (config files, IPC requests): TypeBox does the
 * checking; this turns its errors into the app's messages — the key path, the value and what was
 * expected, in words.
 */
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';

export interface Problem {
  key: string;
  value: unknown;
  expected: string;
}

type Json = Record<string, unknown>;

/** What `schema` accepts, in words ("an integer in [1, 10]", "one of dot, concat"). */
export function describeSchema(schema: TSchema): string {
  const base = describeBase(schema);
  return (schema as { [OptionalKind]?: string })[OptionalKind] === 'Optional' ? `${base} (optional)` : base;
}

function describeBase(s: TSchema): string {
  const j = s as unknown as Json;
  if (Array.isArray(j.anyOf)) {
    const parts = j.anyOf as TSchema[];
    const consts = parts.filter((p) => (p as unknown as Json).const !== undefined).map((p) => String((p as unknown as Json).const));
    const others = parts.filter((p) => (p as unknown as Json).const === undefined);
    const words = [...(consts.length ? [`one of ${consts.join(', ')}`] : []), ...others.map(describeBase)];
    return words.join(' or ');
  }
  switch (j.type) {
    case 'integer':
    case 'number': {
      const t = j.type === 'integer' ? 'an integer' : 'a number';
      const min = j.minimum as number | undefined;
      const max = j.maximum as number | undefined;
      if (min !== undefined && max !== undefined) return `${t} in [${min}, ${max}]`;
      if (min !== undefined) return `${t} ≥ ${min}`;
      if (max !== undefined) return `${t} ≤ ${max}`;
      return t;
    }
    case 'string':
      return j.pattern ? 'a string of the expected form' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array': {
      const min = j.minItems as number | undefined;
      const max = j.maxItems as number | undefined;
      const bounds = min && max !== undefined ? ` (${min} to ${max})` : min ? ` (at least ${min})` : max !== undefined ? ` (at most ${max})` : '';
      return `a list of ${describeBase(j.items as TSchema)}${bounds}`;
    }
    case 'object':
      return 'a mapping';
    default:
      return String(s[Kind] ?? 'a value');
  }
}

const keyOf = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');

/** Every problem of `value` against `schema`, one per key path, in document order. */
export function schemaProblems(schema: TSchema, value: unknown): Problem[] {
  if (Value.Check(schema, value)) return [];
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const key = keyOf(e.path);
    if (seen.has(key)) continue;
    seen.add(key);
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      // TypeBox reports the unknown key's path and the object's schema.
      const known = Object.keys((e.schema as unknown as { properties?: Json }).properties ?? {});
      out.push({ key, value: e.value, expected: `no such key (known: ${known.join(', ')})` });
    } else if (e.type === ValueErrorType.ObjectRequiredProperty) {
      out.push({ key, value: undefined, expected: `${describeBase(e.schema)} (missing)` });
    } else {
      out.push({ key: key || '(document)', value: e.value, expected: describeBase(e.schema) });
    }
  }
  return out;
}
