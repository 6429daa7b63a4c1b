import { asc, eq, inArray, sql } from 'drizzle-orm';

import { wallClock } from '../../domain/shop-time';
import type { Executor } from '../db/client';
import {
	ingredients,
	openingHours,
	ovens,
	products,
	productStock,
	recipeItems
} from '../db/schema';
import type { Deps } from '../deps';
import { notFound, refused } from '../errors';
import { readSettings, shopSettingsSchema, writeSettings, type ShopSettings } from '../settings';
import { commitChange, parseInput } from './change';
import {
	hoursInput,
	ingredientInput,
	offTodayInput,
	ovenInput,
	productInput,
	type IngredientInput,
	type ProductInput
} from './input';

export type ProductRow = typeof products.$inferSelect;

export interface AdminProduct extends Omit<ProductRow, 'createdAt'> {
	recipe: { ingredient: string; quantityPerUnit: number; unit: string }[];
	offToday: boolean;
}

export function adminProducts(db: Executor, now: number, zone: string): AdminProduct[] {
	const today = wallClock(now, zone).date;
	const items = db
		.select({
			productId: recipeItems.productId,
			ingredient: ingredients.code,
			unit: ingredients.unit,
			quantityPerUnit: recipeItems.quantityPerUnit
		})
		.from(recipeItems)
		.innerJoin(ingredients, eq(ingredients.id, recipeItems.ingredientId))
		.orderBy(asc(ingredients.code))
		.all();
	return db
		.select()
		.from(products)
		.orderBy(asc(products.sortOrder), asc(products.name))
		.all()
		.map(({ createdAt: _created, ...product }) => ({
			...product,
			offToday: product.unavailableOn === today,
			recipe: items
				.filter((item) => item.productId === product.id)
				.map(({ ingredient, quantityPerUnit, unit }) => ({ ingredient, quantityPerUnit, unit }))
		}));
}

/** Ingredient ids by code; a recipe naming an unknown one is refused with the codes to use. */
function ingredientIds(tx: Executor, codes: string[], field: string): Map<string, number> {
	const rows = codes.length
		? tx.select().from(ingredients).where(inArray(ingredients.code, codes)).all()
		: [];
	const ids = new Map(rows.map((row) => [row.code, row.id]));
	const missing = codes.filter((code) => !ids.has(code));
	if (missing.length > 0) {
		throw refused(
			field,
			`no ingredient ${missing.join(', ')}; add it under Ingredients first or fix the code`
		);
	}
	return ids;
}

/** Writes a product by its SKU (adding or changing it) and, when given, replaces its recipe. */
export function writeProduct(tx: Executor, input: ProductInput, now: number): 'added' | 'changed' {
	const { recipe, ...fields } = input;
	const values = {
		...fields,
		unitsPerTray: fields.baked ? fields.unitsPerTray : null,
		bakeMinutes: fields.baked ? fields.bakeMinutes : null,
		bakeTempC: fields.baked ? fields.bakeTempC : null,
		currency: readSettings(tx).currency
	};
	const existing = tx.select().from(products).where(eq(products.sku, input.sku)).get();
	const row = existing
		? tx.update(products).set(values).where(eq(products.id, existing.id)).returning().get()
		: tx
				.insert(products)
				.values({ ...values, createdAt: now })
				.returning()
				.get();
	if (!existing) tx.insert(productStock).values({ productId: row.id }).run();
	if (recipe) writeRecipe(tx, row.id, recipe);
	return existing ? 'changed' : 'added';
}

export function writeRecipe(
	tx: Executor,
	productId: number,
	recipe: { ingredient: string; quantityPerUnit: number }[]
): void {
	const ids = ingredientIds(
		tx,
		recipe.map((item) => item.ingredient),
		'recipe'
	);
	tx.delete(recipeItems).where(eq(recipeItems.productId, productId)).run();
	for (const item of recipe) {
		tx.insert(recipeItems)
			.values({
				productId,
				ingredientId: ids.get(item.ingredient)!,
				quantityPerUnit: item.quantityPerUnit
			})
			.run();
	}
}

export function saveProduct(deps: Deps, body: unknown) {
	const input = parseInput(productInput, body);
	const outcome = commitChange(deps, `product ${input.sku}`, (tx, now) =>
		writeProduct(tx, input, now)
	);
	const saved = adminProducts(deps.db, deps.now(), deps.config.shopTimeZone);
	return { outcome, product: saved.find((product) => product.sku === input.sku)! };
}

export function writeIngredient(tx: Executor, input: IngredientInput, now: number) {
	const existing = tx.select().from(ingredients).where(eq(ingredients.code, input.code)).get();
	if (existing) {
		tx.update(ingredients).set(input).where(eq(ingredients.id, existing.id)).run();
		return 'changed' as const;
	}
	tx.insert(ingredients)
		.values({ ...input, createdAt: now })
		.run();
	return 'added' as const;
}

export function saveIngredient(deps: Deps, body: unknown) {
	const input = parseInput(ingredientInput, body);
	// Lead days move when a missing ingredient can arrive, so the plan is made again.
	const outcome = commitChange(deps, `ingredient ${input.code}`, (tx, now) =>
		writeIngredient(tx, input, now)
	);
	return { outcome, ingredient: input };
}

export function saveOven(deps: Deps, body: unknown) {
	const input = parseInput(ovenInput, body);
	const outcome = commitChange(deps, `oven ${input.name}`, (tx) => {
		const existing = tx.select().from(ovens).where(eq(ovens.name, input.name)).get();
		if (existing) {
			tx.update(ovens).set(input).where(eq(ovens.id, existing.id)).run();
			return 'changed' as const;
		}
		tx.insert(ovens).values(input).run();
		return 'added' as const;
	});
	return { outcome, oven: input };
}

export function saveHours(deps: Deps, body: unknown) {
	const input = parseInput(hoursInput, body);
	commitChange(deps, 'opening hours', (tx) => {
		tx.delete(openingHours).run();
		for (const scope of ['shop', 'bakehouse'] as const) {
			for (const entry of input[scope]) {
				tx.insert(openingHours)
					.values({
						scope,
						weekday: entry.weekday,
						opensMinute: entry.opens,
						closesMinute: entry.closes
					})
					.run();
			}
		}
	});
	return readHours(deps.db);
}

const clock = (minute: number) =>
	`${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

export function readHours(db: Executor) {
	const rows = db
		.select()
		.from(openingHours)
		.orderBy(asc(openingHours.weekday), asc(openingHours.opensMinute))
		.all();
	const of = (scope: 'shop' | 'bakehouse') =>
		rows
			.filter((row) => row.scope === scope)
			.map((row) => ({
				weekday: row.weekday,
				opens: clock(row.opensMinute),
				closes: clock(row.closesMinute)
			}));
	return { shop: of('shop'), bakehouse: of('bakehouse') };
}

/**
 * Takes a product off the menu for the rest of the shop's today, or puts it back. Tomorrow it
 * is on sale again without anyone remembering to switch it on.
 */
export function markOffToday(deps: Deps, body: unknown) {
	const input = parseInput(offTodayInput, body);
	const today = wallClock(deps.now(), deps.config.shopTimeZone).date;
	commitChange(
		deps,
		`${input.sku} ${input.off ? 'off' : 'back'} today`,
		(tx) => {
			const row = tx
				.update(products)
				.set({
					unavailableOn: input.off
						? today
						: sql`case when ${products.unavailableOn} = ${today} then null else ${products.unavailableOn} end`
				})
				.where(eq(products.sku, input.sku))
				.returning({ id: products.id })
				.get();
			if (!row) throw notFound(`product ${input.sku}`, 'sku');
		},
		// Orders already taken keep their oven time; only new ones are refused.
		{ replan: false }
	);
	return { sku: input.sku, offOn: input.off ? today : null };
}

export function listOvens(db: Executor) {
	return db.select().from(ovens).orderBy(asc(ovens.name)).all();
}

export function listIngredients(db: Executor) {
	return db.select().from(ingredients).orderBy(asc(ingredients.code)).all();
}

/** The settings a manager changes from the back office; the rest keep their values. */
export function saveSettings(deps: Deps, body: unknown): ShopSettings {
	const parsed = parseInput(shopSettingsSchema.partial().strict(), body);
	// Only what was sent: a partial schema still fills in defaults for the fields left out.
	const sent = Object.keys(body as object);
	const input = Object.fromEntries(Object.entries(parsed).filter(([key]) => sent.includes(key)));
	commitChange(deps, 'settings', (tx) => writeSettings(tx, input));
	return readSettings(deps.db);
}
