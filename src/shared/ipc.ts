/**
 * The one typed contract between the renderer and the main process: every channel with its
 * request and response types, and the push events. Main registers a handler for each channel,
 * preload exposes exactly these, the renderer calls them; the browser harness serves the same
 * map over HTTP on 127.0.0.1.
 */
import type { AppConfig } from './config-schema';
import type { FeedbackKind, ImportProgress, ImportReport, Recommendation, RecommendOptions, TrainProgress } from './types';

export interface LibraryStats {
  tracks: number;
  artists: number;
  profiles: { id: number; name: string; events: number }[];
  events: number;
  /** Share of listens matched to a catalogue track / artist. */
  trackMatch: number;
  artistMatch: number;
}

export interface AppInfo {
  version: string;
  dataDir: string;
  logFile: string;
  backend: string | null;
  servingRunId: number | null;
  logLevel: string;
}

export interface ImportRequestDto {
  catalogs: string[];
  histories: string[];
  profile?: string;
}

/** Files picked in the window, sent as bytes (works the same in Electron and the browser harness). */
export interface ImportFilesDto {
  files: { name: string; base64: string }[];
  kind: 'history' | 'catalog';
  profile?: string;
}

export interface ProfileDetail {
  id: number;
  name: string;
  age: number | null;
  gender: string | null;
  country: string | null;
  events: number;
  hours: number;
  first: number | null;
  last: number | null;
  monthlyHours: { month: string; hours: number }[];
  topGenres: { genre: string; share: number }[];
  topArtists: { artist: string; plays: number }[];
  /** The person's average audio features (0–1 scale) against the catalogue's. */
  audioProfile: { feature: string; value: number; catalogue: number }[];
}

export interface RunSummary {
  id: number;
  createdAt: number;
  finishedAt: number | null;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  backend: string;
  epochs: number | null;
  serving: boolean;
  error: string | null;
  metrics: Record<string, number>;
  /** Per epoch: loss and validation metrics. */
  curve: { epoch: number; loss: number; ndcg10: number | null; hitRate10: number | null }[];
}

/** The trainer's progress, with the run it belongs to and the outcomes the app adds. */
export interface TrainingProgressEvent extends Omit<TrainProgress, 'phase'> {
  runId: number | null;
  phase: TrainProgress['phase'] | 'failed' | 'cancelled';
  message?: string;
}

export interface EvaluationSummary {
  runId: number;
  users: number;
  /** Whose held-out listening was ranked (null: everyone in the library). */
  profile: string | null;
  /** Discovery: tracks first played in the held-out period. */
  rankers: { name: string; metrics: Record<string, number> }[];
  /** All plays: everything played in the held-out period. */
  allPlays: { name: string; metrics: Record<string, number> }[];
}

export interface ExportResult {
  filename: string;
  mime: string;
  content: string;
}

export interface IpcContract {
  'app:info': { req: Record<string, never>; res: AppInfo };
  'library:stats': { req: Record<string, never>; res: LibraryStats };
  /** Imports files or folders the person picked with import:pick (nothing else is read). */
  'import:run': { req: ImportRequestDto; res: ImportReport };
  /** Opens the system's file chooser in the main process; what is picked may then be imported. */
  'import:pick': { req: { kind: 'history' | 'catalog' }; res: { paths: string[] } };
  'import:files': { req: ImportFilesDto; res: ImportReport };
  'profile:get': { req: { profileId: number }; res: ProfileDetail };
  'profile:update': { req: { profileId: number; age: number | null; gender: string | null; country: string | null }; res: ProfileDetail };
  'recommend:list': { req: { profileId: number; options: RecommendOptions }; res: Recommendation[] };
  /** Cold start: the artists a person likes (a new profile when named); they count as listening at once. */
  'profile:favourites': {
    req: { profileId?: number; name?: string; artists: string[]; age?: number | null; country?: string | null };
    res: { profileId: number; matched: string[]; unknown: string[] };
  };
  'recommend:feedback': { req: { profileId: number; kind: FeedbackKind; trackId?: number; artistId?: number }; res: { ok: true } };
  'recommend:similar': { req: { trackId: number; k: number }; res: Recommendation[] };
  'recommend:export': { req: { profileId: number; format: 'm3u8' | 'xspf' | 'csv'; options: RecommendOptions }; res: ExportResult };
  'training:config': { req: Record<string, never>; res: { config: AppConfig } };
  'training:start': { req: { overrides: string[] }; res: { started: true } };
  'training:cancel': { req: Record<string, never>; res: { cancelled: boolean } };
  'training:runs': { req: Record<string, never>; res: RunSummary[] };
  'training:serve': { req: { runId: number }; res: RunSummary[] };
  'evaluation:run': { req: { runId?: number; profileId?: number }; res: EvaluationSummary };
  'settings:set': { req: { logLevel: string }; res: AppInfo };
  /** Opens the log file in the system's viewer (Electron); says where it is otherwise. */
  'settings:open-log': { req: Record<string, never>; res: { opened: boolean; path: string } };
  /** Deletes the library, the models and the logs' contents: a fresh start. */
  'settings:reset': { req: { confirm: 'RESET' }; res: AppInfo };
  /** Stops a running import; the library stays exactly as it was before it. */
  'import:cancel': { req: Record<string, never>; res: { cancelled: boolean } };
  /** The renderer's log lines, written to the same log file through electron-log. */
  'log:write': { req: { level: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL'; message: string }; res: { ok: true } };
}

export type Channel = keyof IpcContract;
export type Req<C extends Channel> = IpcContract[C]['req'];
export type Res<C extends Channel> = IpcContract[C]['res'];

/** Push events from main to renderer. */
export interface EventContract {
  'import:progress': ImportProgress;
  'training:progress': TrainingProgressEvent;
}
export type EventName = keyof EventContract;
export const EVENTS: readonly EventName[] = ['import:progress', 'training:progress'];

export interface IpcError {
  code: 'invalid_request' | 'not_found' | 'failed';
  message: string;
}
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export const CHANNELS: readonly Channel[] = [
  'app:info', 'library:stats', 'import:run', 'import:pick', 'import:files', 'profile:get', 'profile:update', 'profile:favourites', 'recommend:list',
  'recommend:feedback', 'recommend:similar', 'recommend:export', 'training:config', 'training:start', 'training:cancel',
  'training:runs', 'training:serve', 'evaluation:run', 'settings:set', 'settings:open-log', 'settings:reset',
  'import:cancel', 'log:write',
];

/** What preload exposes on `window.api` (and the harness shim implements over HTTP). */
export interface RendererApi {
  invoke<C extends Channel>(channel: C, req: Req<C>): Promise<IpcResult<Res<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventContract[E]) => void): () => void;
}
