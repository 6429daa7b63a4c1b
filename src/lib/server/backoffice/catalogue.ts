import { asc, eq, inArray, sql } from 'drizzle-orm';

import { wallClock } from '../../domain/shop-time';
import type { Executor } from '../db/client';
import {
	ingredientMovements,
	ingredients,
	openingHours,
	ovens,
	products,
	productStock,
	recipeItems
} from '../db/schema';
import type { Deps } from '../deps';
import { fieldConflict, invalid, notFound, refused, type FieldProblem } from '../errors';
import { readSettings, shopSettingsSchema, writeSettings, type ShopSettings } from '../settings';
import { commitChange, differences, parseInput, pick, withoutUnsent } from './change';
import {
	formatClock,
	hoursInput,
	ingredientInput,
	offTodayInput,
	ovenInput,
	productInput,
	type IngredientInput,
	type ProductChange
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

/** The columns a product's form or file sets; `differences` compares them. */
const PRODUCT_FIELDS = [
	'name',
	'category',
	'description',
	'priceMinor',
	'currency',
	'taxRateBp',
	'baked',
	'unitsPerTray',
	'bakeMinutes',
	'bakeTempC',
	'prepMinutes',
	'coolMinutes',
	'shelfLifeHours',
	'available',
	'sortOrder'
] as const;
type ProductValues = Pick<ProductRow, (typeof PRODUCT_FIELDS)[number]>;

/** What a new product has for each field left out; one that exists keeps its own instead. */
const NEW_PRODUCT = {
	description: '',
	taxRateBp: 0,
	baked: true,
	unitsPerTray: null,
	bakeMinutes: null,
	bakeTempC: null,
	prepMinutes: 0,
	coolMinutes: 0,
	available: true,
	sortOrder: 0
} satisfies Partial<ProductValues>;

/** A baked product needs its tray size and bake settings, whether sent now or stored before. */
function bakeProblems(values: ProductValues): FieldProblem[] {
	if (!values.baked) return [];
	return (['unitsPerTray', 'bakeMinutes', 'bakeTempC'] as const)
		.filter((field) => values[field] === null)
		.map((field) => ({
			field,
			message: 'is needed for a baked product; fill it in or set baked to false'
		}));
}

export interface WrittenProduct {
	outcome: 'added' | 'changed';
	/** For a product that existed, each field that moved, as `taxRateBp 2000 → 0`. */
	differences: string[];
}

/**
 * Writes a product by its SKU (adding or changing it) and, when given, replaces its recipe.
 * Fields left out keep their stored values; a new product gets `NEW_PRODUCT`'s.
 */
export function writeProduct(tx: Executor, change: ProductChange, now: number): WrittenProduct {
	const { recipe, sku, ...sent } = change;
	const existing = tx.select().from(products).where(eq(products.sku, sku)).get();
	// One currency for the whole catalogue: the shop's (saveSettings moves every product with it).
	const currency = readSettings(tx).currency;
	const merged: ProductValues = {
		...(existing ? pick(existing, PRODUCT_FIELDS) : { ...NEW_PRODUCT, currency }),
		...withoutUnsent(sent),
		currency
	};
	// A product that is not baked has no tray size or bake settings to keep.
	const values = merged.baked
		? merged
		: { ...merged, unitsPerTray: null, bakeMinutes: null, bakeTempC: null };
	const problems = bakeProblems(values);
	if (problems.length > 0) throw invalid(problems);

	const row = existing
		? tx.update(products).set(values).where(eq(products.id, existing.id)).returning().get()
		: tx
				.insert(products)
				.values({ ...values, sku, createdAt: now })
				.returning()
				.get();
	if (!existing) tx.insert(productStock).values({ productId: row.id }).run();
	if (recipe) writeRecipe(tx, row.id, recipe);
	return existing
		? { outcome: 'changed', differences: differences(existing, values, PRODUCT_FIELDS) }
		: { outcome: 'added', differences: [] };
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
	const { outcome } = commitChange(deps, `product ${input.sku}`, (tx, now) =>
		writeProduct(tx, input, now)
	);
	const saved = adminProducts(deps.db, deps.now(), deps.config.shopTimeZone);
	return { outcome, product: saved.find((product) => product.sku === input.sku)! };
}

const INGREDIENT_FIELDS = ['name', 'unit', 'supplier', 'leadDays'] as const;
type IngredientValues = Pick<typeof ingredients.$inferSelect, (typeof INGREDIENT_FIELDS)[number]>;
const NEW_INGREDIENT = { supplier: '', leadDays: 1 } satisfies Partial<IngredientValues>;

/**
 * Refuses a new unit for an ingredient whose amounts are counted in the old one: its stock and
 * the recipes using it would be read in the new unit (5000 g of flour becoming 5000 ml).
 */
function checkUnitChange(tx: Executor, ingredient: typeof ingredients.$inferSelect, unit: string) {
	if (ingredient.unit === unit) return;
	const inStock =
		tx
			.select({ amount: sql<number>`sum(${ingredientMovements.delta})` })
			.from(ingredientMovements)
			.where(eq(ingredientMovements.ingredientId, ingredient.id))
			.get()?.amount ?? 0;
	const usedBy = tx
		.select({ sku: products.sku })
		.from(recipeItems)
		.innerJoin(products, eq(products.id, recipeItems.productId))
		.where(eq(recipeItems.ingredientId, ingredient.id))
		.orderBy(asc(products.sku))
		.all()
		.map((row) => row.sku);
	if (inStock === 0 && usedBy.length === 0) return;

	const holds = [
		inStock === 0 ? '' : `has ${inStock} ${ingredient.unit} in stock`,
		usedBy.length === 0 ? '' : `is in the recipes of ${usedBy.join(', ')}`
	]
		.filter(Boolean)
		.join(' and ');
	throw fieldConflict(
		'unit',
		`${ingredient.code} ${holds}, counted in ${ingredient.unit}; in ${unit} those amounts would mean ${unit}. Keep ${ingredient.unit}, or add a new ingredient code counted in ${unit} and move the recipes and stock to it`
	);
}

/** Writes an ingredient by its code; fields left out keep their stored values. */
export function writeIngredient(tx: Executor, input: IngredientInput, now: number) {
	const { code, ...sent } = input;
	const existing = tx.select().from(ingredients).where(eq(ingredients.code, code)).get();
	if (existing) {
		checkUnitChange(tx, existing, input.unit);
		const values = { ...pick(existing, INGREDIENT_FIELDS), ...withoutUnsent(sent) };
		tx.update(ingredients).set(values).where(eq(ingredients.id, existing.id)).run();
		return 'changed' as const;
	}
	tx.insert(ingredients)
		.values({ ...NEW_INGREDIENT, ...withoutUnsent(sent), code, createdAt: now })
		.run();
	return 'added' as const;
}

export function saveIngredient(deps: Deps, body: unknown) {
	const input = parseInput(ingredientInput, body);
	// Lead days move when a missing ingredient can arrive, so the plan is made again.
	const outcome = commitChange(deps, `ingredient ${input.code}`, (tx, now) =>
		writeIngredient(tx, input, now)
	);
	const saved = listIngredients(deps.db).find((row) => row.code === input.code)!;
	return { outcome, ingredient: pick(saved, ['code', ...INGREDIENT_FIELDS]) };
}

const OVEN_FIELDS = [
	'kind',
	'capacityTrays',
	'minTempC',
	'maxTempC',
	'changeoverMinutes',
	'active'
] as const;
type OvenValues = Pick<typeof ovens.$inferSelect, (typeof OVEN_FIELDS)[number]>;
const NEW_OVEN = {
	kind: 'deck',
	changeoverMinutes: 15,
	active: true
} satisfies Partial<OvenValues>;

/** Writes an oven by its name; fields left out (an oven out of service, say) keep their values. */
export function saveOven(deps: Deps, body: unknown) {
	const { name, ...sent } = parseInput(ovenInput, body);
	const outcome = commitChange(deps, `oven ${name}`, (tx) => {
		const existing = tx.select().from(ovens).where(eq(ovens.name, name)).get();
		if (existing) {
			const values = { ...pick(existing, OVEN_FIELDS), ...withoutUnsent(sent) };
			tx.update(ovens).set(values).where(eq(ovens.id, existing.id)).run();
			return 'changed' as const;
		}
		tx.insert(ovens)
			.values({ ...NEW_OVEN, ...withoutUnsent(sent), name })
			.run();
		return 'added' as const;
	});
	return { outcome, oven: listOvens(deps.db).find((row) => row.name === name)! };
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
				opens: formatClock(row.opensMinute),
				closes: formatClock(row.closesMinute)
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
/** Settings with their own endpoint, which checks and merges them. */
const PLATFORM_SETTINGS = ['platformItemSkus', 'shopifyAttributes'];

export function saveSettings(deps: Deps, body: unknown): ShopSettings {
	const elsewhere = PLATFORM_SETTINGS.filter(
		(key) => body !== null && typeof body === 'object' && key in body
	);
	if (elsewhere.length > 0) {
		throw invalid(
			elsewhere.map((field) => ({
				field,
				message:
					'is set with PUT /api/admin/platforms (or on /admin/platforms), which checks the SKUs and keeps the other mappings'
			}))
		);
	}
	const parsed = parseInput(shopSettingsSchema.partial().strict(), body);
	// Only what was sent: a partial schema still fills in defaults for the fields left out.
	const sent = Object.keys(body as object);
	const input: Partial<ShopSettings> = Object.fromEntries(
		Object.entries(parsed).filter(([key]) => sent.includes(key))
	);
	commitChange(deps, 'settings', (tx) => {
		writeSettings(tx, input);
		// Every product is priced in the shop's currency, and an order takes its currency from
		// its products, so the catalogue moves with the setting in the same transaction. Prices
		// keep their numbers; orders already taken keep the currency they were taken in.
		const { currency } = input;
		if (currency !== undefined) tx.update(products).set({ currency }).run();
	});
	return readSettings(deps.db);
}
