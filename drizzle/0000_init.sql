CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`order_id` integer,
	`payload` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_order` ON `events` (`order_id`);--> statement-breakpoint
CREATE TABLE `ingredient_movements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ingredient_id` integer NOT NULL,
	`reason` text NOT NULL,
	`delta` real NOT NULL,
	`order_id` integer,
	`note` text DEFAULT '' NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`ingredient_id`) REFERENCES `ingredients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ingredient_movements_ingredient` ON `ingredient_movements` (`ingredient_id`,`at`);--> statement-breakpoint
CREATE TABLE `ingredients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`unit` text NOT NULL,
	`supplier` text DEFAULT '' NOT NULL,
	`lead_days` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ingredients_code_unique` ON `ingredients` (`code`);--> statement-breakpoint
CREATE TABLE `load_trays` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`load_id` integer NOT NULL,
	`position` integer NOT NULL,
	`product_id` integer NOT NULL,
	`units` integer NOT NULL,
	FOREIGN KEY (`load_id`) REFERENCES `oven_loads`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `load_trays_load` ON `load_trays` (`load_id`);--> statement-breakpoint
CREATE TABLE `opening_hours` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`scope` text NOT NULL,
	`weekday` integer NOT NULL,
	`opens_minute` integer NOT NULL,
	`closes_minute` integer NOT NULL,
	CONSTRAINT "opening_hours_weekday" CHECK("opening_hours"."weekday" BETWEEN 1 AND 7),
	CONSTRAINT "opening_hours_interval" CHECK("opening_hours"."opens_minute" >= 0 AND "opening_hours"."opens_minute" < "opening_hours"."closes_minute" AND "opening_hours"."closes_minute" <= 1440)
);
--> statement-breakpoint
CREATE TABLE `order_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` integer NOT NULL,
	`position` integer NOT NULL,
	`product_id` integer NOT NULL,
	`sku` text NOT NULL,
	`name` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_price_minor` integer NOT NULL,
	`modifiers` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`route` text DEFAULT 'bake' NOT NULL,
	`reserved_units` integer DEFAULT 0 NOT NULL,
	`ready_at` integer,
	`late_minutes` integer DEFAULT 0 NOT NULL,
	`late_reason` text,
	`shortages` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "order_lines_quantity_positive" CHECK("order_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE INDEX `order_lines_order` ON `order_lines` (`order_id`,`position`);--> statement-breakpoint
CREATE TABLE `order_status_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` integer NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`actor` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `order_status_history_order` ON `order_status_history` (`order_id`,`at`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`number` text NOT NULL,
	`business_date` text NOT NULL,
	`channel` text NOT NULL,
	`external_id` text,
	`idempotency_key` text,
	`request_hash` text NOT NULL,
	`status` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`customer_name` text NOT NULL,
	`customer_email` text,
	`customer_phone` text,
	`fulfillment_type` text NOT NULL,
	`fulfillment_at` integer NOT NULL,
	`delivery_address` text,
	`note` text DEFAULT '' NOT NULL,
	`total_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`tracking_token` text NOT NULL,
	`promised_at` integer,
	`estimated_ready_at` integer,
	`late_minutes` integer DEFAULT 0 NOT NULL,
	`client_meta` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`cancelled_at` integer,
	`cancel_reason` text,
	CONSTRAINT "orders_total_not_negative" CHECK("orders"."total_minor" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_idempotency_key_unique` ON `orders` (`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_tracking_token_unique` ON `orders` (`tracking_token`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_channel_external_id` ON `orders` (`channel`,`external_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_business_date_number` ON `orders` (`business_date`,`number`);--> statement-breakpoint
CREATE INDEX `orders_status` ON `orders` (`status`,`fulfillment_at`);--> statement-breakpoint
CREATE TABLE `oven_loads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`oven_id` integer NOT NULL,
	`status` text NOT NULL,
	`prep_start_at` integer NOT NULL,
	`start_at` integer NOT NULL,
	`end_at` integer NOT NULL,
	`temp_c` integer NOT NULL,
	`plan_version` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`oven_id`) REFERENCES `ovens`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `oven_loads_status` ON `oven_loads` (`status`,`start_at`);--> statement-breakpoint
CREATE TABLE `ovens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`capacity_trays` integer NOT NULL,
	`min_temp_c` integer NOT NULL,
	`max_temp_c` integer NOT NULL,
	`changeover_minutes` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	CONSTRAINT "ovens_capacity_positive" CHECK("ovens"."capacity_trays" > 0),
	CONSTRAINT "ovens_temperature_range" CHECK("ovens"."min_temp_c" <= "ovens"."max_temp_c")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ovens_name_unique` ON `ovens` (`name`);--> statement-breakpoint
CREATE TABLE `product_stock` (
	`product_id` integer PRIMARY KEY NOT NULL,
	`on_hand` integer DEFAULT 0 NOT NULL,
	`reserved` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "product_stock_on_hand_not_negative" CHECK("product_stock"."on_hand" >= 0),
	CONSTRAINT "product_stock_reserved_within_on_hand" CHECK("product_stock"."reserved" >= 0 AND "product_stock"."reserved" <= "product_stock"."on_hand")
);
--> statement-breakpoint
CREATE TABLE `products` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sku` text NOT NULL,
	`name` text NOT NULL,
	`category` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`price_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`tax_rate_bp` integer DEFAULT 0 NOT NULL,
	`baked` integer NOT NULL,
	`units_per_tray` integer,
	`bake_minutes` integer,
	`bake_temp_c` integer,
	`prep_minutes` integer DEFAULT 0 NOT NULL,
	`cool_minutes` integer DEFAULT 0 NOT NULL,
	`shelf_life_hours` integer NOT NULL,
	`available` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "products_price_not_negative" CHECK("products"."price_minor" >= 0),
	CONSTRAINT "products_baked_has_bake_settings" CHECK("products"."baked" = 0 OR ("products"."units_per_tray" > 0 AND "products"."bake_minutes" > 0 AND "products"."bake_temp_c" > 0))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `products_sku_unique` ON `products` (`sku`);--> statement-breakpoint
CREATE TABLE `recipe_items` (
	`product_id` integer NOT NULL,
	`ingredient_id` integer NOT NULL,
	`quantity_per_unit` real NOT NULL,
	PRIMARY KEY(`product_id`, `ingredient_id`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`ingredient_id`) REFERENCES `ingredients`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "recipe_quantity_positive" CHECK("recipe_items"."quantity_per_unit" > 0)
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stock_movements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`product_id` integer NOT NULL,
	`reason` text NOT NULL,
	`on_hand_delta` integer DEFAULT 0 NOT NULL,
	`reserved_delta` integer DEFAULT 0 NOT NULL,
	`order_id` integer,
	`note` text DEFAULT '' NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stock_movements_product` ON `stock_movements` (`product_id`,`at`);--> statement-breakpoint
CREATE TABLE `tray_feeds` (
	`tray_id` integer NOT NULL,
	`order_id` integer NOT NULL,
	`order_line_id` integer NOT NULL,
	`units` integer NOT NULL,
	PRIMARY KEY(`tray_id`, `order_line_id`),
	FOREIGN KEY (`tray_id`) REFERENCES `load_trays`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_line_id`) REFERENCES `order_lines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tray_feeds_line` ON `tray_feeds` (`order_line_id`);