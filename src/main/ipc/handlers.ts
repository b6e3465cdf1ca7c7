/** Dispatching a request: validate the payload, run the handler, turn every failure into a typed error. */
import type { Channel, IpcResult, Req, Res } from '../../shared/ipc';
import { ImportError } from '../importers/errors';
import { getLogger } from '../logging';
import type { Handlers } from '../services/app-service';
import { InvalidRequest, validateRequest } from './validate';

const log = getLogger('ipc');

export async function dispatch<C extends Channel>(handlers: Handlers, channel: C, raw: unknown): Promise<IpcResult<Res<C>>> {
  if (!(channel in handlers)) return { ok: false, error: { code: 'not_found', message: `unknown channel ${String(channel)}` } };
  let req: Req<C>;
  try {
    req = validateRequest(channel, raw);
  } catch (e) {
    if (e instanceof InvalidRequest) {
      log.warning(`${channel}: rejected a malformed request: ${e.message}`);
      return { ok: false, error: { code: 'invalid_request', message: `${channel}: ${e.message}` } };
    }
    throw e;
  }
  try {
    return { ok: true, value: await (handlers[channel] as (r: Req<C>) => Promise<Res<C>>)(req) };
  } catch (e) {
    const message = (e as Error).message;
    if (e instanceof ImportError || /^no trained model/.test(message)) log.warning(`${channel}: ${message}`);
    else log.error(`${channel} failed:`, e);
    return { ok: false, error: { code: 'failed', message } };
  }
}
