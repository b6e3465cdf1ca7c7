/**
 * The typed contract as the renderer sees it: `window.api` from the preload script in Electron,
 * or the same interface over HTTP when the page is served by the browser harness.
 */
import type { Channel, EventContract, EventName, IpcResult, Req, RendererApi, Res } from '../../shared/ipc';

function httpApi(token: string): RendererApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let source: EventSource | null = null;
  const ensureSource = () => {
    if (source) return;
    // Authenticated by the harness's same-site cookie (the token never goes into an address).
    source = new EventSource('/api/events');
    for (const name of ['import:progress', 'training:progress']) {
      source.addEventListener(name, (e) => {
        const payload = JSON.parse((e as MessageEvent).data);
        for (const l of listeners.get(name) ?? []) l(payload);
      });
    }
  };
  return {
    async invoke<C extends Channel>(channel: C, req: Req<C>): Promise<IpcResult<Res<C>>> {
      try {
        const r = await fetch(`/api/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: token ? { 'content-type': 'application/json', 'x-omr-token': token } : { 'content-type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify(req),
        });
        return (await r.json()) as IpcResult<Res<C>>;
      } catch (e) {
        return { ok: false, error: { code: 'failed', message: `the app's services are not reachable (${(e as Error).message})` } };
      }
    },
    on<E extends EventName>(event: E, listener: (payload: EventContract[E]) => void) {
      ensureSource();
      const set = listeners.get(event) ?? listeners.set(event, new Set()).get(event)!;
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}

function resolveApi(): RendererApi {
  if (typeof window !== 'undefined' && window.api) return window.api;
  // The harness turns the token in its start address into an HttpOnly cookie; requests carry it.
  return httpApi('');
}

export const api = resolveApi();

/** Calls a channel and throws its typed error message, for use with the useAsync helpers. */
export async function call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>> {
  const r = await api.invoke(channel, req);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** The renderer's logger: lines go to the main process's log file through the contract. */
export const rlog = {
  error: (message: string) => void api.invoke('log:write', { level: 'ERROR', message: message.slice(0, 8000) }),
  warning: (message: string) => void api.invoke('log:write', { level: 'WARNING', message: message.slice(0, 8000) }),
  info: (message: string) => void api.invoke('log:write', { level: 'INFO', message: message.slice(0, 8000) }),
};
