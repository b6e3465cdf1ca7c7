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
    /** favourite_artist: named by the person (cold start), counted in their state as listening. */
    kind: text('kind', { enum: ['like', 'dislike', 'never_artist', 'favourite_artist'] }).notNull(),
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

/**
 * Community data: public listening a person downloaded themselves (Spotify Million Playlist
 * Dataset slices, HetRec Last.fm, folders of other people's exports). Kept only as what it
 * teaches — which artists go together and how often tracks are chosen — never as people: no
 * profile, no listening rows. Deleting a source removes everything it added.
 */
export const communitySources = sqliteTable('community_sources', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['mpd', 'hetrec', 'exports', 'lastfm-1k', 'lastfm-360k', 'listenbrainz', 'playlists'] }).notNull(),
  importedAt: integer('imported_at').notNull(),
  /** Playlists or listeners read. */
  groups: integer('groups').notNull(),
  /** Rows (playlist entries or listener × artist pairs) read, and how many found an artist here. */
  rows: integer('rows').notNull(),
  matchedRows: integer('matched_rows').notNull(),
});

/** In how many of a source's playlists or listeners each artist appears. */
export const communityArtists = sqliteTable(
  'community_artists',
  {
    sourceId: integer('source_id').notNull().references(() => communitySources.id, { onDelete: 'cascade' }),
    artistId: integer('artist_id').notNull().references(() => artists.id),
    groups: integer('groups').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.artistId] })],
);

/** How often two artists share a playlist or a listener (each artist's strongest neighbours). */
export const communityArtistPairs = sqliteTable(
  'community_artist_pairs',
  {
    sourceId: integer('source_id').notNull().references(() => communitySources.id, { onDelete: 'cascade' }),
    artistId: integer('artist_id').notNull().references(() => artists.id),
    neighborId: integer('neighbor_id').notNull().references(() => artists.id),
    together: integer('together').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.artistId, t.neighborId] })],
);

/** How many of a source's playlists hold each catalogue track (matched by Spotify URI first). */
export const communityTracks = sqliteTable(
  'community_tracks',
  {
    sourceId: integer('source_id').notNull().references(() => communitySources.id, { onDelete: 'cascade' }),
    trackId: integer('track_id').notNull().references(() => tracks.id),
    groups: integer('groups').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.trackId] })],
);

/**
 * The tags a source's listeners gave each artist (HetRec Last.fm's tagging: "soul", "neo-soul"),
 * with how many times each was applied — what the content term of discovery's blend reads
 * (recommender/inference/content.ts). Tags applied too rarely in the whole file are not kept.
 */
export const communityArtistTags = sqliteTable(
  'community_artist_tags',
  {
    sourceId: integer('source_id').notNull().references(() => communitySources.id, { onDelete: 'cascade' }),
    artistId: integer('artist_id').notNull().references(() => artists.id),
    tag: text('tag').notNull(),
    uses: integer('uses').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.artistId, t.tag] })],
);
