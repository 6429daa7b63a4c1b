import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { INBOX_STATES, products } from '$lib/server/db/schema';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf, readJson } from '$lib/server/http';
import { listInbox } from '$lib/server/platforms/inbox';
import { runtime } from '$lib/server/runtime';
import { readSettings, writeSettings } from '$lib/server/settings';

/**
 * The shop platforms, for the manager: which are set up, the settings that map their orders
 * (note attribute names, item SKUs) and the latest webhook deliveries with what became of them.
 */

const listQuery = z.object({
	state: z.enum(INBOX_STATES, { error: `must be one of ${INBOX_STATES.join(', ')}` }).optional(),
	limit: z.coerce.number().int().min(1).max(500).default(50)
});

const attributeName = z.string().trim().min(1).max(80).optional();
/** The names a Shopify date app gives its note attributes; those not sent stay as saved. */
const attributeNames = z.strictObject({
	method: attributeName,
	pickupDate: attributeName,
	pickupTime: attributeName,
	deliveryDate: attributeName,
	deliveryTime: attributeName
});

/** `shopify:<variant_id>`, `square:<catalog_object_id>` or `woocommerce:<product_id>`. */
const ITEM_KEY = /^(shopify|square|woocommerce):[^\s:]{1,100}$/;

const settingsInput = z.strictObject(
	{
		shopifyAttributes: attributeNames.optional(),
		// A SKU maps the item; null takes its mapping away. Items not named keep theirs.
		platformItemSkus: z
			.record(
				z.string(),
				z
					.string({ error: 'give one of our SKUs, or null to take the mapping away' })
					.trim()
					.min(1, 'give one of our SKUs, or null to take the mapping away')
					.max(64, 'a SKU has at most 64 characters')
					.nullable()
			)
			.optional()
	},
	{ error: 'must be an object with shopifyAttributes and/or platformItemSkus' }
);

function platformSettings() {
	const rt = runtime();
	const { shopifyAttributes, platformItemSkus } = readSettings(rt.db);
	const platforms = rt.config.platforms;
	return {
		setUp: {
			shopify: Boolean(platforms.shopify),
			square: Boolean(platforms.square),
			woocommerce: Boolean(platforms.woocommerce)
		},
		shopifyAttributes,
		platformItemSkus
	};
}

export const GET = endpoint(({ url }) => {
	const parsed = listQuery.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	return json({ ...platformSettings(), inbox: listInbox(runtime().db, parsed.data) });
});

/**
 * Changes the mapping settings, merged into what is saved: `{ shopifyAttributes?: {...},
 * platformItemSkus?: { "square:ABC": "CROISSANT", "shopify:123": null } }`. Every SKU must be
 * one of ours; nothing is saved unless all are.
 */
export const PUT = endpoint(async ({ request }) => {
	const parsed = settingsInput.safeParse(await readJson(request));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const { shopifyAttributes, platformItemSkus } = parsed.data;
	const rt = runtime();
	rt.db.transaction(
		(tx) => {
			const saved = readSettings(tx);
			const known = new Set(
				tx
					.select({ sku: products.sku })
					.from(products)
					.all()
					.map((row) => row.sku)
			);
			// Every bad key and every SKU we do not sell, in one answer.
			const problems = Object.entries(platformItemSkus ?? {}).flatMap(([key, sku]) => {
				const field = `platformItemSkus.${key}`;
				if (!ITEM_KEY.test(key)) {
					const message = `${JSON.stringify(key)} is not an item; name it as shopify:<variant_id>, square:<catalog_object_id> or woocommerce:<product_id>`;
					return [{ field, message }];
				}
				if (sku !== null && !known.has(sku)) {
					const message = `${sku} is not one of our products' SKUs; use one from /admin/products`;
					return [{ field, message }];
				}
				return [];
			});
			if (problems.length > 0) throw invalid(problems);
			const skus = { ...saved.platformItemSkus };
			for (const [key, sku] of Object.entries(platformItemSkus ?? {})) {
				if (sku === null) delete skus[key];
				else skus[key] = sku;
			}
			writeSettings(tx, {
				// JSON has no undefined: the names sent replace those saved, the rest stay.
				shopifyAttributes: { ...saved.shopifyAttributes, ...shopifyAttributes },
				platformItemSkus: skus
			});
		},
		{ behavior: 'immediate' }
	);
	return json(platformSettings());
});

export const fallback = methodNotAllowed('GET', 'PUT');
