ALTER TABLE `order_lines` ADD `packed_quantity` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `packed_at` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `packed_right` integer;