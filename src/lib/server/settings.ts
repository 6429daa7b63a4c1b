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

/**
 * A whole-number setting whose one message names its range and an example, so a manager who
 * types 2 slot minutes reads what to type instead, not the schema's wording.
 */
const wholeNumber = (unit: string, min: number, max: number, example: number, note = '') => {
	const message = `must be a whole number of ${unit} from ${min} to ${max}, such as ${example}${note}`;
	return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

const text = (max: number, example: string, min = 1) => {
	const message = `must be text of ${min} to ${max} characters, such as "${example}"`;
	return z.string({ error: message }).trim().min(min, message).max(max, message);
};

/** The zone's canonical IANA name, as Intl spells it: "europe/paris" is stored as Europe/Paris. */
const canonicalZone = (zone: string) =>
	new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;

/** Shop settings a manager can change; stored as rows of the settings table. */
export const shopSettingsSchema = z.object({
	shopName: text(80, 'Corner Bakery').default('Bakery'),
	/** Where couriers collect from, as one line. */
	shopAddress: text(200, '1 High Street, London').default('1 High Street, London'),
	shopPhone: text(30, '+44 20 7946 0000', 5).default('+44 20 7946 0000'),
	/**
	 * The shop's IANA zone, once a manager has chosen one; until then SHOP_TIMEZONE's. Opening
	 * hours, slots and business days are wall times in it; orders keep their instants.
	 */
	timeZone: z
		.string({ error: 'use an IANA zone name such as Europe/London' })
		.refine(isValidTimeZone, 'use an IANA zone name such as Europe/London')
		.transform(canonicalZone)
		.optional(),
	/** Most pickups the counter can hand over in one slot; 0 = no cap. */
	slotCapacity: wholeNumber('pickups', 0, 1000, 12, ' (0 for no cap)').default(0),
	/**
	 * The currency of every price. Products carry it beside their price, and changing it moves
	 * them all at once (saveSettings), with the same numbers: 250 is then 2.50 in the new one.
	 */
	currency: z
		.string({ error: 'use an ISO 4217 code such as GBP' })
		.regex(/^[A-Z]{3}$/, 'use an ISO 4217 code in capitals, such as GBP or EUR')
		.default('GBP'),
	/** Minutes between placing an online order and the earliest pickup. */
	leadMinutes: wholeNumber('minutes', 0, 7 * 24 * 60, 30).default(30),
	/** The same for orders taken at the counter, usually none: the customer is standing there. */
	counterLeadMinutes: wholeNumber('minutes', 0, 24 * 60, 0).default(0),
	slotMinutes: wholeNumber('minutes', 5, 240, 15).default(15),
	/** Minutes to box an order; a line's due time is the pickup time minus this. */
	packingMinutes: wholeNumber('minutes', 0, 240, 10).default(10),
	/** Longest a baked tray may wait for the order it feeds, so bread is fresh at pickup. */
	freshnessMinutes: wholeNumber('minutes', 15, 7 * 24 * 60, 240).default(240),
	/** Bake part trays full, the extra for the shelf, as far as spare ingredients allow. */
	fillTraysForShelf: z.boolean({ error: 'must be true or false' }).default(true),
	/** How many days ahead the planner books oven time. */
	planDays: wholeNumber('days', 1, 14, 7).default(7),
	/** How far ahead customers may order. */
	maxAdvanceDays: wholeNumber('days', 1, 365, 30).default(30),
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
