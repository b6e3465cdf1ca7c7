import { describe, expect, it } from 'vitest';
import { toCSV, toM3U8, toXSPF } from '../../src/main/services/playlist-export';
import type { Recommendation } from '../../src/shared/types';

const rec = (title: string, artist: string, rank = 1): Recommendation =>
  ({ rank, trackId: rank, spotifyId: '4qPNDBW1i3p13qLCt0Ki3A', title, artist, artistId: 1, genre: 'pop', year: 2019, durationMs: 200_000, score: 0.5, knownArtist: false, explanation: { summary: 'why', factors: [], becauseArtists: [] } }) as unknown as Recommendation;

describe('playlist exports', () => {
  it('writes titles a spreadsheet would run as formulas as text (CSV injection), and keeps ordinary ones as they are', () => {
    const csv = toCSV([rec('=HYPERLINK("http://x","y")', '+Artist', 1), rec('@SUM(A1)', '-minus', 2), rec('Fight Song', 'Rachel Platten', 3), rec('Say "hi", ok', 'A', 4)]);
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('rank,title,artist,genre,year,score,spotify_uri,why');
    expect(rows[1]).toBe(`1,"'=HYPERLINK(""http://x"",""y"")",'+Artist,pop,2019,0.5000,spotify:track:4qPNDBW1i3p13qLCt0Ki3A,why`);
    expect(rows[2]).toBe(`2,'@SUM(A1),'-minus,pop,2019,0.5000,spotify:track:4qPNDBW1i3p13qLCt0Ki3A,why`);
    expect(rows[3]).toBe('3,Fight Song,Rachel Platten,pop,2019,0.5000,spotify:track:4qPNDBW1i3p13qLCt0Ki3A,why');
    expect(rows[4]).toBe('4,"Say ""hi"", ok",A,pop,2019,0.5000,spotify:track:4qPNDBW1i3p13qLCt0Ki3A,why');
  });

  it('writes XSPF that stays well-formed XML whatever the names hold, and M3U8 one entry per two lines', () => {
    const xspf = toXSPF([rec('a <b> & "c"\u0000\u001F', 'x\u0007y')], 'For <me>');
    expect(xspf).toContain('<title>a &lt;b&gt; &amp; &quot;c&quot;</title>');
    expect(xspf).toContain('<creator>xy</creator>');
    expect(xspf).toContain('<title>For &lt;me&gt;</title>');
    // eslint-disable-next-line no-control-regex
    expect(xspf).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    const m3u = toM3U8([rec('two\nlines', 'art\r\nist')], 'me\nyou');
    expect(m3u.trim().split('\n')).toEqual(['#EXTM3U', '#PLAYLIST:me you', '#EXTINF:200,art  ist - two lines', 'https://open.spotify.com/track/4qPNDBW1i3p13qLCt0Ki3A']);
  });
});
