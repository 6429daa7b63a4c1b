import { sql } from 'drizzle-orm';
import { z } from 'zod';

import type { Db } from '../db/client';
import {
	ingredientMovements,
	ingredients,
	openingHours,
	ovens,
	products,
	productStock,
	recipeItems,
	stockMovements
} from '../db/schema';
import { catalogueProblems } from '../catalogue/validate';
import { writeSettings } from '../settings';
import demoBakery from './demo-bakery.json';

const clock = z.string().regex(/^\d{2}:\d{2}$/, 'use HH:mm');

const hoursSchema = z.array(
	z.object({ weekdays: z.array(z.number().int().min(1).max(7)), opens: clock, closes: clock })
);

const bakerySchema = z.object({
	shopName: z.string(),
	currency: z.string(),
	settings: z.object({
		leadMinutes: z.number(),
		counterLeadMinutes: z.number(),
		slotMinutes: z.number(),
		packingMinutes: z.number()
	}),
	openingHours: z.object({ shop: hoursSchema, bakehouse: hoursSchema }),
	ovens: z.array(
		z.object({
			name: z.string(),
			kind: z.string(),
			capacityTrays: z.number().int().positive(),
			minTempC: z.number().int(),
			maxTempC: z.number().int(),
			changeoverMinutes: z.number().int().min(0)
		})
	),
	ingredients: z.array(
		z.object({
			code: z.string(),
			name: z.string(),
			unit: z.enum(['g', 'ml', 'each']),
			supplier: z.string(),
			leadDays: z.number().int().min(0),
			openingStock: z.number().min(0)
		})
	),
	products: z.array(
		z.object({
			sku: z.string(),
			name: z.string(),
			category: z.string(),
			description: z.string(),
			priceMinor: z.number().int().min(0),
			taxRateBp: z.number().int().min(0),
			baked: z.boolean(),
			unitsPerTray: z.number().int().positive().optional(),
			bakeMinutes: z.number().int().positive().optional(),
			bakeTempC: z.number().int().positive().optional(),
			prepMinutes: z.number().int().min(0).optional(),
			coolMinutes: z.number().int().min(0).optional(),
			shelfLifeHours: z.number().int().positive(),
			openingStock: z.number().int().min(0),
			recipe: z.record(z.string(), z.number().positive()).optional()
		})
	)
});

export type BakeryData = z.infer<typeof bakerySchema>;

function minutesOf(hhmm: string): number {
	const [hours, minutes] = hhmm.split(':').map(Number) as [number, number];
	return hours * 60 + minutes;
}

export function isEmpty(db: Db): boolean {
	const row = db.get<{ count: number }>(sql`select count(*) as count from ${products}`);
	return row.count === 0;
}

/** Loads a bakery (the demo one by default) into an empty database, in one transaction. */
export function seedBakery(db: Db, now: number, data: unknown = demoBakery): BakeryData {
	const bakery = bakerySchema.parse(data);
	const bakehouseDays = bakery.openingHours.bakehouse.flatMap((interval) => interval.weekdays);
	const problems = catalogueProblems(bakery.products, bakery.ovens, bakehouseDays);
	if (problems.length > 0) {
		throw new Error(`The bakery data cannot be planned:\n  - ${problems.join('\n  - ')}`);
	}

	db.transaction((tx) => {
		writeSettings(tx, {
			shopName: bakery.shopName,
			currency: bakery.currency,
			...bakery.settings
		});

		for (const [scope, intervals] of Object.entries(bakery.openingHours)) {
			for (const interval of intervals) {
				for (const weekday of interval.weekdays) {
					tx.insert(openingHours)
						.values({
							scope: scope as 'shop' | 'bakehouse',
							weekday,
							opensMinute: minutesOf(interval.opens),
							closesMinute: minutesOf(interval.closes)
						})
						.run();
				}
			}
		}

		for (const oven of bakery.ovens) tx.insert(ovens).values(oven).run();

		const ingredientIds = new Map<string, number>();
		for (const { openingStock, ...ingredient } of bakery.ingredients) {
			const row = tx
				.insert(ingredients)
				.values({ ...ingredient, createdAt: now })
				.returning({ id: ingredients.id })
				.get();
			ingredientIds.set(ingredient.code, row.id);
			tx.insert(ingredientMovements)
				.values({
					ingredientId: row.id,
					reason: 'delivery',
					delta: openingStock,
					note: 'opening stock',
					at: now
				})
				.run();
		}

		bakery.products.forEach(({ openingStock, recipe, ...product }, index) => {
			const row = tx
				.insert(products)
				.values({ ...product, currency: bakery.currency, sortOrder: index, createdAt: now })
				.returning({ id: products.id })
				.get();

			for (const [code, quantityPerUnit] of Object.entries(recipe ?? {})) {
				const ingredientId = ingredientIds.get(code);
				if (ingredientId === undefined) {
					throw new Error(`product ${product.sku}: recipe names unknown ingredient "${code}"`);
				}
				tx.insert(recipeItems).values({ productId: row.id, ingredientId, quantityPerUnit }).run();
			}

			tx.insert(productStock).values({ productId: row.id, onHand: openingStock }).run();
			if (openingStock > 0) {
				tx.insert(stockMovements)
					.values({
						productId: row.id,
						reason: 'produce',
						onHandDelta: openingStock,
						note: 'opening stock',
						at: now
					})
					.run();
			}
		});
	});

	return bakery;
}
