import { z } from 'zod';

import {
	MappingError,
	cleanEmail,
	cleanPhone,
	instantOf,
	lineNote,
	minorUnits,
	orderNote,
	parseDateOnly,
	personName,
	rangeStart,
	resolveSku,
	visibleModifiers,
	wallTime,
	wholeQuantity,
	type IntakeBody,
	type MappingContext,
	type PlatformOrder
} from './common';
import { readPayload } from './payload';

/**
 * Shopify order webhooks (`orders/create`, `orders/updated`, `orders/cancelled`): the body is the
 * order itself, the same JSON as the Admin REST order (which the API wraps in `{ order }`; both
 * are read). Pickup and delivery dates come from a date app's order note attributes.
 */

/**
 * Money taken or held by Shopify: "authorized" is captured from Shopify's side (on fulfilment or
 * by hand there), so the counter must not charge the card again.
 */
const PAID = ['paid', 'authorized', 'partially_refunded'];

const pair = z.object({
	name: z.string(),
	value: z
		.union([z.string(), z.number(), z.boolean(), z.null()])
		.transform((value) => (value === null ? '' : String(value)))
});

const address = z
	.object({
		address1: z.string().nullish(),
		address2: z.string().nullish(),
		city: z.string().nullish(),
		zip: z.string().nullish(),
		name: z.string().nullish(),
		phone: z.string().nullish()
	})
	.nullish();

const orderSchema = z.object({
	id: z.union([z.number(), z.string()]),
	name: z.string().nullish(),
	email: z.string().nullish(),
	phone: z.string().nullish(),
	note: z.string().nullish(),
	updated_at: z.string().nullish(),
	cancelled_at: z.string().nullish(),
	cancel_reason: z.string().nullish(),
	total_price: z.string().nullish(),
	currency: z.string().nullish(),
	financial_status: z.string().nullish(),
	note_attributes: z.array(pair).default([]),
	line_items: z
		.array(
			z.object({
				sku: z.string().nullish(),
				variant_id: z.union([z.number(), z.string()]).nullish(),
				title: z.string(),
				name: z.string().nullish(),
				quantity: z.number(),
				properties: z.array(pair).nullish()
			})
		)
		.min(1),
	customer: z
		.object({
			first_name: z.string().nullish(),
			last_name: z.string().nullish(),
			email: z.string().nullish(),
			phone: z.string().nullish()
		})
		.nullish(),
	billing_address: address,
	shipping_address: address
});

type ShopifyOrder = z.infer<typeof orderSchema>;

const envelopeSchema = orderSchema.pick({ id: true, updated_at: true });

/**
 * The order's id and update time, read before the delivery is stored. Only these: an order
 * that is wrong elsewhere is still stored, and refused after with its reason where staff see it;
 * answering Shopify 400 would have it retry and then turn the webhook off.
 */
export function shopifyEnvelope(json: unknown): { orderId: string; version: number | null } {
	const order = readPayload(envelopeSchema, unwrap(json), 'Shopify order');
	return { orderId: String(order.id), version: instantOf(order.updated_at) };
}

export function mapShopifyOrder(json: unknown, context: MappingContext): PlatformOrder {
	const order = readPayload(orderSchema, unwrap(json), 'Shopify order');
	const attributes = new Map(order.note_attributes.map((entry) => [entry.name, entry.value]));
	const fulfillment = shopifyFulfillment(order, attributes, context);

	const body: IntakeBody = {
		channel: 'shopify',
		externalId: String(order.id),
		customer: {
			name: personName(
				[order.customer?.first_name, order.customer?.last_name],
				personName([order.billing_address?.name], `Shopify ${order.name ?? order.id}`)
			),
			email: cleanEmail(order.email ?? order.customer?.email),
			phone: cleanPhone(order.phone ?? order.customer?.phone ?? order.billing_address?.phone)
		},
		fulfillment,
		lines: order.line_items.map((item, index) => {
			const field = `line_items[${index}]`;
			const { modifiers, overflow } = visibleModifiers(item.properties ?? []);
			return {
				sku: resolveSku(
					{
						sku: item.sku,
						reference: item.variant_id == null ? undefined : `shopify:${item.variant_id}`,
						name: item.name ?? item.title,
						field
					},
					context
				),
				quantity: wholeQuantity(item.quantity, `${field}.quantity`),
				modifiers,
				note: lineNote(overflow)
			};
		}),
		note: orderNote([order.note, ...otherAttributes(order.note_attributes, context)])
	};

	const price = minorUnits(order.total_price);
	return {
		externalId: body.externalId,
		version: instantOf(order.updated_at),
		state: order.cancelled_at ? 'cancelled' : 'open',
		refunded: ['refunded', 'voided'].includes(order.financial_status ?? ''),
		cancelReason: order.cancelled_at
			? `cancelled on Shopify${order.cancel_reason ? ` (${order.cancel_reason})` : ''}`
			: '',
		body,
		paid:
			price !== null && PAID.includes(order.financial_status ?? '')
				? { amountMinor: price, currency: order.currency ?? null }
				: null
	};
}

function unwrap(json: unknown): unknown {
	const wrapped = json as { order?: unknown } | null;
	return wrapped && typeof wrapped === 'object' && 'order' in wrapped ? wrapped.order : json;
}

/**
 * Pickup or delivery, and when, from the date app's attributes: a date without a zone is a day on
 * the shop's own calendar, and a time (or the start of a delivery window) is shop wall time, so
 * both go to intake as wall time and are read in the shop's zone there. No date: the soonest.
 */
function shopifyFulfillment(
	order: ShopifyOrder,
	attributes: Map<string, string>,
	context: MappingContext
): IntakeBody['fulfillment'] {
	const names = context.shopifyAttributes;
	const method = attributes.get(names.method)?.trim().toLowerCase();
	const delivery = method === 'delivery' || method === 'shipping';
	// Zapiet writes pickup, delivery or shipping; anything else is not guessed at.
	if (method !== undefined && method !== '' && !delivery && method !== 'pickup') {
		throw new MappingError(
			`note_attributes: ${names.method} is ${JSON.stringify(attributes.get(names.method))}; expected pickup, delivery or shipping (or set the attribute names on /admin/platforms)`
		);
	}
	const dateName = delivery ? names.deliveryDate : names.pickupDate;
	const timeName = delivery ? names.deliveryTime : names.pickupTime;

	const at = readWallTime(attributes, dateName, timeName);
	if (!delivery) return { type: 'pickup', at };

	const ship = order.shipping_address;
	if (!ship?.address1 || !ship.city || !ship.zip) {
		throw new MappingError(
			`shipping_address: a ${method} order needs address1, city and zip; the order has ${ship ? 'an incomplete address' : 'none'}`
		);
	}
	const address = {
		line1: ship.address1,
		line2: ship.address2 || undefined,
		city: ship.city,
		postcode: ship.zip
	};
	return { type: 'delivery', at, address };
}

function readWallTime(
	attributes: Map<string, string>,
	dateName: string,
	timeName: string
): string | undefined {
	const dateText = attributes.get(dateName);
	if (dateText === undefined) return undefined;
	const date = parseDateOnly(dateText);
	if (!date) {
		throw new MappingError(
			`note_attributes "${dateName}": ${JSON.stringify(dateText)} is not a date such as 2026-06-14`
		);
	}

	const timeText = attributes.get(timeName);
	if (timeText === undefined) {
		throw new MappingError(
			`note_attributes "${timeName}": missing beside "${dateName}"; the date app must send the time too`
		);
	}
	const minute = rangeStart(timeText);
	if (minute === null) {
		throw new MappingError(
			`note_attributes "${timeName}": ${JSON.stringify(timeText)} is not a time such as 13:00 or 1:00 PM`
		);
	}
	return wallTime(date, minute);
}

/** Attributes staff should read (a cake's inscription), not the ones that carried the time. */
function otherAttributes(
	pairs: { name: string; value: string }[],
	context: MappingContext
): string[] {
	const used = new Set(Object.values(context.shopifyAttributes));
	return pairs
		.filter((entry) => !used.has(entry.name) && !entry.name.startsWith('_'))
		.filter((entry) => !/^(Pickup|Delivery)-Location/i.test(entry.name))
		.map((entry) => `${entry.name}: ${entry.value}`);
}
