import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLibrary } from '../../src/main/db';
import { chooseTimeColumns } from '../../src/main/importers/formats/lastfm';
import { runImport } from '../../src/main/services/import-service';
import { formatImportReport } from '../../src/main/services/report-format';
import { tmpDir } from '../helpers/env';
import { tracksCsv, write } from '../helpers/fixtures';

describe('scrobble time columns chosen by content', () => {
  it('prefers the column with a time of day, whatever its name', () => {
    const header = ['artist', 'track', 'date', 'played_at_local'];
    const rows = [['A', 'x', '2024-03-01', '2024-03-01 10:15:07'], ['A', 'y', '2024-03-01', '2024-03-01 18:02:55'], ['B', 'z', '2024-03-02', '2024-03-02 08:00:01']];
    expect(chooseTimeColumns(header, rows, [0, 1])).toEqual({ columns: [3, 2], dayOnly: false });
    expect(chooseTimeColumns(['artist', 'track', 'date'], rows.map((r) => r.slice(0, 3)), [0, 1])).toEqual({ columns: [2], dayOnly: true });
  });

  it('imports by the precise column, says when a file only has days, and calls double scrobbles repeats', async () => {
    const dir = tmpDir();
    const lib = openLibrary(path.join(dir, 'lib.sqlite'));
    await runImport(lib, { catalogs: [tracksCsv(dir)] });
    const lines = ['artist,track,album,date,played_at'];
    // 10 listens on one day at different times, one of them scrobbled twice in the same second.
    for (let i = 0; i < 10; i++) lines.push(`Gen Hoshino,Comedy,Alb,2024-03-01,2024-03-01T1${i % 10}:0${i % 6}:1${i % 10}Z`);
    lines.push('Gen Hoshino,Comedy,Alb,2024-03-01,2024-03-01T19:03:19Z');
    const r = await runImport(lib, { histories: [write(dir, 'scrobbles.csv', lines.join('\n') + '\n')], profile: 'me' });
    expect(r.imported).toBe(10);
    expect(r.repeats).toBe(1);
    expect(r.duplicates).toBe(0);
    expect(formatImportReport(r)).toMatch(/1 listed twice at the same second \(merged\)/);
    const hours = lib.sqlite.prepare("SELECT DISTINCT strftime('%H', ts / 1000, 'unixepoch') FROM listening_events").pluck().all();
    expect(hours.length).toBe(10);
    // The same file again: everything is already in the library.
    const again = await runImport(lib, { histories: [write(dir, 'again/scrobbles.csv', lines.join('\n') + '\n')], profile: 'me' });
    expect(again).toMatchObject({ imported: 0, duplicates: 11, repeats: 0 });
    // A file with days only is imported, and says so.
    const days = await runImport(lib, { histories: [write(dir, 'days.csv', 'artist,track,date\nBen Woodward,Ghost,2024-04-01\nBen Woodward,Ghost,2024-04-02\n')], profile: 'me' });
    expect(days.imported).toBe(2);
    expect(days.files[0].notes.join(' ')).toMatch(/to the day only/);
    lib.close();
  });
});
