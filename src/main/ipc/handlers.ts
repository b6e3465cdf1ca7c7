/** The handlers of the typed contract, bound to the main-process services. */
import type { Channel, EventContract, EventName, IpcResult, Req, Res } from '../../shared/ipc';
import type { Library } from '../db';
import { ImportError } from '../importers/errors';
import { getLogger } from '../logging';
import { runImport } from '../services/import-service';
import { InvalidRequest, validators } from './validate';

export type Emit = <E extends EventName>(event: E, payload: EventContract[E]) => void;
type Handlers = { [C in Channel]: (req: Req<C>) => Promise<Res<C>> };

const log = getLogger('ipc');

export function createHandlers(lib: Library, emit: Emit): Handlers {
  return {
    'library:stats': async () => {
      const q = (sql: string) => lib.sqlite.prepare(sql).pluck().get() as number;
      return {
        tracks: q('SELECT count(*) FROM tracks'),
        artists: q('SELECT count(*) FROM artists'),
        events: q('SELECT count(*) FROM listening_events'),
        profiles: lib.sqlite
          .prepare('SELECT p.id, p.name, (SELECT count(*) FROM listening_events e WHERE e.profile_id = p.id) AS events FROM profiles p ORDER BY p.name')
          .all() as { id: number; name: string; events: number }[],
      };
    },
    'import:run': (req) => runImport(lib, { ...req, onProgress: (p) => emit('import:progress', p) }),
  };
}

/** Validates the payload, runs the handler, and turns every failure into a typed error result. */
export async function dispatch<C extends Channel>(handlers: Handlers, channel: C, raw: unknown): Promise<IpcResult<Res<C>>> {
  const validate = validators[channel] as ((raw: unknown) => Req<C>) | undefined;
  if (!validate) return { ok: false, error: { code: 'not_found', message: `unknown channel ${String(channel)}` } };
  let req: Req<C>;
  try {
    req = validate(raw);
  } catch (e) {
    if (e instanceof InvalidRequest) return { ok: false, error: { code: 'invalid_request', message: `${channel}: ${e.message}` } };
    throw e;
  }
  try {
    return { ok: true, value: await (handlers[channel] as (r: Req<C>) => Promise<Res<C>>)(req) };
  } catch (e) {
    const message = (e as Error).message;
    if (!(e instanceof ImportError)) log.error(`${channel} failed:`, e);
    return { ok: false, error: { code: 'failed', message } };
  }
}
