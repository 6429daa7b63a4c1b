CREATE TABLE `platform_inbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`delivery_id` text NOT NULL,
	`topic` text NOT NULL,
	`platform_order_id` text,
	`version` integer,
	`raw_body` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`order_id` integer,
	`applied_version` integer,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `platform_inbox_delivery` ON `platform_inbox` (`platform`,`delivery_id`);--> statement-breakpoint
CREATE INDEX `platform_inbox_due` ON `platform_inbox` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `platform_inbox_order` ON `platform_inbox` (`platform`,`platform_order_id`);