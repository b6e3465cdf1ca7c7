CREATE TABLE `community_artist_tags` (
	`source_id` integer NOT NULL,
	`artist_id` integer NOT NULL,
	`tag` text NOT NULL,
	`uses` integer NOT NULL,
	PRIMARY KEY(`source_id`, `artist_id`, `tag`),
	FOREIGN KEY (`source_id`) REFERENCES `community_sources`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`artist_id`) REFERENCES `artists`(`id`) ON UPDATE no action ON DELETE no action
);
