/** Exposes exactly the typed contract to the sandboxed renderer, nothing more. */
import { contextBridge, ipcRenderer } from 'electron';
import type { RendererApi } from '../shared/ipc';
import { CHANNELS, EVENTS } from '../shared/ipc';

const api: RendererApi = {
  invoke: (channel, req) => {
    if (!CHANNELS.includes(channel)) return Promise.reject(new Error(`unknown channel ${channel}`));
    return ipcRenderer.invoke(channel, req);
  },
  on: (event, listener) => {
    if (!(EVENTS as readonly string[]).includes(event)) throw new Error(`unknown event ${event}`);
    const wrapped = (_e: unknown, payload: unknown) => listener(payload as never);
    ipcRenderer.on(event, wrapped);
    return () => ipcRenderer.removeListener(event, wrapped);
  },
};

contextBridge.exposeInMainWorld('api', api);
