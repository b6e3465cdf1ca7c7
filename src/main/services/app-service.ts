/**
 * The main-process services behind the typed contract, shared by the Electron shell and the
 * browser harness: one library, one data folder, long work in a worker thread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EventContract, EventName, IpcContract, Req, Res, AppInfo, EvaluationSummary } from '../../shared/ipc';
import type { ImportReport, Recommendation } from '../../shared/types';
import { loadConfig } from '../config';
import { library, openLibrary, profiles, runs, type Library } from '../db';
import { configureLogging, getLogger, parseLevel, type LogLevel } from '../logging';
import { dataPaths, workerFile, type DataPaths } from '../paths';
import { backendInfo } from '../recommender/backend';
import type { JobMessage, JobReply } from '../workers/jobs-worker';
import { getRun, listRuns, markInterruptedRuns, runSummary, servingModelDir, setServing } from './model-service';
import { profileDetail } from './profile-service';
import { coldStartList, setFavourites } from './cold-start';
import { deleteCommunity } from '../importers/community';
import { toCSV, toM3U8, toXSPF } from './playlist-export';
import { keepRecommendations, lastRecommendations } from './last-recommendations';
import { dropRecommender, recommenderFor, recommenderOpen } from './recommender-service';

const log = getLogger('app');
const rendererLog = getLogger('renderer');
export type Emit = <E extends EventName>(event: E, payload: EventContract[E]) => void;
export type Handlers = { [C in keyof IpcContract]: (req: Req<C>) => Promise<Res<C>> };


export class AppService {
  readonly paths: DataPaths;
  lib: Library;
  private logLevel: LogLevel;
  private training: Worker | null = null;
  private importing: Worker | null = null;
  private evaluating: Worker | null = null;
  private importCancelled = false;
  private version: string;

  private openPath: ((file: string) => Promise<unknown>) | null;
  private pickPaths: ((kind: 'history' | 'catalog' | 'community') => Promise<string[]>) | null;
  /** Files and folders the person picked (the system's chooser, or the harness's --allow): all that import:run may read. */
  private readonly granted: string[] = [];

  constructor(
    dataDir: string, private emit: Emit,
    opts: { version?: string; quiet?: boolean; openPath?: (file: string) => Promise<unknown>; pickPaths?: (kind: 'history' | 'catalog' | 'community') => Promise<string[]> } = {},
  ) {
    this.openPath = opts.openPath ?? null;
    this.pickPaths = opts.pickPaths ?? null;
    this.paths = dataPaths(dataDir);
    for (const d of [this.paths.root, this.paths.models, this.paths.logs, this.paths.userConfigs]) fs.mkdirSync(d, { recursive: true });
    this.logLevel = this.config().logging.level;
    configureLogging({ level: this.logLevel, file: this.paths.logFile, quiet: opts.quiet });
    this.lib = openLibrary(this.paths.db);
    this.version = opts.version ?? '0.1.0';
    log.info(`data folder ${this.paths.root}`);
    const interrupted = markInterruptedRuns(this.lib);
    if (interrupted) log.warning(`${interrupted} training run${interrupted === 1 ? ' was' : 's were'} interrupted by a stop and marked failed`);
  }

  /** Records paths the person chose (in the main process: a dialog, or the harness's command line). */
  grant(paths: string[]): void {
    for (const p of paths) {
      try {
        this.granted.push(fs.realpathSync(path.resolve(p)));
      } catch {
        // A path that does not exist grants nothing.
      }
    }
  }

  /** Each requested path must be a picked path or inside a picked folder (after resolving links). */
  private checkGranted(paths: string[]): string[] {
    return paths.map((p) => {
      let real: string | null = null;
      try {
        real = fs.realpathSync(path.resolve(p));
      } catch {
        real = null;
      }
      const ok = real !== null && this.granted.some((g) => real === g || real!.startsWith(g.endsWith(path.sep) ? g : g + path.sep));
      if (!ok) throw new Error(`${path.basename(p) || p}: not something you picked in this window — choose it with "Choose files or a folder…"`);
      return real!;
    });
  }

  config(overrides: string[] = []) {
    return loadConfig({ layers: this.configLayers(), overrides }).config;
  }

  private configLayers(): string[] {
    return fs.existsSync(this.paths.userConfigs) ? [this.paths.userConfigs] : [];
  }

  close(): void {
    this.training?.terminate();
    this.importing?.terminate();
    this.evaluating?.terminate();
    dropRecommender(this.lib);
    this.lib.close();
  }

  private runJob(msg: JobMessage, onProgress: (p: unknown) => void): { worker: Worker; done: Promise<unknown> } {
    const file = workerFile('jobs-worker');
    // From the source tree (harness, tests) the worker is TypeScript: load it through tsx.
    // execArgv and env are spelled out as own properties: nothing a worker starts with can come
    // from a prototype or be inherited implicitly.
    const worker = new Worker(file, {
      execArgv: file.endsWith('.ts') ? ['--require', require.resolve('tsx/cjs')] : [],
      env: Object.fromEntries(Object.entries(process.env)),
    });
    const done = new Promise<unknown>((resolve, reject) => {
      worker.on('message', (r: JobReply) => {
        if (r.type === 'progress') onProgress(r.payload);
        else if (r.type === 'result') resolve(r.payload);
        else reject(Object.assign(new Error(r.message), { cancelled: r.cancelled }));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => code !== 0 && reject(new Error(`worker stopped with code ${code}`)));
    }).finally(() => void worker.terminate());
    worker.postMessage(msg);
    return { worker, done };
  }

  private importInWorker(request: { catalogs: string[]; histories: string[]; profile?: string }): Promise<ImportReport> {
    return this.importJob({ type: 'import', dbPath: this.paths.db, logFile: this.paths.logFile, logLevel: this.logLevel, request });
  }

  /** An import (listening, catalogue or community data) in the worker: one at a time, cancellable, progress to the window. */
  private async importJob<T>(msg: JobMessage): Promise<T> {
    if (this.importing) throw new Error('an import is already running');
    const { worker, done } = this.runJob(msg, (p) => this.emit('import:progress', p as EventContract['import:progress']));
    this.importing = worker;
    try {
      const result = (await done) as T;
      dropRecommender(this.lib); // the catalogue, the history or the co-listening feature changed
      return result;
    } catch (e) {
      if (this.importCancelled) throw new Error('the import was cancelled; nothing was changed');
      throw e;
    } finally {
      this.importing = null;
      this.importCancelled = false;
    }
  }


  private info(): AppInfo {
    const serving = runs.servingRunId(this.lib.sqlite);
    return {
      version: this.version, dataDir: this.paths.root, logFile: this.paths.logFile,
      // Training runs in a worker: before this process scores anything, show the backend of the last run.
      backend: backendInfo()?.description ?? (runs.lastCompletedBackend(this.lib.sqlite) ?? null),
      servingRunId: serving ?? null, logLevel: this.logLevel,
    };
  }

  /**
   * Opens the serving model (catalogue, item vectors, index) ahead of the first request, so that
   * the first list appears as the window opens. Failures are logged; the request will report them.
   */
  async warmUp(): Promise<void> {
    try {
      await recommenderFor(this.lib, this.config().training.backend);
    } catch (e) {
      log.warning(`warm-up: ${(e as Error).message}`);
    }
  }

  private async recommendations(profileId: number, options: Req<'recommend:list'>['options']): Promise<Recommendation[]> {
    const backend = this.config().training.backend;
    // While the model opens (the first second after start), the person's last list is still
    // exact if nothing it depends on changed: show it rather than wait.
    if (!recommenderOpen(this.lib)) {
      const last = lastRecommendations(this.lib, profileId, options);
      if (last) {
        void recommenderFor(this.lib, backend).catch(() => undefined);
        return last;
      }
    }
    const rec = await recommenderFor(this.lib, backend);
    // No model yet: a list at once from the person's artists (listened or named) and the community.
    if (!rec) return coldStartList(this.lib, profileId, options.k ?? 20);
    const list = rec.recommend(profileId, options);
    keepRecommendations(this.lib, profileId, options, list);
    return list;
  }

  handlers(): Handlers {
    // A reset replaces the connection: always go through this.lib.
    const db = () => this.lib.sqlite;
    return {
      'app:info': async () => this.info(),
      'library:stats': async () => {
        const c = library.counts(db());
        return {
          tracks: c.tracks, artists: c.artists, events: c.events, communitySources: c.communitySources,
          trackMatch: c.events ? c.trackMatched / c.events : 0,
          artistMatch: c.events ? c.artistMatched / c.events : 0,
          profiles: profiles.profilesWithEventCounts(db()),
        };
      },
      'import:run': (req) => this.importInWorker({ ...req, catalogs: this.checkGranted(req.catalogs), histories: this.checkGranted(req.histories) }),
      'import:pick': async ({ kind }) => {
        if (!this.pickPaths) throw new Error('choosing files by path needs the desktop app; here, upload the files instead');
        const paths = await this.pickPaths(kind);
        this.grant(paths);
        return { paths };
      },
      'import:community': async ({ path: input }) => {
        const [granted] = this.checkGranted([input]);
        return this.importJob<Res<'import:community'>>({ type: 'community', dbPath: this.paths.db, logFile: this.paths.logFile, logLevel: this.logLevel, path: granted });
      },
      'import:community-delete': async () => {
        if (this.importing) throw new Error('an import is running');
        const deleted = deleteCommunity(this.lib);
        dropRecommender(this.lib);
        return { deleted };
      },
      'import:files': async (req) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omr-upload-'));
        try {
          // Each in a folder of its own: two uploads with one name (two StreamingHistory0.json) both stay.
          const files = req.files.map((f, i) => {
            fs.mkdirSync(path.join(dir, String(i)));
            const p = path.join(dir, String(i), path.basename(f.name));
            fs.writeFileSync(p, Buffer.from(f.base64, 'base64'));
            return p;
          });
          // Messages and the report name an upload as the person knows it (its file name), not by
          // the temporary folder it was read from.
          const local = new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\\\/]\\d+[\\\\/]`, 'g');
          const named = (s: string) => s.replace(local, '');
          try {
            const r = await this.importInWorker(req.kind === 'catalog' ? { catalogs: files, histories: [] } : { catalogs: [], histories: files, profile: req.profile });
            return {
              ...r,
              files: r.files.map((f) => ({ ...f, path: named(f.path) })),
              ignoredFiles: r.ignoredFiles.map((f) => ({ ...f, path: named(f.path) })),
              skippedExamples: r.skippedExamples.map((x) => ({ ...x, file: named(x.file) })),
            };
          } catch (e) {
            if (e instanceof Error) e.message = named(e.message);
            throw e;
          }
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
      'profile:get': async ({ profileId }) => profileDetail(this.lib, profileId),
      'profile:update': async ({ profileId, age, gender, country }) => {
        if (!profiles.updateDemographics(db(), profileId, { age, gender, country: country?.toUpperCase() ?? null })) throw new Error(`no profile with id ${profileId}`);
        return profileDetail(this.lib, profileId);
      },
      'recommend:list': ({ profileId, options }) => this.recommendations(profileId, options),
      'profile:favourites': async ({ profileId, name, artists, age, country }) => setFavourites(this.lib, { profileId, name }, artists, { age, country }),
      'recommend:feedback': async ({ profileId, kind, trackId, artistId }) => {
        const rec = await recommenderFor(this.lib);
        if (!rec) throw new Error('no trained model yet');
        rec.feedback(profileId, kind, { trackId, artistId });
        return { ok: true as const };
      },
      'recommend:similar': async ({ trackId, k }) => {
        const rec = await recommenderFor(this.lib);
        if (!rec) throw new Error('no trained model yet');
        return rec.similar(trackId, k);
      },
      'recommend:export': async ({ profileId, format, options }) => {
        const recs = await this.recommendations(profileId, { ...options, explain: true });
        const name = profiles.profileName(db(), profileId) ?? 'profile';
        const title = `Recommendations for ${name}`;
        const base = `recommendations-${name.replace(/[^\w-]+/g, '_')}`;
        if (format === 'm3u8') return { filename: `${base}.m3u8`, mime: 'audio/x-mpegurl', content: toM3U8(recs, title) };
        if (format === 'xspf') return { filename: `${base}.xspf`, mime: 'application/xspf+xml', content: toXSPF(recs, title) };
        return { filename: `${base}.csv`, mime: 'text/csv', content: toCSV(recs) };
      },
      'training:config': async () => ({ config: this.config() }),
      'training:start': async ({ overrides, warm }) => {
        if (this.training) throw new Error('a training run is already in progress');
        this.config(overrides); // validate before starting: a bad value is reported here
        const { worker, done } = this.runJob(
          { type: 'train', dbPath: this.paths.db, logFile: this.paths.logFile, logLevel: this.logLevel, modelsDir: this.paths.models, layers: this.configLayers(), overrides, warm },
          (p) => this.emit('training:progress', p as EventContract['training:progress']),
        );
        this.training = worker;
        done
          .then((r) => {
            dropRecommender(this.lib);
            this.emit('training:progress', { runId: (r as { runId: number }).runId, phase: 'done', epoch: 0, epochs: 0, step: 0, steps: 0, loss: null, etaS: 0 });
          })
          .catch((e: Error & { cancelled?: boolean }) => {
            this.emit('training:progress', { runId: null, phase: e.cancelled ? 'cancelled' : 'failed', epoch: 0, epochs: 0, step: 0, steps: 0, loss: null, etaS: null, message: e.message });
          })
          .finally(() => (this.training = null));
        return { started: true as const };
      },
      'training:cancel': async () => {
        if (!this.training) return { cancelled: false };
        this.training.postMessage({ type: 'cancel' } satisfies JobMessage);
        return { cancelled: true };
      },
      'training:runs': async () => listRuns(this.lib).map((r) => runSummary(this.lib, r.id)),
      'training:serve': async ({ runId }) => {
        setServing(this.lib, runId);
        dropRecommender(this.lib);
        return listRuns(this.lib).map((r) => runSummary(this.lib, r.id));
      },
      'evaluation:run': async ({ runId, profileId }) => {
        const dir = runId ? getRun(this.lib, runId)?.modelPath : servingModelDir(this.lib);
        const id = runId ?? this.info().servingRunId;
        if (!dir || !id) throw new Error('no trained model to evaluate');
        if (this.evaluating) throw new Error('an evaluation is already running');
        // In the worker: ranking the catalogue for every person must not freeze the window.
        const job = this.runJob({ type: 'evaluate', dbPath: this.paths.db, logFile: this.paths.logFile, logLevel: this.logLevel, modelDir: dir, layers: this.configLayers(), overrides: ['evaluation.bootstrap.samples=0'], profileId }, () => {});
        this.evaluating = job.worker;
        try {
          const report = (await job.done) as Pick<EvaluationSummary, 'users' | 'rankers' | 'allPlays'>;
          const profile = profileId ? (profiles.profileName(db(), profileId) ?? null) : null;
          return { runId: id, profile, ...report };
        } finally {
          this.evaluating = null;
        }
      },
      'import:cancel': async () => {
        if (!this.importing) return { cancelled: false };
        // The import's transaction never commits: SQLite discards it and the library is as it was.
        this.importCancelled = true;
        await this.importing.terminate();
        return { cancelled: true };
      },
      'log:write': async ({ level, message }) => {
        rendererLog.log(level, message);
        return { ok: true as const };
      },
      'settings:open-log': async () => {
        if (this.openPath) await this.openPath(this.paths.logFile);
        return { opened: this.openPath !== null, path: this.paths.logFile };
      },
      'settings:reset': async () => {
        if (this.training) throw new Error('cancel the training run first');
        if (this.importing) throw new Error('cancel the import first');
        if (this.evaluating) throw new Error('wait for the evaluation to finish');
        dropRecommender(this.lib);
        this.lib.close();
        try {
          // The old library is first moved aside (one rename), so a failed delete leaves a working app.
          const aside = `${this.paths.db}.deleting-${Date.now()}`;
          if (fs.existsSync(this.paths.db)) fs.renameSync(this.paths.db, aside);
          for (const f of [`${this.paths.db}-wal`, `${this.paths.db}-shm`]) fs.rmSync(f, { force: true });
          fs.rmSync(aside, { force: true });
          fs.rmSync(this.paths.models, { recursive: true, force: true });
          fs.mkdirSync(this.paths.models, { recursive: true });
        } finally {
          this.lib = openLibrary(this.paths.db);
        }
        log.warning('the library and all models were deleted at the person’s request');
        return this.info();
      },
      'settings:set': async ({ logLevel }) => {
        this.logLevel = parseLevel(logLevel);
        configureLogging({ level: this.logLevel, file: this.paths.logFile });
        return this.info();
      },
    };
  }
}
