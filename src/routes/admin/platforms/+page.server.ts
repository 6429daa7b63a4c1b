import { asc } from 'drizzle-orm';

import { products } from '$lib/server/db/schema';
import { listInbox } from '$lib/server/platforms/inbox';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ depends }) => {
	depends('app:platforms');
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
		platformItemSkus,
		products: rt.db
			.select({ sku: products.sku, name: products.name })
			.from(products)
			.orderBy(asc(products.name))
			.all(),
		timeZone: rt.config.shopTimeZone,
		failed: listInbox(rt.db, { state: 'failed', limit: 100 }),
		recent: listInbox(rt.db, { limit: 30 })
	};
};
