/** Payload validation at the main-process boundary: nothing malformed reaches a service. */
import type { Channel, Req } from '../../shared/ipc';

export class InvalidRequest extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown, key: string): string[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || !s)) throw new InvalidRequest(`${key} must be a list of paths`);
  return v as string[];
};

export const validators: { [C in Channel]: (raw: unknown) => Req<C> } = {
  'library:stats': (raw) => {
    if (raw !== undefined && raw !== null && !isObj(raw)) throw new InvalidRequest('expected no arguments');
    return {};
  },
  'import:run': (raw) => {
    if (!isObj(raw)) throw new InvalidRequest('expected { catalogs, histories, profile }');
    const catalogs = strings(raw.catalogs, 'catalogs');
    const histories = strings(raw.histories, 'histories');
    if (!catalogs.length && !histories.length) throw new InvalidRequest('nothing to import');
    if (raw.profile !== undefined && (typeof raw.profile !== 'string' || !raw.profile.trim() || raw.profile.length > 200)) {
      throw new InvalidRequest('profile must be a non-empty name');
    }
    if (histories.length && raw.profile === undefined) throw new InvalidRequest('a history needs a profile name');
    return { catalogs, histories, profile: raw.profile as string | undefined };
  },
};
