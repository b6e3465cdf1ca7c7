/**
 * Imports catalogues and listening histories into the library in one transaction: either every
 * file lands, or the database is left exactly as it was.
 */
import { createHash, type Hash } from 'node:crypto';
import { beginImmediate, commit, dbVersion, listening, profiles, rollback, type Library } from '../db';
import { CatalogStore } from '../importers/catalog-store';
import { collect } from '../importers/collect';
import { detect, type Detected } from '../importers/detect';
import { ImportError } from '../importers/errors';
import { readCatalogCsv } from '../importers/formats/catalog';
import { historyReader } from '../importers/read-history';
import { CatalogMatcher } from '../importers/matcher';
import type { Source } from '../importers/source';
import { dedupeKey, type HistoryItem } from '../importers/types';

export { dedupeKey };
import { getLogger } from '../logging';
import type { FileImportReport, ImportProgress, ImportReport } from '../../shared/types';
import path from 'node:path';

const log = getLogger('import');

/**
 * The matcher is built from the whole catalogue (~0.7 s for 100k tracks), so it is kept per open
 * library, kept current by the catalogue store during an import, and trusted at the next import
 * only if nothing was written to the database since this one committed.
 */
const matchers = new WeakMap<Library, { matcher: CatalogMatcher; version: string }>();
export function matcherFor(lib: Library): CatalogMatcher {
  const cached = matchers.get(lib);
  if (cached && cached.version === dbVersion(lib.sqlite)) return cached.matcher;
  matchers.delete(lib);
  return CatalogMatcher.load(lib.sqlite);
}

export interface ImportRequest {
  /** Catalogue CSVs (or folders of them). */
  catalogs?: string[];
  /** History files, folders or Spotify .zip files. */
  histories?: string[];
  /** The person the histories belong to (created if new). */
  profile?: string;
  /** Each history path is its own person, named after the folder or file. */
  profilePerPath?: boolean;
  onProgress?: (p: ImportProgress) => void;
}

interface Planned {
  source: Source;
  detected: Exclude<Detected, { kind: 'unknown' } | { kind: 'ignored' }>;
  /** Profile for history records; null for catalogue inputs. */
  profile: string | null;
}

function hashing(src: Source, h: Hash): Source {
  return {
    ...src,
    async *bytes() {
      for await (const c of src.bytes()) {
        const b = c instanceof Uint8Array ? c : new Uint8Array(c as ArrayBuffer);
        h.update(b);
        yield b;
      }
    },
  };
}

function emptyReport(profile: string | null): ImportReport {
  return {
    profile,
    files: [],
    ignoredFiles: [],
    events: 0,
    imported: 0,
    duplicates: 0,
    repeats: 0,
    skipped: 0,
    skippedReasons: {},
    skippedExamples: [],
    trackMatched: 0,
    artistMatched: 0,
    trackMatch: 0,
    artistMatch: 0,
    topUnmatchedArtists: [],
    catalog: { rows: 0, inserted: 0, merged: 0, skipped: 0, tracksTotal: 0 },
    rematched: { tracks: 0, artists: 0 },
    seconds: 0,
  };
}

function profileNameFor(input: string): string {
  const base = path.basename(input.replace(/[\\/]+$/, ''));
  return base.replace(/\.(zip|json|jsonl|csv)$/i, '') || base;
}

async function plan(req: ImportRequest, report: ImportReport): Promise<Planned[]> {
  const planned: Planned[] = [];
  const add = async (inputs: string[], profileOf: (input: string) => string | null) => {
    for (const input of inputs) {
      const before = planned.length;
      const ignored = report.ignoredFiles.length;
      for (const { source, explicit } of collect([input])) {
        const d = await detect(source);
        if (d.kind === 'unknown' || d.kind === 'ignored') {
          if (explicit && d.kind === 'unknown') {
            throw new ImportError(source.name, null, `not a supported export (${d.why}). Expected a Spotify StreamingHistory*.json / Streaming_History_Audio_*.json / endsong_*.json, a Last.fm scrobble CSV, a ListenBrainz export, an Exportify CSV or a catalogue CSV with audio features`);
          }
          report.ignoredFiles.push({ path: source.name, why: d.kind === 'ignored' ? d.why : d.why });
          continue;
        }
        planned.push({ source, detected: d, profile: profileOf(input) });
      }
      if (planned.length === before) {
        const skipped = report.ignoredFiles.slice(ignored);
        const found = skipped.length ? `${skipped.length} file(s) read, none of them music listening or a catalogue (${skipped[0].why})` : 'no .json, .jsonl, .csv, .tsv or .zip file';
        throw new ImportError(input, null, `nothing to import here: ${found}. Expected a Spotify StreamingHistory*.json / Streaming_History_Audio_*.json / endsong_*.json, a Last.fm scrobble CSV, a ListenBrainz export, an Exportify CSV or a catalogue CSV with audio features`);
      }
    }
  };
  await add(req.catalogs ?? [], () => null);
  await add(req.histories ?? [], (input) => (req.profilePerPath ? profileNameFor(input) : req.profile ?? null));
  for (const p of planned) {
    if (p.detected.kind === 'history' && !p.profile) {
      throw new ImportError(p.source.name, null, 'this is a listening history: say whose it is (--profile NAME)');
    }
  }
  return planned;
}

/** What the phases of one import share: the request, the report being filled, the matcher, byte progress. */
interface ImportRun {
  lib: Library;
  req: ImportRequest;
  report: ImportReport;
  matcher: CatalogMatcher;
  bytesTotal: number;
  /** Bytes of the files already read (progress runs over all files together). */
  bytesBefore: number;
}

export async function runImport(lib: Library, req: ImportRequest): Promise<ImportReport> {
  const t0 = performance.now();
  const report = emptyReport(req.profilePerPath ? null : req.profile ?? null);
  const planned = await plan(req, report);
  const { sqlite } = lib;

  beginImmediate(sqlite);
  try {
    // The catalogue store keeps the matcher in step with what it writes.
    const run: ImportRun = { lib, req, report, matcher: matcherFor(lib), bytesTotal: planned.reduce((s, p) => s + p.source.size, 0), bytesBefore: 0 };
    const savedEvents = await importCatalogues(run, planned.filter((p) => p.detected.kind === 'catalog' || p.detected.kind === 'both'));
    report.catalog.tracksTotal = run.matcher.trackCount;
    if (report.catalog.inserted > 0) {
      req.onProgress?.({ phase: 'rematch', file: '', bytesDone: run.bytesBefore, bytesTotal: run.bytesTotal, records: 0 });
      report.rematched = rematch(lib, run.matcher);
    }
    await importHistories(run, planned, savedEvents);
    commit(sqlite);
    matchers.set(lib, { matcher: run.matcher, version: dbVersion(sqlite) });
  } catch (e) {
    rollback(sqlite);
    matchers.delete(lib); // it may hold tracks of the rolled-back catalogue
    log.error(`import failed, nothing was changed: ${(e as Error).message}`);
    throw e;
  }
  report.seconds = (performance.now() - t0) / 1000;
  log.info(
    `imported ${report.imported} of ${report.events} listening records (${report.duplicates} already there, ${report.repeats} listed twice in the export, ${report.skipped} skipped), ` +
      `${report.catalog.inserted} new catalogue tracks; track match ${(report.trackMatch * 100).toFixed(1)} %, artist match ${(report.artistMatch * 100).toFixed(1)} %`,
  );
  return report;
}

/** The catalogue phase (also the catalogue half of Exportify files); the listens Exportify files carry, by file. */
async function importCatalogues(run: ImportRun, catalogFirst: Planned[]): Promise<Map<Planned, HistoryItem[]>> {
  const { lib: { sqlite }, req, report } = run;
  const store = catalogFirst.length ? new CatalogStore(sqlite, run.matcher) : null;
  const savedEvents = new Map<Planned, HistoryItem[]>();
  for (const p of catalogFirst) {
    const h = createHash('sha256');
    const started = Date.now();
    const src = hashing(p.source, h);
    const file: FileImportReport = { path: p.source.name, format: p.detected.format, kind: p.detected.kind, records: 0, imported: 0, duplicates: 0, repeats: 0, skipped: 0, notes: [] };
    const saved: HistoryItem[] = [];
    const format = p.detected.format;
    const wantsSaved = p.detected.kind === 'both' && p.profile !== null;
    let outOfRange = 0;
    let firstOutOfRange = '';
    for await (const batch of readCatalogCsv(src, {
      format: format as 'spotify-tracks-csv' | 'tidytuesday-csv' | 'exportify',
      onProgress: (b) => req.onProgress?.({ phase: 'catalog', file: p.source.name, bytesDone: run.bytesBefore + b, bytesTotal: run.bytesTotal, records: report.catalog.rows }),
      onSaved: wantsSaved ? (it) => saved.push(it) : undefined,
    })) {
      for (const item of batch) {
        file.records++;
        report.catalog.rows++;
        if (item.kind === 'skip') {
          file.skipped++;
          report.catalog.skipped++;
          noteSkip(report, p.source.name, item.where, `catalogue: ${item.reason}`);
          continue;
        }
        if (item.outOfRange) {
          outOfRange += item.outOfRange.length;
          firstOutOfRange ||= `${item.outOfRange[0]} on ${item.where}`;
        }
        if (store!.upsert(item.row, format)) {
          file.imported++;
          report.catalog.inserted++;
        } else {
          file.duplicates++;
          report.catalog.merged++;
        }
      }
    }
    if (outOfRange) file.notes.push(`${outOfRange.toLocaleString('en')} value(s) outside what the column can hold were left missing (the first: ${firstOutOfRange})`);
    if (wantsSaved) savedEvents.set(p, saved);
    listening.insertImport(sqlite, null, 'catalog', format, p.source.name, h.digest('hex'), started, Date.now(), file.records, file.imported, file.duplicates, file.skipped, '{}', 0, 0);
    report.files.push(file);
    run.bytesBefore += p.source.size;
  }
  return savedEvents;
}

/** The history phase: every listen matched to the catalogue and stored once; the report's match figures. */
async function importHistories(run: ImportRun, planned: Planned[], savedEvents: Map<Planned, HistoryItem[]>): Promise<void> {
  const { lib: { sqlite }, req, report, matcher } = run;
  const profileIds = new Map<string, number>();
  const profileId = (name: string): number => {
    let id = profileIds.get(name);
    if (id === undefined) {
      id = profiles.ensureProfile(sqlite, name);
      profileIds.set(name, id);
    }
    return id;
  };
  const unmatchedArtists = new Map<string, number>();
  // Listens inserted by this import: a second one with the same key is a repeat within the
  // export (a double scrobble), not something "already in the library".
  const thisImport = new Set<string>();
  for (const p of planned) {
    if (p.profile === null || p.detected.kind === 'catalog') continue;
    const pid = profileId(p.profile);
    const h = createHash('sha256');
    const started = Date.now();
    const format = p.detected.format;
    const importId = listening.insertImport(sqlite, pid, 'history', format, p.source.name, '', started, started, 0, 0, 0, 0, '{}', 0, 0);
    const file: FileImportReport = { path: p.source.name, format, kind: 'history', records: 0, imported: 0, duplicates: 0, repeats: 0, skipped: 0, notes: [] };
    const reasons: Record<string, number> = {};
    let trackMatched = 0;
    let artistMatched = 0;
    const onProgress = (b: number) =>
      req.onProgress?.({ phase: 'history', file: p.source.name, bytesDone: run.bytesBefore + b, bytesTotal: run.bytesTotal, records: report.events });
    const items = readHistory(p, hashing(p.source, h), savedEvents.get(p), onProgress);
    for await (const batch of items) {
      for (const item of batch) {
        if (item.kind === 'note') {
          file.notes.push(item.note);
          continue;
        }
        file.records++;
        report.events++;
        if (item.kind === 'skip') {
          file.skipped++;
          report.skipped++;
          reasons[item.reason] = (reasons[item.reason] ?? 0) + 1;
          noteSkip(report, p.source.name, item.where, item.reason);
          continue;
        }
        const e = item.event;
        const m = matcher.match(e.artist, e.title, e.spotifyId);
        const inserted = listening.insertEvent(sqlite,
          pid, e.ts, e.artist, e.title, e.album, e.spotifyId ? `spotify:track:${e.spotifyId}` : null, e.msPlayed,
          e.skipped === null ? null : +e.skipped, e.reasonStart, e.reasonEnd, e.shuffle === null ? null : +e.shuffle,
          e.platform, format, p.source.name, importId, m.trackId, m.artistId, dedupeKey(e),
        );
        const key = dedupeKey(e);
        if (!inserted && thisImport.has(key)) {
          file.repeats++; // merged into the first: not counted again in the match figures
          continue;
        }
        if (inserted) {
          file.imported++;
          thisImport.add(key);
        } else file.duplicates++;
        if (m.trackId !== null) trackMatched++;
        if (m.artistId !== null) artistMatched++;
        else unmatchedArtists.set(e.artist, (unmatchedArtists.get(e.artist) ?? 0) + 1);
      }
    }
    report.imported += file.imported;
    report.duplicates += file.duplicates;
    report.repeats += file.repeats;
    report.trackMatched += trackMatched;
    report.artistMatched += artistMatched;
    for (const [r, n] of Object.entries(reasons)) report.skippedReasons[r] = (report.skippedReasons[r] ?? 0) + n;
    listening.finishImport(sqlite, p.detected.kind === 'both' ? 'see catalogue import' : h.digest('hex'), Date.now(), file.records, file.imported, file.duplicates, file.skipped, JSON.stringify(reasons), trackMatched, artistMatched, importId);
    if (p.detected.kind !== 'both') {
      report.files.push(file);
      run.bytesBefore += p.source.size;
    } else {
      const catalogFile = report.files.find((f) => f.path === p.source.name);
      if (catalogFile) {
        catalogFile.kind = 'both';
        catalogFile.imported += file.imported;
      }
    }
  }
  const valid = report.imported + report.duplicates;
  report.trackMatch = valid ? report.trackMatched / valid : 0;
  report.artistMatch = valid ? report.artistMatched / valid : 0;
  report.topUnmatchedArtists = [...unmatchedArtists.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 15)
    .map(([artist, plays]) => ({ artist, plays }));
}

function readHistory(p: Planned, src: Source, saved: HistoryItem[] | undefined, onProgress: (b: number) => void): AsyncIterable<HistoryItem[]> {
  const d = p.detected;
  if (d.kind === 'both') {
    return (async function* () {
      yield saved ?? [];
    })();
  }
  if (d.kind !== 'history') throw new ImportError(p.source.name, null, `no history reader for ${d.format}`);
  return historyReader(d, src, onProgress);
}

function noteSkip(report: ImportReport, file: string, where: string, reason: string): void {
  if (report.skippedExamples.length < 20) report.skippedExamples.push({ file, where, reason });
}


/** Matches listens that had no catalogue track against the catalogue as it is now. */
export function rematch(lib: Library, matcher = CatalogMatcher.load(lib.sqlite)): { tracks: number; artists: number } {
  const { sqlite } = lib;
  const rows = listening.unmatchedEvents(sqlite);
  let tracks = 0;
  let artists = 0;
  for (const [id, artist, title, uri, artistId] of rows) {
    const m = matcher.match(artist, title, uri ? uri.replace('spotify:track:', '') : null);
    if (m.trackId !== null) tracks += listening.setEventTrack(sqlite, id, m.trackId, m.artistId);
    else if (m.artistId !== null && artistId === null) artists += listening.setEventArtist(sqlite, id, m.artistId);
  }
  return { tracks, artists };
}
