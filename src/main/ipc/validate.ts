/**
 * Payload validation at the main-process boundary: every request is checked against a schema
 * before any service (or the database) sees it.
 */
import { forbiddenKeyPath, type Spec } from '../../shared/config-schema';
import type { Channel, Req } from '../../shared/ipc';
import { validate } from '../config/loader';

export class InvalidRequest extends Error {}

/** Uploads travel as base64 text: at most this many characters in one request (≈ 150 MB of files). */
export const MAX_UPLOAD_BASE64 = 200 * 1024 * 1024;

const int = (min?: number, max?: number): Spec => ({ kind: 'number', integer: true, min, max });
const num = (min?: number, max?: number): Spec => ({ kind: 'number', min, max });
const str = (pattern?: string): Spec => ({ kind: 'string', pattern });
const oneOf = (...values: string[]): Spec => ({ kind: 'string', enum: values });
const bool: Spec = { kind: 'boolean' };
const list = (of: Spec, minItems?: number, maxItems?: number): Spec => ({ kind: 'array', of, minItems, maxItems });
const obj = (fields: Record<string, Spec>): Spec => ({ kind: 'object', fields });
const opt = (of: Spec): Spec => ({ kind: 'optional', of });
const nullable = (of: Spec): Spec => ({ kind: 'nullable', of });
const none = obj({});
const id = int(1, 2 ** 31);
const filePath = str('^.{1,4096}$');

const recommendOptions = obj({
  k: opt(int(1, 5000)),
  excludePlayed: opt(bool),
  genres: opt(list(str('^.{1,200}$'), 0, 200)),
  yearFrom: opt(int(1000, 2100)),
  yearTo: opt(int(1000, 2100)),
  maxPerArtist: opt(int(0, 1000)),
  diversity: opt(num(0, 1)),
  discovery: opt(num(-1, 1)),
  explain: opt(bool),
});

export const REQUEST_SPECS: Record<Channel, Spec> = {
  'app:info': none,
  'library:stats': none,
  'import:run': obj({ catalogs: list(filePath, 0, 1000), histories: list(filePath, 0, 1000), profile: opt(str('^.{1,200}$')) }),
  'import:pick': obj({ kind: oneOf('history', 'catalog') }),
  'import:files': obj({
    files: list(obj({ name: str('^[^/\\\\]{1,255}$'), base64: str() }), 1, 500),
    kind: oneOf('history', 'catalog'),
    profile: opt(str('^.{1,200}$')),
  }),
  'profile:get': obj({ profileId: id }),
  'profile:update': obj({ profileId: id, age: nullable(int(5, 120)), gender: nullable(str('^.{1,40}$')), country: nullable(str('^[A-Za-z]{2}$')) }),
  'recommend:list': obj({ profileId: id, options: recommendOptions }),
  'profile:favourites': obj({
    profileId: opt(id), name: opt(str('^.{1,200}$')), artists: list(str('^.{1,200}$'), 1, 50),
    age: opt(nullable(int(5, 120))), country: opt(nullable(str('^[A-Za-z]{2}$'))),
  }),
  'recommend:feedback': obj({ profileId: id, kind: oneOf('like', 'dislike', 'never_artist'), trackId: opt(id), artistId: opt(id) }),
  'recommend:similar': obj({ trackId: id, k: int(1, 500) }),
  'recommend:export': obj({ profileId: id, format: oneOf('m3u8', 'xspf', 'csv'), options: recommendOptions }),
  'training:config': none,
  'training:start': obj({ overrides: list(str('^[a-z_.]+=.{0,200}$'), 0, 100) }),
  'training:cancel': none,
  'training:runs': none,
  'training:serve': obj({ runId: id }),
  'evaluation:run': obj({ runId: opt(id), profileId: opt(id) }),
  'settings:set': obj({ logLevel: oneOf('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL') }),
  'settings:open-log': none,
  'settings:reset': obj({ confirm: oneOf('RESET') }),
  'import:cancel': none,
  'log:write': obj({ level: oneOf('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'), message: str('^[\\s\\S]{1,8000}$') }),
};

export function validateRequest<C extends Channel>(channel: C, raw: unknown): Req<C> {
  const spec = REQUEST_SPECS[channel];
  if (!spec) throw new InvalidRequest(`unknown channel ${String(channel)}`);
  const value = raw === undefined || raw === null ? {} : raw;
  const bad = forbiddenKeyPath(value);
  if (bad) throw new InvalidRequest(`${bad}: not a field of this request`);
  const problems: { key: string; value: unknown; expected: string }[] = [];
  validate(value, spec, '', problems);
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
