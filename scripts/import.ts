/**
 * npm run import -- --db FILE [--catalog CSV…] [--history PATH… --profile NAME | --profile-per-path]
 *   [--community PATH…] [--delete-community] [--json]
 */
import { openLibrary } from '../src/main/db';
import { deleteCommunity, importCommunity, type CommunityReport } from '../src/main/importers/community';
import { runImport } from '../src/main/services/import-service';
import { formatImportReport } from '../src/main/services/report-format';
import { groupsArePlaylists } from '../src/shared/types';
import { main, parse, setup } from './lib/cli';
import { ProgressBar } from './lib/progress';

const USAGE = `Usage: npm run import -- [--db FILE] [--catalog CSV …] [--history PATH … --profile NAME] [--json]

  --catalog PATH       a catalogue CSV with audio features (Spotify tracks dataset, TidyTuesday, Exportify); repeatable
  --history PATH       a listening export: file, folder or Spotify .zip; repeatable
  --profile NAME       whose history it is (created if new)
  --profile-per-path   each --history path is a different person, named after the folder
  --community PATH     public listening data you downloaded: Spotify Million Playlist Dataset slices
                       (mpd.slice.*.json or their folder) or a HetRec Last.fm folder; repeatable.
                       Kept only as which artists go together and how often tracks are chosen
  --delete-community   remove every community dataset (and all it added) in one step
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
      community: { type: 'string', multiple: true },
      'delete-community': { type: 'boolean', default: false },
    },
    USAGE,
  );
  const ctx = setup(v);
  if (!v.catalog?.length && !v.history?.length && !v.community?.length && !v['delete-community']) {
    throw new Error(`nothing to import: give --catalog, --history and/or --community\n\n${USAGE}`);
  }
  const lib = openLibrary(ctx.dbPath);
  const bar = new ProgressBar('import');
  try {
    if (v['delete-community']) process.stdout.write(`removed ${deleteCommunity(lib)} community dataset(s)\n`);
    const community: CommunityReport[] = [];
    const afterCommunity = async () => {
      for (const p of v.community ?? []) {
        const cbar = new ProgressBar('community');
        community.push(await importCommunity(lib, p, { onProgress: (x) => cbar.update(x.filesDone, x.filesTotal, x.file) }));
        cbar.done();
        const c = community.at(-1)!;
        process.stdout.write(`community ${c.source}: ${c.groups.toLocaleString()} ${groupsArePlaylists(c.kind) ? 'playlists' : 'listeners'}, ${(100 * c.matchedRows / Math.max(1, c.rows)).toFixed(1)} % of ${c.rows.toLocaleString()} rows matched, ${c.artists.toLocaleString()} artists, ${c.pairs.toLocaleString()} artist neighbours${c.taggedArtists ? `, the tags of ${c.taggedArtists.toLocaleString()} of them` : ''} (${c.seconds.toFixed(1)} s)\n`);
      }
    };
    if (!v.catalog?.length && !v.history?.length) {
      await afterCommunity();
      if (v.json) process.stdout.write(JSON.stringify({ community }) + '\n');
      return;
    }
    const report = await runImport(lib, {
      catalogs: v.catalog ?? [],
      histories: v.history ?? [],
      profile: v.profile,
      profilePerPath: v['profile-per-path'],
      onProgress: (p) => bar.update(p.bytesDone, p.bytesTotal, `${p.phase} ${p.records.toLocaleString()} records`),
    });
    bar.done();
    // Community data after the catalogue: it is matched to the catalogue's tracks and artists.
    await afterCommunity();
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
          community,
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
