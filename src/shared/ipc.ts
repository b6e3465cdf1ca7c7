/**
 * The one typed contract between the renderer and the main process: every channel with its
 * request and response types, and the push events. Main registers a handler for each channel,
 * preload exposes exactly these, the renderer calls them; the browser harness serves the same
 * map over HTTP on 127.0.0.1.
 */
import type { Static } from '@sinclair/typebox';
import type { AppConfig } from './config-schema';
import { REQUEST_SCHEMAS } from './requests';
import type { ImportProgress, ImportReport, Recommendation, TrainProgress } from './types';

export { REQUEST_SCHEMAS };
export type { FeedbackKind, ImportFilesDto, ImportRequestDto, RecommendOptions } from './requests';

export interface LibraryStats {
  tracks: number;
  artists: number;
  profiles: { id: number; name: string; events: number }[];
  events: number;
  /** Community datasets imported. */
  communitySources: number;
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

/** The community datasets the importer reads. */
export type CommunityKind = 'mpd' | 'hetrec' | 'lastfm-1k' | 'lastfm-360k' | 'listenbrainz' | 'exports' | 'playlists';

/** What a community import added (importers/community.ts's report, as the window shows it). */
export interface CommunitySummary {
  source: string;
  kind: CommunityKind;
  /** Playlists (MPD) or listeners (HetRec) read. */
  groups: number;
  rows: number;
  matchedRows: number;
  artists: number;
  pairs: number;
  tracks: number;
  /** Artists here whose tags it kept (HetRec's tagging; 0 for the rest). */
  taggedArtists: number;
  seconds: number;
}

export interface ProfileDetail {
  id: number;
  name: string;
  age: number | null;
  gender: string | null;
  country: string | null;
  /** Listens (saves not included). */
  events: number;
  /** Tracks saved (an Exportify Liked Songs file: saves, not listens); 0 for listening exports. */
  saved?: number;
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

/** What each channel answers (the main process's own values: typed, not checked). */
export interface IpcResponses {
  'app:info': AppInfo;
  'library:stats': LibraryStats;
  'import:run': ImportReport;
  'import:pick': { paths: string[] };
  'import:community': CommunitySummary;
  'import:community-delete': { deleted: number };
  'import:files': ImportReport;
  'profile:get': ProfileDetail;
  'profile:update': ProfileDetail;
  'recommend:list': Recommendation[];
  'profile:favourites': { profileId: number; matched: string[]; unknown: string[] };
  'recommend:feedback': { ok: true };
  'recommend:similar': Recommendation[];
  'recommend:export': ExportResult;
  'training:config': { config: AppConfig };
  'training:start': { started: true };
  'training:cancel': { cancelled: boolean };
  'training:runs': RunSummary[];
  'training:serve': RunSummary[];
  'evaluation:run': EvaluationSummary;
  'settings:set': AppInfo;
  'settings:open-log': { opened: boolean; path: string };
  'settings:reset': AppInfo;
  'import:cancel': { cancelled: boolean };
  'log:write': { ok: true };
}

export type Channel = keyof typeof REQUEST_SCHEMAS;
export type Req<C extends Channel> = Static<(typeof REQUEST_SCHEMAS)[C]>;
export type Res<C extends Channel> = IpcResponses[C];
export type IpcContract = { [C in Channel]: { req: Req<C>; res: Res<C> } };

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

export const CHANNELS = Object.keys(REQUEST_SCHEMAS) as readonly Channel[];

/** What preload exposes on `window.api` (and the harness shim implements over HTTP). */
export interface RendererApi {
  invoke<C extends Channel>(channel: C, req: Req<C>): Promise<IpcResult<Res<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventContract[E]) => void): () => void;
}
