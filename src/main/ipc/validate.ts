/**
 * Payload validation at the main-process boundary: every request is checked against a schema
 * before any service (or the database) sees it.
 */
import { forbiddenKeyPath } from '../../shared/config-schema';
import { REQUEST_SCHEMAS, type Channel, type Req } from '../../shared/ipc';
import { schemaProblems } from '../schema-check';

export class InvalidRequest extends Error {}

/** Uploads travel as base64 text: at most this many characters in one request (≈ 150 MB of files). */
export const MAX_UPLOAD_BASE64 = 200 * 1024 * 1024;

export function validateRequest<C extends Channel>(channel: C, raw: unknown): Req<C> {
  const schema = Object.hasOwn(REQUEST_SCHEMAS, channel) ? REQUEST_SCHEMAS[channel] : undefined;
  if (!schema) throw new InvalidRequest(`unknown channel ${String(channel)}`);
  const value = raw === undefined || raw === null ? {} : raw;
  const bad = forbiddenKeyPath(value);
  if (bad) throw new InvalidRequest(`${bad}: not a field of this request`);
  const problems = schemaProblems(schema, value);
  if (problems.length) {
    throw new InvalidRequest(problems.map((p) => `${p.key || '(payload)'} = ${JSON.stringify(p.value)?.slice(0, 60)}: expected ${p.expected}`).join('; '));
  }
  const v = value as Record<string, unknown>;
  if (channel === 'import:run' && !(v.catalogs as unknown[]).length && !(v.histories as unknown[]).length) throw new InvalidRequest('nothing to import');
  if (channel === 'recommend:feedback' && v.trackId === undefined && v.artistId === undefined) throw new InvalidRequest('feedback needs a trackId or an artistId');
  if (channel === 'import:files') {
    const total = (v.files as { base64: string }[]).reduce((n, f) => n + f.base64.length, 0);
    if (total > MAX_UPLOAD_BASE64) {
      throw new InvalidRequest(`the files come to ${Math.round((total * 3) / 4 / 1024 ** 2)} MB; at most ${Math.round((MAX_UPLOAD_BASE64 * 3) / 4 / 1024 ** 2)} MB can be uploaded at once — choose larger exports with "Choose files or a folder…"`);
    }
  }
  if (channel === 'profile:favourites' && v.profileId === undefined && v.name === undefined) throw new InvalidRequest('favourites need a profileId or a new profile name');
  return value as Req<C>;
}
