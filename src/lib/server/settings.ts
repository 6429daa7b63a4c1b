import { z } from 'zod';

import { isValidTimeZone } from '../domain/shop-time';
import type { Db, Executor } from './db/client';
import { settings } from './db/schema';

const attributeName = z.string().trim().min(1).max(80);

/**
 * The Shopify order note attributes a pickup and delivery date app writes. The defaults are the
 * names Zapiet's "Store Pickup + Delivery" uses; other apps use others ("Pickup Date" with a space).
 */
export const shopifyAttributesSchema = z.object({
	method: attributeName.default('Checkout-Method'),
	pickupDate: attributeName.default('Pickup-Date'),
	pickupTime: attributeName.default('Pickup-Time'),
	deliveryDate: attributeName.default('Delivery-Date'),
	deliveryTime: attributeName.default('Delivery-Time')
});

export type ShopifyAttributes = z.infer<typeof shopifyAttributesSchema>;

/** Shop settings a manager can change; stored as rows of the settings table. */
export const shopSettingsSchema = z.object({
	shopName: z.string().min(1).max(80).default('Bakery'),
	/** Where couriers collect from, as one line. */
	shopAddress: z.string().min(1).max(200).default('1 High Street, London'),
	shopPhone: z.string().min(5).max(30).default('+44 20 7946 0000'),
	/**
	 * The shop's IANA zone, once a manager has chosen one; until then SHOP_TIMEZONE's. Opening
	 * hours, slots and business days are wall times in it; orders keep their instants.
	 */
	timeZone: z
		.string()
		.refine(isValidTimeZone, 'use an IANA zone name such as Europe/London')
		.optional(),
	/** Most pickups the counter can hand over in one slot; 0 = no cap. */
	slotCapacity: z.number().int().min(0).max(1000).default(0),
	currency: z
		.string()
		.regex(/^[A-Z]{3}$/, 'use an ISO 4217 code such as GBP')
		.default('GBP'),
	/** Minutes between placing an online order and the earliest pickup. */
	leadMinutes: z
		.number()
		.int()
		.min(0)
		.max(7 * 24 * 60)
		.default(30),
	/** The same for orders taken at the counter, usually none: the customer is standing there. */
	counterLeadMinutes: z
		.number()
		.int()
		.min(0)
		.max(24 * 60)
		.default(0),
	slotMinutes: z.number().int().min(5).max(240).default(15),
	/** Minutes to box an order; a line's due time is the pickup time minus this. */
	packingMinutes: z.number().int().min(0).max(240).default(10),
	/** Longest a baked tray may wait for the order it feeds, so bread is fresh at pickup. */
	freshnessMinutes: z
		.number()
		.int()
		.min(15)
		.max(7 * 24 * 60)
		.default(240),
	/** Bake part trays full, the extra for the shelf, as far as spare ingredients allow. */
	fillTraysForShelf: z.boolean().default(true),
	/** How many days ahead the planner books oven time. */
	planDays: z.number().int().min(1).max(14).default(7),
	/** How far ahead customers may order. */
	maxAdvanceDays: z.number().int().min(1).max(365).default(30),
	shopifyAttributes: shopifyAttributesSchema.prefault({}),
	/**
	 * Our SKU for a platform's item when the platform sends none or another: keyed by
	 * `square:<catalog_object_id>`, `woocommerce:<product_id>` or `shopify:<variant_id>`.
	 */
	platformItemSkus: z.record(z.string(), z.string().min(1).max(64)).default({})
});

export type ShopSettings = z.infer<typeof shopSettingsSchema>;

export function readSettings(db: Executor): ShopSettings {
	const rows = db.select().from(settings).all();
	return shopSettingsSchema.parse(Object.fromEntries(rows.map((row) => [row.key, row.value])));
}

export function writeSettings(db: Executor, values: Partial<ShopSettings>): void {
	for (const [key, value] of Object.entries(values)) {
		db.insert(settings)
			.values({ key, value })
			.onConflictDoUpdate({ target: settings.key, set: { value } })
			.run();
	}
}

/**
 * Makes `config.shopTimeZone` the manager's choice when there is one, read from the database on
 * each use (one indexed row), so every process sees a change at once and a transaction sees its
 * own write.
 */
export function followShopZone(db: Db, config: { shopTimeZone: string }): void {
	const fallback = config.shopTimeZone;
	const read = db.$client.prepare("select value from settings where key = 'timeZone'").pluck();
	Object.defineProperty(config, 'shopTimeZone', {
		enumerable: true,
		configurable: true,
		get: () => {
			const stored = read.get() as string | undefined;
			if (stored === undefined) return fallback;
			const zone: unknown = JSON.parse(stored);
			return typeof zone === 'string' && isValidTimeZone(zone) ? zone : fallback;
		}
	});
}
