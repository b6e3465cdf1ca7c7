/** Recommendations as playlists: M3U8 (extended), XSPF and CSV. */
import type { Recommendation } from '../../shared/types';

const url = (r: Recommendation) => `https://open.spotify.com/track/${r.spotifyId}`;
// Control characters other than tab and newlines are not allowed in XML 1.0 at all.
// eslint-disable-next-line no-control-regex
const xml = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/**
 * A CSV cell. Titles and names come from catalogues strangers wrote: text a spreadsheet would take
 * for a formula (=, +, -, @, a tab or a carriage return first: "=HYPERLINK(…)") is written with a
 * leading apostrophe, which spreadsheets show as text (OWASP's advice on CSV injection).
 */
const csvCell = (v: string | number | null) => {
  const raw = v === null ? '' : String(v);
  const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toM3U8(recs: Recommendation[], title: string): string {
  const lines = ['#EXTM3U', `#PLAYLIST:${title.replace(/[\r\n]/g, ' ')}`];
  for (const r of recs) {
    lines.push(`#EXTINF:${r.durationMs ? Math.round(r.durationMs / 1000) : -1},${r.artist.replace(/[\r\n]/g, ' ')} - ${r.title.replace(/[\r\n]/g, ' ')}`);
    lines.push(url(r));
  }
  return lines.join('\n') + '\n';
}

export function toXSPF(recs: Recommendation[], title: string): string {
  const tracks = recs
    .map((r) => `    <track>\n      <location>${xml(url(r))}</location>\n      <title>${xml(r.title)}</title>\n      <creator>${xml(r.artist)}</creator>${r.durationMs ? `\n      <duration>${Math.round(r.durationMs)}</duration>` : ''}\n      <annotation>${xml(r.explanation?.summary ?? `score ${(r.score * 100).toFixed(0)} %`)}</annotation>\n    </track>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<playlist version="1" xmlns="http://xspf.org/ns/0/">\n  <title>${xml(title)}</title>\n  <trackList>\n${tracks}\n  </trackList>\n</playlist>\n`;
}

export function toCSV(recs: Recommendation[]): string {
  const head = ['rank', 'title', 'artist', 'genre', 'year', 'score', 'spotify_uri', 'why'];
  const rows = recs.map((r) => [r.rank, r.title, r.artist, r.genre, r.year, r.score.toFixed(4), `spotify:track:${r.spotifyId}`, r.explanation?.summary ?? null].map(csvCell).join(','));
  return [head.join(','), ...rows].join('\r\n') + '\r\n';
}
