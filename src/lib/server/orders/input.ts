import { z } from 'zod';

import { CHANNELS, FULFILLMENT_TYPES } from '../../domain/order';

import { FractionLiteral } from '../http';

export const MAX_LINE_QUANTITY = 500;
export const MAX_NAME_LENGTH = 120;

function describe(value: unknown): string {
	if (value instanceof FractionLiteral) return value.text;
	if (typeof value === 'string')
		return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
	if (value === null) return 'null';
	if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'an object';
	return String(value);
}

/** A count of items: a JSON whole number from 1 to the line maximum, with a message for each miss. */
const quantity = z
	.unknown()
	.transform((value, ctx) => {
		const fail = (message: string) => {
			ctx.addIssue({ code: 'custom', message });
			return z.NEVER;
		};
		if (value === undefined) {
			return fail(`is missing; say how many, a whole number from 1 to ${MAX_LINE_QUANTITY}`);
		}
		if (value instanceof FractionLiteral) {
			const number = Number(value.text);
			return Number.isSafeInteger(number)
				? fail(
						`must be a whole number without a decimal point (got ${value.text}); send it as ${number}`
					)
				: fail(`must be a whole number (got ${value.text})`);
		}
		if (typeof value === 'string') {
			return /^\s*\d+\s*$/.test(value)
				? fail(
						`must be a JSON number, not text (got ${describe(value)}); send ${value.trim()} without quotes`
					)
				: fail(`must be a whole number such as 2 (got ${describe(value)})`);
		}
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			return fail(`must be a whole number such as 2 (got ${describe(value)})`);
		}
		if (!Number.isInteger(value)) return fail(`must be a whole number (got ${value})`);
		if (value < 1) return fail(`must be at least 1 (got ${value}); leave the line out instead`);
		if (value > MAX_LINE_QUANTITY) {
			return fail(
				`must be at most ${MAX_LINE_QUANTITY} on one line (got ${value}); call the shop for a larger order`
			);
		}
		return value;
	})
	.meta({
		// What the checks above accept, for the OpenAPI description.
		type: 'integer',
		minimum: 1,
		maximum: MAX_LINE_QUANTITY
	});

/** Trimmed text with a length limit whose message gives the length that came in. */
function text(label: string, max: number, { required = false } = {}) {
	const base = z.string({ error: `must be text (${label})` }).trim();
	const limited = base.refine((value) => value.length <= max, {
		error: (issue) => `is ${String(issue.input).length} characters long; keep it to ${max} or fewer`
	});
	const checked = required
		? limited.refine((value) => value.length > 0, `is empty; give ${label}`)
		: limited;
	return checked.meta({ maxLength: max, ...(required ? { minLength: 1 } : {}) });
}

const PHONE = /^\+?[0-9][0-9 ()-]{5,19}$/;

/** Control and zero-width characters, which print as nothing on a ticket. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/** A field that may be left out; null counts as left out, as many clients send it. */
const absent = <T extends z.ZodType>(schema: T) =>
	z.preprocess((value) => (value === null ? undefined : value), schema.optional());

const customer = z.strictObject(
	{
		name: text("the customer's name", MAX_NAME_LENGTH, { required: true })
			.transform((value) => value.replace(INVISIBLE, '').trim())
			.refine(
				(value) => /[\p{L}\p{N}]/u.test(value),
				'must contain letters or digits, such as Ana Ruiz'
			),
		email: absent(
			z
				.email({ error: 'must be an e-mail address such as ana@example.com' })
				.max(254, 'must be 254 characters or fewer')
		),
		phone: absent(
			z
				.string({ error: 'must be text, a phone number such as +44 7700 900123' })
				.trim()
				.regex(PHONE, 'must be a phone number such as +44 7700 900123')
		)
	},
	{ error: 'must be an object with the name, and an email or phone' }
);

const address = z.strictObject(
	{
		line1: text('the street and number', 120, { required: true }),
		line2: text('the flat or building', 120).optional(),
		city: text('the town or city', 80, { required: true }),
		postcode: text('the postcode', 16, { required: true })
	},
	{ error: 'must be an object with line1, city and postcode' }
);

const fulfillment = z
	.strictObject(
		{
			type: z.enum(FULFILLMENT_TYPES, { error: 'must be "pickup" or "delivery"' }),
			at: z
				.string({ error: 'must be an ISO-8601 time text such as "2024-06-14T12:00"' })
				.max(40, 'must be an ISO-8601 time such as "2024-06-14T12:00"')
				.optional(),
			address: address.optional()
		},
		{ error: 'must be an object with type ("pickup" or "delivery") and at (a time)' }
	)
	.superRefine((value, ctx) => {
		if (value.type === 'delivery' && !value.address) {
			ctx.addIssue({
				code: 'custom',
				path: ['address'],
				message: 'is required for delivery; give line1, city and postcode'
			});
		}
		if (value.type === 'pickup' && value.address) {
			ctx.addIssue({
				code: 'custom',
				path: ['address'],
				message: 'is only for delivery; leave it out for a pickup order'
			});
		}
	});

const line = z.strictObject(
	{
		sku: z
			.string({ error: 'must be a product code (text) from GET /api/products' })
			.trim()
			.min(1, 'is empty; give a product code from GET /api/products')
			.max(64, 'is too long for a product code'),
		quantity,
		modifiers: z
			.array(text('a modifier', 60, { required: true }), {
				error: 'must be a list of texts such as ["well done"]'
			})
			.max(10, 'may hold at most 10 modifiers')
			.default([]),
		note: text('a note for this item', 200).default('')
	},
	{ error: 'must be an object with sku and quantity' }
);

export const orderInput = z.strictObject(
	{
		customer,
		fulfillment,
		lines: z
			.array(line, { error: 'must be a list of items, each with sku and quantity' })
			.min(1, 'is empty; an order needs at least one item')
			.max(100, 'may hold at most 100 lines'),
		note: text('a note for the order', 500).default(''),
		/** A card to hold the total on now and charge at handover; left out, they pay at pickup. */
		payment: z
			.strictObject(
				{
					method: z.literal('card', { error: 'must be "card"; cash is paid at the counter' }),
					token: z
						.string({ error: 'must be the card token from the payment form, such as pm_…' })
						.trim()
						.min(1, 'is empty; give the token from the payment form')
						.max(255, 'is too long for a card token')
				},
				{ error: 'must be an object such as {"method": "card", "token": "pm_…"}' }
			)
			.optional(),
		/** Which of the customer's contact details to send notices to; left out, all of them. */
		notify: z
			.array(z.enum(['email', 'sms'], { error: 'must be "email" or "sms"' }), {
				error: 'must be a list such as ["email"] or ["sms"], or [] for no notices'
			})
			.max(2)
			.optional(),
		channel: z.enum(CHANNELS, { error: `must be one of ${CHANNELS.join(', ')}` }).default('online'),
		externalId: text("the platform's order id", 128).optional(),
		/** The client's own clock when the customer pressed "order"; kept, never trusted. */
		clientPlacedAt: text('the time on the ordering device', 40).optional()
	},
	{ error: 'must be a JSON object with customer, fulfillment and lines' }
);

export type OrderInput = z.infer<typeof orderInput>;

export const idempotencyKey = z
	.string()
	.regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable characters without spaces');
