import { z } from 'zod';

import { INGREDIENT_UNITS } from '../db/schema';

/*
 * What the back office accepts. Every message says what to send instead, so a form can show it
 * beside the field and a CSV import beside the line.
 */

const code = z
	.string({ error: 'must be text' })
	.trim()
	.regex(
		/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/,
		'use 1 to 40 letters, digits, - or _, such as CROISSANT'
	);

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
	ingredient: code,
	quantityPerUnit: z
		.number({ error: 'must be an amount in the ingredient’s unit' })
		.positive('must be more than 0; leave the ingredient out instead')
		.max(100_000)
});

export const productInput = z
	.strictObject({
		sku: code.transform((value) => value.toUpperCase()),
		name,
		category: name,
		description: z.string().trim().max(300).default(''),
		priceMinor: z
			.number({ error: 'must be a price in minor units (pence), such as 250' })
			.int('must be whole pence, such as 250 for 2.50')
			.min(0, 'cannot be negative')
			.max(10_000_00),
		taxRateBp: z
			.number({ error: 'must be basis points, such as 2000 for 20%' })
			.int()
			.min(0)
			.max(10_000)
			.default(0),
		baked: z.boolean({ error: 'must be true or false' }),
		unitsPerTray: positiveInt('units', 500).nullable().default(null),
		bakeMinutes: positiveInt('minutes', 600).nullable().default(null),
		bakeTempC: positiveInt('degrees', 400).nullable().default(null),
		prepMinutes: minutes(48 * 60).default(0),
		coolMinutes: minutes(24 * 60).default(0),
		shelfLifeHours: positiveInt('hours', 24 * 365),
		available: z.boolean({ error: 'must be true or false' }).default(true),
		/** Absent keeps the product's place in the menu. */
		sortOrder: z.number().int().optional(),
		/** Absent leaves the recipe as it is; a list replaces it. */
		recipe: z.array(recipeItemInput).max(100).optional()
	})
	.superRefine((product, context) => {
		if (!product.baked) return;
		for (const field of ['unitsPerTray', 'bakeMinutes', 'bakeTempC'] as const) {
			if (product[field] === null) {
				context.addIssue({
					code: 'custom',
					path: [field],
					message: 'is needed for a baked product; fill it in or set baked to false'
				});
			}
		}
	});
export type ProductInput = z.infer<typeof productInput>;

export const ingredientInput = z.strictObject({
	code: code.transform((value) => value.toLowerCase()),
	name,
	unit: z.enum(INGREDIENT_UNITS, { error: `must be one of ${INGREDIENT_UNITS.join(', ')}` }),
	supplier: z.string().trim().max(80).default(''),
	leadDays: z
		.number({ error: 'must be a number of days' })
		.int('must be whole days')
		.min(0, 'cannot be negative')
		.max(90)
		.default(1)
});
export type IngredientInput = z.infer<typeof ingredientInput>;

export const ovenInput = z
	.strictObject({
		name,
		kind: z.string().trim().min(1).max(40).default('deck'),
		capacityTrays: positiveInt('trays', 100),
		minTempC: positiveInt('degrees', 500),
		maxTempC: positiveInt('degrees', 500),
		changeoverMinutes: minutes(240).default(15),
		active: z.boolean().default(true)
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

/** The whole week for both scopes: what is sent replaces what was there. */
export const hoursInput = z.strictObject({
	shop: z.array(interval).max(50),
	bakehouse: z.array(interval).max(50)
});
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
