/**
 * The local library: catalogue, people, their listening and the models trained on it.
 * drizzle-kit generates the SQL migrations in ./migrations from this file (`npm run db:generate`).
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const artists = sqliteTable(
  'artists',
  {
    id: integer('id').primaryKey(),
    name: text('name').notNull(),
    /** Normalised name used for matching (lower case, accents folded, punctuation dropped). */
    nameNorm: text('name_norm').notNull(),
  },
  (t) => [uniqueIndex('artists_name_norm_uq').on(t.nameNorm)],
);

export const genres = sqliteTable('genres', {
  id: integer('id').primaryKey(),
  name: text('name').notNull().unique(),
});

export const tracks = sqliteTable(
  'tracks',
  {
    id: integer('id').primaryKey(),
    /** Spotify track id (base62), the external id shared by every catalogue format. */
    spotifyId: text('spotify_id').notNull(),
    title: text('title').notNull(),
    titleNorm: text('title_norm').notNull(),
    album: text('album'),
    /** First credited artist. */
    artistId: integer('artist_id').notNull().references(() => artists.id),
    /** The credited artists as the catalogue wrote them. */
    artistsRaw: text('artists_raw').notNull(),
    mainGenreId: integer('main_genre_id').references(() => genres.id),
    year: integer('year'),
    releaseDate: text('release_date'),
    durationMs: integer('duration_ms'),
    popularity: real('popularity'),
    explicit: integer('explicit', { mode: 'boolean' }),
    danceability: real('danceability'),
    energy: real('energy'),
    key: integer('key'),
    loudness: real('loudness'),
    mode: integer('mode'),
    speechiness: real('speechiness'),
    acousticness: real('acousticness'),
    instrumentalness: real('instrumentalness'),
    liveness: real('liveness'),
    valence: real('valence'),
    tempo: real('tempo'),
    timeSignature: integer('time_signature'),
    /** Comma-separated catalogue formats this track's fields came from. */
    sources: text('sources').notNull(),
  },
  (t) => [
    uniqueIndex('tracks_spotify_id_uq').on(t.spotifyId),
    index('tracks_artist_idx').on(t.artistId),
    index('tracks_genre_idx').on(t.mainGenreId),
  ],
);

export const trackArtists = sqliteTable(
  'track_artists',
  {
    trackId: integer('track_id').notNull().references(() => tracks.id, { onDelete: 'cascade' }),
    artistId: integer('artist_id').notNull().references(() => artists.id),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.trackId, t.artistId] }), index('track_artists_artist_idx').on(t.artistId)],
);

export const trackGenres = sqliteTable(
  'track_genres',
  {
    trackId: integer('track_id').notNull().references(() => tracks.id, { onDelete: 'cascade' }),
    genreId: integer('genre_id').notNull().references(() => genres.id),
  },
  (t) => [primaryKey({ columns: [t.trackId, t.genreId] }), index('track_genres_genre_idx').on(t.genreId)],
);

export const profiles = sqliteTable('profiles', {
  id: integer('id').primaryKey(),
  name: text('name').notNull().unique(),
  age: integer('age'),
  gender: text('gender'),
  country: text('country'),
  synthetic: integer('synthetic', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull().default(sql`(unixepoch() * 1000)`),
});

export const imports = sqliteTable('imports', {
  id: integer('id').primaryKey(),
  profileId: integer('profile_id').references(() => profiles.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: ['catalog', 'history'] }).notNull(),
  format: text('format').notNull(),
  path: text('path').notNull(),
  fileHash: text('file_hash').notNull(),
  startedAt: integer('started_at').notNull(),
  finishedAt: integer('finished_at').notNull(),
  recordsRead: integer('records_read').notNull(),
  imported: integer('imported').notNull(),
  duplicates: integer('duplicates').notNull(),
  skipped: integer('skipped').notNull(),
  /** JSON object: reason → count. */
  skippedReasons: text('skipped_reasons').notNull(),
  trackMatched: integer('track_matched').notNull(),
  artistMatched: integer('artist_matched').notNull(),
  status: text('status', { enum: ['ok'] }).notNull(),
});

export const listeningEvents = sqliteTable(
  'listening_events',
  {
    id: integer('id').primaryKey(),
    profileId: integer('profile_id').notNull().references(() => profiles.id, { onDelete: 'cascade' }),
    /** Milliseconds since the epoch, UTC: when the play ended (Spotify) or was scrobbled. */
    ts: integer('ts').notNull(),
    artistRaw: text('artist_raw').notNull(),
    titleRaw: text('title_raw').notNull(),
    albumRaw: text('album_raw'),
    trackUri: text('track_uri'),
    msPlayed: integer('ms_played'),
    skipped: integer('skipped', { mode: 'boolean' }),
    reasonStart: text('reason_start'),
    reasonEnd: text('reason_end'),
    shuffle: integer('shuffle', { mode: 'boolean' }),
    platform: text('platform'),
    sourceFormat: text('source_format').notNull(),
    sourceFile: text('source_file').notNull(),
    importId: integer('import_id').references(() => imports.id, { onDelete: 'set null' }),
    trackId: integer('track_id').references(() => tracks.id, { onDelete: 'set null' }),
    artistId: integer('artist_id').references(() => artists.id, { onDelete: 'set null' }),
    /** Identity of a listen across exports: profile + time + artist + title + ms played. */
    dedupeKey: text('dedupe_key').notNull(),
  },
  (t) => [
    uniqueIndex('events_dedupe_uq').on(t.profileId, t.dedupeKey),
    index('events_profile_ts_idx').on(t.profileId, t.ts),
    // Feedback and explanations look listens up by track and artist; re-matching scans once.
    index('events_track_idx').on(t.trackId),
  ],
);

export const feedback = sqliteTable(
  'feedback',
  {
    id: integer('id').primaryKey(),
    profileId: integer('profile_id').notNull().references(() => profiles.id, { onDelete: 'cascade' }),
    trackId: integer('track_id').references(() => tracks.id, { onDelete: 'cascade' }),
    artistId: integer('artist_id').references(() => artists.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['like', 'dislike', 'never_artist'] }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('feedback_profile_idx').on(t.profileId)],
);

export const modelRuns = sqliteTable('model_runs', {
  id: integer('id').primaryKey(),
  createdAt: integer('created_at').notNull(),
  finishedAt: integer('finished_at'),
  status: text('status', { enum: ['running', 'completed', 'failed', 'cancelled'] }).notNull(),
  /** Effective configuration, JSON. */
  config: text('config').notNull(),
  backend: text('backend').notNull(),
  /** Folder of the saved model (best checkpoint). */
  modelPath: text('model_path'),
  epochs: integer('epochs'),
  serving: integer('serving', { mode: 'boolean' }).notNull().default(false),
  error: text('error'),
});

export const modelMetrics = sqliteTable(
  'model_metrics',
  {
    runId: integer('run_id').notNull().references(() => modelRuns.id, { onDelete: 'cascade' }),
    split: text('split').notNull(),
    /** Metric name with its cut-off, e.g. ndcg@10, auc. */
    name: text('name').notNull(),
    epoch: integer('epoch').notNull().default(-1),
    value: real('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.split, t.name, t.epoch] })],
);
