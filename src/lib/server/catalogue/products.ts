import { asc } from 'drizzle-orm';

import type { Executor } from '../db/client';
import { products } from '../db/schema';

export interface ProductView {
	sku: string;
	name: string;
	category: string;
	description: string;
	priceMinor: number;
	currency: string;
	baked: boolean;
	/** On sale on the shop day asked about: not switched off, and not off for that day. */
	available: boolean;
	/** On sale, but taken off for `shopDate` only: it can be ordered for another day. */
	offToday: boolean;
}

/** Whether a product is on sale on a shop day (YYYY-MM-DD). */
export function onSaleOn(
	product: { available: boolean; unavailableOn: string | null },
	shopDate: string
): boolean {
	return product.available && product.unavailableOn !== shopDate;
}

/** The menu as it stands on `shopDate`, the shop's today for the order page and the counter. */
export function listProducts(db: Executor, shopDate: string): ProductView[] {
	return db
		.select({
			sku: products.sku,
			name: products.name,
			category: products.category,
			description: products.description,
			priceMinor: products.priceMinor,
			currency: products.currency,
			baked: products.baked,
			available: products.available,
			unavailableOn: products.unavailableOn
		})
		.from(products)
		.orderBy(asc(products.sortOrder), asc(products.name))
		.all()
		.map(({ unavailableOn, ...product }) => ({
			...product,
			available: onSaleOn({ available: product.available, unavailableOn }, shopDate),
			offToday: product.available && unavailableOn === shopDate
		}));
}
