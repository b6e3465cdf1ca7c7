import type { ImportReport, Recommendation } from '../../shared/types';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const n = (x: number) => x.toLocaleString('en-US');

/** A readable summary of an import for the terminal. */
export function formatImportReport(r: ImportReport): string {
  const lines: string[] = [];
  if (r.catalog.rows) {
    lines.push(`Catalogue: ${n(r.catalog.rows)} rows read → ${n(r.catalog.inserted)} new tracks, ${n(r.catalog.merged)} merged into existing ones, ${n(r.catalog.skipped)} skipped; ${n(r.catalog.tracksTotal)} tracks in the library.`);
  }
  if (r.events || r.files.some((f) => f.kind !== 'catalog')) {
    lines.push(`Listening history${r.profile ? ` of ${r.profile}` : ''}: ${n(r.events)} records read → ${n(r.imported)} imported, ${n(r.duplicates)} already in the library, ${r.repeats ? `${n(r.repeats)} listed twice at the same second (merged), ` : ''}${n(r.skipped)} skipped.`);
    for (const f of r.files) for (const note of f.notes ?? []) lines.push(`  ${f.path}: ${note}`);
    for (const [reason, count] of Object.entries(r.skippedReasons).sort((a, b) => b[1] - a[1])) lines.push(`  skipped ${n(count)}: ${reason}`);
    lines.push(`Matched to the catalogue: ${pct(r.trackMatch)} of plays by track, ${pct(r.artistMatch)} by artist.`);
    if (r.topUnmatchedArtists.length) {
      lines.push(`Most-played artists the catalogue does not know: ${r.topUnmatchedArtists.slice(0, 8).map((a) => `${a.artist} (${n(a.plays)})`).join(', ')}`);
    }
  }
  if (r.rematched.tracks || r.rematched.artists) {
    lines.push(`Earlier listens now matched: ${n(r.rematched.tracks)} to a track, ${n(r.rematched.artists)} to an artist.`);
  }
  if (r.ignoredFiles.length) {
    lines.push(`Ignored ${r.ignoredFiles.length} file(s): ${r.ignoredFiles.slice(0, 5).map((f) => `${f.path} (${f.why})`).join('; ')}${r.ignoredFiles.length > 5 ? '; …' : ''}`);
  }
  lines.push(`Done in ${r.seconds.toFixed(2)} s.`);
  return lines.join('\n');
}

/** A numbered list of recommendations, each with its explanation factors when present. */
export function formatRecommendations(recs: Recommendation[]): string {
  const lines: string[] = [];
  for (const r of recs) {
    lines.push(`${String(r.rank).padStart(3)}. ${r.title} — ${r.artist}  [${r.genre ?? '?'}${r.year ? `, ${r.year}` : ''}]  ${(r.score * 100).toFixed(0)} %${r.knownArtist ? '' : '  (new artist)'}`);
    if (r.explanation) {
      for (const f of r.explanation.factors) {
        const bar = f.contribution >= 0 ? '+' : '−';
        lines.push(`       ${bar} ${f.text}  (${(Math.abs(f.share) * 100).toFixed(0)} %)`);
      }
    }
  }
  return lines.join('\n');
}

