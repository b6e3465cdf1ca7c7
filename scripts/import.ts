/**
 * npm run import -- --db FILE [--catalog CSV…] [--history PATH… --profile NAME | --profile-per-path] [--json]
 */
import { openLibrary } from '../src/main/db';
import { runImport } from '../src/main/services/import-service';
import { formatImportReport } from '../src/main/services/report-format';
import { main, parse, setup } from './lib/cli';
import { ProgressBar } from './lib/progress';

const USAGE = `Usage: npm run import -- [--db FILE] [--catalog CSV …] [--history PATH … --profile NAME] [--json]

  --catalog PATH       a catalogue CSV with audio features (Spotify tracks dataset, TidyTuesday, Exportify); repeatable
  --history PATH       a listening export: file, folder or Spotify .zip; repeatable
  --profile NAME       whose history it is (created if new)
  --profile-per-path   each --history path is a different person, named after the folder
  --db FILE            the library database (default: the app's data folder)
  --json               end with one JSON line: events, imported, duplicates, skipped, track_match, artist_match
  --set key=value      configuration override (repeatable); --config FILE|DIR adds a config layer`;

void main(async () => {
  const v = parse(
    {
      catalog: { type: 'string', multiple: true },
      history: { type: 'string', multiple: true },
      profile: { type: 'string' },
      'profile-per-path': { type: 'boolean', default: false },
    },
    USAGE,
  );
  const ctx = setup(v);
  if (!v.catalog?.length && !v.history?.length) throw new Error(`nothing to import: give --catalog and/or --history\n\n${USAGE}`);
  const lib = openLibrary(ctx.dbPath);
  const bar = new ProgressBar('import');
  try {
    const report = await runImport(lib, {
      catalogs: v.catalog ?? [],
      histories: v.history ?? [],
      profile: v.profile,
      profilePerPath: v['profile-per-path'],
      onProgress: (p) => bar.update(p.bytesDone, p.bytesTotal, `${p.phase} ${p.records.toLocaleString()} records`),
    });
    bar.done();
    if (v.json) {
      process.stdout.write(formatImportReport(report) + '\n');
      process.stdout.write(
        JSON.stringify({
          events: report.events,
          imported: report.imported,
          duplicates: report.duplicates,
          skipped: report.skipped,
          track_match: round(report.trackMatch),
          artist_match: round(report.artistMatch),
          skipped_reasons: report.skippedReasons,
          catalog_rows: report.catalog.rows,
          catalog_inserted: report.catalog.inserted,
          catalog_merged: report.catalog.merged,
          catalog_tracks: report.catalog.tracksTotal,
          rematched: report.rematched,
          top_unmatched_artists: report.topUnmatchedArtists.slice(0, 10),
          files: report.files.length,
          seconds: round(report.seconds),
        }) + '\n',
      );
    } else {
      process.stdout.write(formatImportReport(report) + '\n');
    }
  } finally {
    lib.close();
  }
});

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
