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
const itemKey = z
	.string()
	.regex(
		/^(shopify|square|woocommerce):[^\s:]{1,100}$/,
		'name the item as shopify:<variant_id>, square:<catalog_object_id> or woocommerce:<product_id>'
	);

const settingsInput = z.strictObject(
	{
		shopifyAttributes: attributeNames.optional(),
		// A SKU maps the item; null takes its mapping away. Items not named keep theirs.
		platformItemSkus: z.record(itemKey, z.string().trim().min(1).max(64).nullable()).optional()
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
			const unknown = Object.entries(platformItemSkus ?? {}).filter(
				([, sku]) => sku !== null && !known.has(sku)
			);
			if (unknown.length > 0) {
				throw invalid(
					unknown.map(([key, sku]) => ({
						field: `platformItemSkus.${key}`,
						message: `${sku} is not one of our products' SKUs; use one from /admin/products`
					}))
				);
			}
			const skus = { ...saved.platformItemSkus };
			for (const [key, sku] of Object.entries(platformItemSkus ?? {})) {
				if (sku === null) delete skus[key];
				else skus[key] = sku;
			}
			writeSettings(tx, {
				shopifyAttributes: {
					...saved.shopifyAttributes,
					...Object.fromEntries(
						Object.entries(shopifyAttributes ?? {}).filter(([, name]) => name !== undefined)
					)
				},
				platformItemSkus: skus
			});
		},
		{ behavior: 'immediate' }
	);
	return json(platformSettings());
});

export const fallback = methodNotAllowed('GET', 'PUT');
