import { z } from 'zod';

import { INGREDIENT_UNITS } from '../db/schema';

/*
 * What the back office accepts. Every message says what to send instead, so a form can show it
 * beside the field and a CSV import beside the line.
 */

/** A code as people type it; `example` is what the message suggests (a SKU, an ingredient). */
const codeLike = (example: string) =>
	z
		.string({ error: 'must be text' })
		.trim()
		.regex(
			/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/,
			`use 1 to 40 letters, digits, - or _, such as ${example}`
		);
const code = codeLike('CROISSANT');
/** Ingredient codes are stored in lower case, so `Salt` in a recipe finds `salt`. */
const ingredientCode = codeLike('bread-flour').transform((value) => value.toLowerCase());

const minutes = (max: number) =>
	z
		.number({ error: 'must be a number of minutes' })
		.int('must be whole minutes')
		.min(0, 'cannot be negative')
		.max(max, `must be at most ${max}`);

const positiveInt = (what: string, max: number) =>
	z
		.number({ error: `must be a number of ${what}` })
		.int(`must be whole ${what}`)
		.min(1, `must be at least 1`)
		.max(max, `must be at most ${max}`);

const name = z.string({ error: 'must be text' }).trim().min(1, 'is empty; give it a name').max(80);

export const recipeItemInput = z.strictObject({
	ingredient: ingredientCode,
	quantityPerUnit: z
		.number({ error: 'must be an amount in the ingredient’s unit' })
		.positive('must be more than 0; leave the ingredient out instead')
		.max(100_000)
});

/** A recipe names each ingredient once: the table keeps one amount per product and ingredient. */
const recipeInput = z
	.array(recipeItemInput)
	.max(100)
	.superRefine((recipe, context) => {
		recipe.forEach((item, index) => {
			const first = recipe.findIndex((other) => other.ingredient === item.ingredient);
			if (first === index) return;
			context.addIssue({
				code: 'custom',
				path: [index, 'ingredient'],
				message: `${item.ingredient} is already recipe[${first}]; list each ingredient once, with its whole amount per unit`
			});
		});
	});

/*
 * Adding and changing share one schema. The fields marked "left out keeps" are optional: a
 * product, ingredient or oven that exists keeps its stored value for each one left out, and only
 * a new one gets the default (see catalogue.ts), so a form or file that does not know a field
 * cannot wipe it.
 */

export const productInput = z.strictObject({
	sku: code.transform((value) => value.toUpperCase()),
	name,
	category: name,
	/** Left out keeps; a new product has none. */
	description: z
		.string({ error: 'must be text' })
		.trim()
		.max(300, 'must be at most 300 characters')
		.optional(),
	priceMinor: z
		.number({ error: 'must be a price in minor units (pence), such as 250' })
		.int('must be whole pence, such as 250 for 2.50')
		.min(0, 'cannot be negative')
		.max(10_000_00),
	/** Left out keeps; a new product has 0. */
	taxRateBp: z
		.number({ error: 'must be basis points, such as 2000 for 20%' })
		.int('must be whole basis points, such as 2000 for 20%')
		.min(0, 'cannot be negative')
		.max(10_000, 'must be at most 10000 (100%)')
		.optional(),
	baked: z.boolean({ error: 'must be true or false' }),
	/** Left out keeps; null clears. A baked product needs all three (checked once merged). */
	unitsPerTray: positiveInt('units', 500).nullable().optional(),
	bakeMinutes: positiveInt('minutes', 600).nullable().optional(),
	bakeTempC: positiveInt('degrees', 400).nullable().optional(),
	/** Left out keeps; a new product has 0. */
	prepMinutes: minutes(48 * 60).optional(),
	coolMinutes: minutes(24 * 60).optional(),
	shelfLifeHours: positiveInt('hours', 24 * 365),
	/** Left out keeps; a new product is on sale. */
	available: z.boolean({ error: 'must be true or false' }).optional(),
	/** Left out keeps the product's place in the menu. */
	sortOrder: z.number({ error: 'must be a whole number' }).int('must be a whole number').optional(),
	/** Left out leaves the recipe as it is; a list replaces it. */
	recipe: recipeInput.optional()
});

export type ProductInput = z.infer<typeof productInput>;

/** A row of products.csv: `baked` may be left out too (kept, or true for a new product). */
export const productRowInput = productInput
	.omit({ recipe: true, sortOrder: true })
	.partial({ baked: true });

/** What writing a product takes: a JSON body or a CSV row. */
export type ProductChange = z.infer<typeof productRowInput> &
	Pick<ProductInput, 'recipe' | 'sortOrder'>;

export const ingredientInput = z.strictObject({
	code: ingredientCode,
	name,
	/** Refused for an ingredient in stock or in a recipe: their amounts are in the old unit. */
	unit: z.enum(INGREDIENT_UNITS, { error: `must be one of ${INGREDIENT_UNITS.join(', ')}` }),
	/** Left out keeps; a new ingredient has none. */
	supplier: z.string({ error: 'must be text' }).trim().max(80).optional(),
	/** Left out keeps; a new ingredient has 1. */
	leadDays: z
		.number({ error: 'must be a number of days' })
		.int('must be whole days')
		.min(0, 'cannot be negative')
		.max(90, 'must be at most 90')
		.optional()
});
export type IngredientInput = z.infer<typeof ingredientInput>;

export const ovenInput = z
	.strictObject({
		name,
		/** Left out keeps; a new oven is a deck oven. */
		kind: z.string({ error: 'must be text' }).trim().min(1).max(40).optional(),
		capacityTrays: positiveInt('trays', 100),
		minTempC: positiveInt('degrees', 500),
		maxTempC: positiveInt('degrees', 500),
		/** Left out keeps; a new oven has 15. */
		changeoverMinutes: minutes(240).optional(),
		/** In service. Left out keeps; a new oven is in service. */
		active: z.boolean({ error: 'must be true or false' }).optional()
	})
	.refine((oven) => oven.minTempC <= oven.maxTempC, {
		path: ['maxTempC'],
		message: 'is below the lowest temperature; swap them'
	});
export type OvenInput = z.infer<typeof ovenInput>;

const clockTime = z
	.string({ error: 'must be a time such as "07:30"' })
	.regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time such as "07:30"')
	.transform((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3)));

const interval = z
	.strictObject({
		weekday: z
			.number({ error: 'must be a weekday number, 1 (Monday) to 7 (Sunday)' })
			.int()
			.min(1, 'must be 1 (Monday) to 7 (Sunday)')
			.max(7, 'must be 1 (Monday) to 7 (Sunday)'),
		opens: clockTime,
		closes: clockTime
	})
	.refine((entry) => entry.opens < entry.closes, {
		path: ['closes'],
		message: 'must be after the opening time'
	});

const WEEKDAY_NAMES = [
	'',
	'Monday',
	'Tuesday',
	'Wednesday',
	'Thursday',
	'Friday',
	'Saturday',
	'Sunday'
];
/** Minutes after midnight as the wall clock shows them: 450 is "07:30". */
export const formatClock = (minute: number) =>
	`${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/**
 * One scope's week. Windows on one day may touch (12:00 closes, 12:00 opens: spans are
 * half-open) but not overlap, since an overlap is almost always a typing slip.
 */
const week = z
	.array(interval)
	.max(50)
	.superRefine((entries, context) => {
		entries.forEach((entry, index) => {
			const clash = entries.findIndex(
				(other, at) =>
					at < index &&
					other.weekday === entry.weekday &&
					other.opens < entry.closes &&
					entry.opens < other.closes
			);
			if (clash === -1) return;
			const other = entries[clash]!;
			const span = (window: { opens: number; closes: number }) =>
				`${formatClock(window.opens)}–${formatClock(window.closes)}`;
			const joined = span({
				opens: Math.min(other.opens, entry.opens),
				closes: Math.max(other.closes, entry.closes)
			});
			context.addIssue({
				code: 'custom',
				path: [index],
				message: `${WEEKDAY_NAMES[entry.weekday]} ${span(entry)} overlaps ${span(other)} (entry ${clash}); make them one window, ${joined}, or move one`
			});
		});
	});

/** The whole week for both scopes: what is sent replaces what was there. */
export const hoursInput = z.strictObject({ shop: week, bakehouse: week });
export type HoursInput = z.infer<typeof hoursInput>;

export const ADJUSTMENT_REASONS = ['delivery', 'waste', 'recount'] as const;

/**
 * A change to what is on the shelf or in the store: a delivery adds, waste takes away, a recount
 * says what is there and the ledger records the difference. Counts are never overwritten.
 */
export const adjustmentInput = z
	.strictObject({
		kind: z.enum(['product', 'ingredient'], { error: 'must be "product" or "ingredient"' }),
		code: code,
		reason: z.enum(ADJUSTMENT_REASONS, {
			error: `must be one of ${ADJUSTMENT_REASONS.join(', ')}`
		}),
		/** Delivered or wasted amount; for a recount, the amount counted. */
		amount: z
			.number({ error: 'must be a number' })
			.min(0, 'cannot be negative; use waste to take stock away')
			.max(1_000_000),
		note: z.string().trim().max(200).default('')
	})
	.superRefine((entry, context) => {
		if (entry.kind === 'product' && !Number.isInteger(entry.amount)) {
			context.addIssue({ code: 'custom', path: ['amount'], message: 'must be whole units' });
		}
		if (entry.reason !== 'recount' && entry.amount === 0) {
			context.addIssue({ code: 'custom', path: ['amount'], message: 'must be more than 0' });
		}
	});
export type AdjustmentInput = z.infer<typeof adjustmentInput>;

export const offTodayInput = z.strictObject({
	sku: code.transform((value) => value.toUpperCase()),
	/** True takes it off the menu for the rest of today; false puts it back. */
	off: z.boolean({ error: 'must be true or false' })
});
