/** Plain data types shared by the main process, the preload bridge and the renderer. */

export interface FileImportReport {
  path: string;
  format: string;
  kind: 'history' | 'catalog' | 'both';
  records: number;
  imported: number;
  duplicates: number;
  skipped: number;
}

export interface SkipExample {
  file: string;
  where: string;
  reason: string;
}

export interface ImportReport {
  profile: string | null;
  files: FileImportReport[];
  /** Files found in a folder or zip that are not exports we read, and why. */
  ignoredFiles: { path: string; why: string }[];
  /** Listening records read (music or not); = imported + duplicates + skipped. */
  events: number;
  imported: number;
  duplicates: number;
  skipped: number;
  skippedReasons: Record<string, number>;
  skippedExamples: SkipExample[];
  /** Over the music events read (imported + duplicates): matched to a catalogue track / artist. */
  trackMatched: number;
  artistMatched: number;
  trackMatch: number;
  artistMatch: number;
  topUnmatchedArtists: { artist: string; plays: number }[];
  catalog: { rows: number; inserted: number; merged: number; skipped: number; tracksTotal: number };
  /** Previously unmatched listens matched after the catalogue grew. */
  rematched: { tracks: number; artists: number };
  seconds: number;
}

export interface ImportProgress {
  phase: 'catalog' | 'history' | 'rematch';
  file: string;
  bytesDone: number;
  bytesTotal: number;
  records: number;
}
