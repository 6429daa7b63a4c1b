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
	available: boolean;
}

export function listProducts(db: Executor): ProductView[] {
	return db
		.select({
			sku: products.sku,
			name: products.name,
			category: products.category,
			description: products.description,
			priceMinor: products.priceMinor,
			currency: products.currency,
			baked: products.baked,
			available: products.available
		})
		.from(products)
		.orderBy(asc(products.sortOrder), asc(products.name))
		.all();
}
