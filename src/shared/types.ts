/** Plain data types shared by the main process, the preload bridge and the renderer. */

export interface FileImportReport {
  path: string;
  format: string;
  kind: 'history' | 'catalog' | 'both';
  records: number;
  imported: number;
  duplicates: number;
  /** The same listen listed again in this file (same second, artist and title): merged. */
  repeats: number;
  skipped: number;
  /** What the reader noticed about the file, e.g. times given only to the day. */
  notes: string[];
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
  /** Listening records read (music or not); = imported + duplicates + repeats + skipped. */
  events: number;
  imported: number;
  /** Already in the library before this import (an overlapping or repeated export). */
  duplicates: number;
  /** Listed twice within this import at the same second (double scrobbles): merged into one. */
  repeats: number;
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
  phase: 'catalog' | 'history' | 'rematch' | 'community';
  file: string;
  bytesDone: number;
  bytesTotal: number;
  records: number;
}

/** One factor of an explanation, measured on the model by ablation. */
export interface ExplanationFactor {
  kind: 'audio' | 'artist' | 'history' | 'genre' | 'era' | 'popularity' | 'collaborative' | 'community';
  /** e.g. "energy", an artist's name, a genre. */
  label: string;
  /** The track's value and the person's (for audio features: both on the catalogue's scale). */
  trackValue?: number;
  userValue?: number;
  /** Plain-language sentence, e.g. "energy 0.81 — your average 0.78". */
  text: string;
  /** Change of the model's score (logit) when this factor is neutralised: > 0 means it pulls the track up. */
  contribution: number;
  /** Signed share of the total absolute contribution of the factors shown. */
  share: number;
}

export interface Explanation {
  summary: string;
  factors: ExplanationFactor[];
  /** Artists from the person's history that pull this track up, with their play counts. */
  becauseArtists: { artist: string; plays: number; /** Tracks of theirs the person saved (Liked Songs), not plays. */ saved?: number; contribution: number }[];
}

export interface Recommendation {
  rank: number;
  trackId: number;
  spotifyId: string;
  title: string;
  artist: string;
  artistId: number;
  genre: string | null;
  year: number | null;
  durationMs: number | null;
  /** Model probability that the person will like it. */
  score: number;
  /** Whether the person already played this artist. */
  knownArtist: boolean;
  explanation?: Explanation;
}

export type { FeedbackKind, RecommendOptions } from './ipc';


/** Progress of a training run, as the trainer reports it. */
export interface TrainProgress {
  phase: 'prepare' | 'train' | 'validate' | 'done';
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number | null;
  /** Seconds left, estimated from the pace so far. */
  etaS: number | null;
  examplesPerS?: number | null;
  metrics?: Record<string, number>;
}

/** Whether a community source's groups are playlists (MPD slices, a playlist CSV) rather than listeners. */
export function groupsArePlaylists(kind: import('./ipc').CommunityKind): boolean {
  return kind === 'mpd' || kind === 'playlists';
}
