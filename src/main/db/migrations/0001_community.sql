CREATE TABLE `community_artist_pairs` (
	`source_id` integer NOT NULL,
	`artist_id` integer NOT NULL,
	`neighbor_id` integer NOT NULL,
	`together` integer NOT NULL,
	PRIMARY KEY(`source_id`, `artist_id`, `neighbor_id`),
	FOREIGN KEY (`source_id`) REFERENCES `community_sources`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`artist_id`) REFERENCES `artists`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`neighbor_id`) REFERENCES `artists`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `community_artists` (
	`source_id` integer NOT NULL,
	`artist_id` integer NOT NULL,
	`groups` integer NOT NULL,
	PRIMARY KEY(`source_id`, `artist_id`),
	FOREIGN KEY (`source_id`) REFERENCES `community_sources`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`artist_id`) REFERENCES `artists`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `community_sources` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`imported_at` integer NOT NULL,
	`groups` integer NOT NULL,
	`rows` integer NOT NULL,
	`matched_rows` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `community_tracks` (
	`source_id` integer NOT NULL,
	`track_id` integer NOT NULL,
	`groups` integer NOT NULL,
	PRIMARY KEY(`source_id`, `track_id`),
	FOREIGN KEY (`source_id`) REFERENCES `community_sources`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`track_id`) REFERENCES `tracks`(`id`) ON UPDATE no action ON DELETE no action
);
