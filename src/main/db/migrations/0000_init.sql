CREATE TABLE `artists` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_norm` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `artists_name_norm_uq` ON `artists` (`name_norm`);--> statement-breakpoint
CREATE TABLE `feedback` (
	`id` integer PRIMARY KEY NOT NULL,
	`profile_id` integer NOT NULL,
	`track_id` integer,
	`artist_id` integer,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`track_id`) REFERENCES `tracks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`artist_id`) REFERENCES `artists`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `feedback_profile_idx` ON `feedback` (`profile_id`);--> statement-breakpoint
CREATE TABLE `genres` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `genres_name_unique` ON `genres` (`name`);--> statement-breakpoint
CREATE TABLE `imports` (
	`id` integer PRIMARY KEY NOT NULL,
	`profile_id` integer,
	`kind` text NOT NULL,
	`format` text NOT NULL,
	`path` text NOT NULL,
	`file_hash` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer NOT NULL,
	`records_read` integer NOT NULL,
	`imported` integer NOT NULL,
	`duplicates` integer NOT NULL,
	`skipped` integer NOT NULL,
	`skipped_reasons` text NOT NULL,
	`track_matched` integer NOT NULL,
	`artist_matched` integer NOT NULL,
	`status` text NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `listening_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`profile_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`artist_raw` text NOT NULL,
	`title_raw` text NOT NULL,
	`album_raw` text,
	`track_uri` text,
	`ms_played` integer,
	`skipped` integer,
	`reason_start` text,
	`reason_end` text,
	`shuffle` integer,
	`platform` text,
	`source_format` text NOT NULL,
	`source_file` text NOT NULL,
	`import_id` integer,
	`track_id` integer,
	`artist_id` integer,
	`dedupe_key` text NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`import_id`) REFERENCES `imports`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`track_id`) REFERENCES `tracks`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`artist_id`) REFERENCES `artists`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_dedupe_uq` ON `listening_events` (`profile_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `events_profile_ts_idx` ON `listening_events` (`profile_id`,`ts`);--> statement-breakpoint
CREATE INDEX `events_track_idx` ON `listening_events` (`track_id`);--> statement-breakpoint
CREATE TABLE `model_metrics` (
	`run_id` integer NOT NULL,
	`split` text NOT NULL,
	`name` text NOT NULL,
	`epoch` integer DEFAULT -1 NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`run_id`, `split`, `name`, `epoch`),
	FOREIGN KEY (`run_id`) REFERENCES `model_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `model_runs` (
	`id` integer PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`status` text NOT NULL,
	`config` text NOT NULL,
	`backend` text NOT NULL,
	`model_path` text,
	`epochs` integer,
	`serving` integer DEFAULT false NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE TABLE `profiles` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`age` integer,
	`gender` text,
	`country` text,
	`synthetic` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `profiles_name_unique` ON `profiles` (`name`);--> statement-breakpoint
CREATE TABLE `track_artists` (
	`track_id` integer NOT NULL,
	`artist_id` integer NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`track_id`, `artist_id`),
	FOREIGN KEY (`track_id`) REFERENCES `tracks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`artist_id`) REFERENCES `artists`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `track_artists_artist_idx` ON `track_artists` (`artist_id`);--> statement-breakpoint
CREATE TABLE `track_genres` (
	`track_id` integer NOT NULL,
	`genre_id` integer NOT NULL,
	PRIMARY KEY(`track_id`, `genre_id`),
	FOREIGN KEY (`track_id`) REFERENCES `tracks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`genre_id`) REFERENCES `genres`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `track_genres_genre_idx` ON `track_genres` (`genre_id`);--> statement-breakpoint
CREATE TABLE `tracks` (
	`id` integer PRIMARY KEY NOT NULL,
	`spotify_id` text NOT NULL,
	`title` text NOT NULL,
	`title_norm` text NOT NULL,
	`album` text,
	`artist_id` integer NOT NULL,
	`artists_raw` text NOT NULL,
	`main_genre_id` integer,
	`year` integer,
	`release_date` text,
	`duration_ms` integer,
	`popularity` real,
	`explicit` integer,
	`danceability` real,
	`energy` real,
	`key` integer,
	`loudness` real,
	`mode` integer,
	`speechiness` real,
	`acousticness` real,
	`instrumentalness` real,
	`liveness` real,
	`valence` real,
	`tempo` real,
	`time_signature` integer,
	`sources` text NOT NULL,
	FOREIGN KEY (`artist_id`) REFERENCES `artists`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`main_genre_id`) REFERENCES `genres`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tracks_spotify_id_uq` ON `tracks` (`spotify_id`);--> statement-breakpoint
CREATE INDEX `tracks_artist_idx` ON `tracks` (`artist_id`);--> statement-breakpoint
CREATE INDEX `tracks_genre_idx` ON `tracks` (`main_genre_id`);