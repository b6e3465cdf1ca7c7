/**
 * The one typed contract between the renderer and the main process: every channel with its
 * request and response types. Main registers a handler for each, preload exposes exactly these,
 * the renderer calls them; the browser harness serves the same map over HTTP.
 */
import type { ImportProgress, ImportReport } from './types';

export interface LibraryStats {
  tracks: number;
  artists: number;
  profiles: { id: number; name: string; events: number }[];
  events: number;
}

export interface ImportRequestDto {
  catalogs: string[];
  histories: string[];
  profile?: string;
}

export interface IpcContract {
  'library:stats': { req: Record<string, never>; res: LibraryStats };
  'import:run': { req: ImportRequestDto; res: ImportReport };
}

export type Channel = keyof IpcContract;
export type Req<C extends Channel> = IpcContract[C]['req'];
export type Res<C extends Channel> = IpcContract[C]['res'];

/** Push events from main to renderer. */
export interface EventContract {
  'import:progress': ImportProgress;
}
export type EventName = keyof EventContract;

export interface IpcError {
  code: 'invalid_request' | 'not_found' | 'failed';
  message: string;
}
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export const CHANNELS: readonly Channel[] = ['library:stats', 'import:run'];

/** What preload exposes on `window.api`. */
export interface RendererApi {
  invoke<C extends Channel>(channel: C, req: Req<C>): Promise<IpcResult<Res<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventContract[E]) => void): () => void;
}
