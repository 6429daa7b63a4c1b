import { z } from 'zod';

import {
	MappingError,
	cleanEmail,
	cleanPhone,
	instantOf,
	instantText,
	lineNote,
	minorUnits,
	orderNote,
	parseDateOnly,
	personName,
	rangeStart,
	resolveSku,
	shopDate,
	visibleModifiers,
	wallTime,
	wholeQuantity,
	type IntakeBody,
	type MappingContext,
	type PlatformOrder
} from './common';
import { readPayload } from './payload';

/**
 * WooCommerce order webhooks: the body is the REST v3 order. Its `date_*` fields without `_gmt`
 * are site-local with no offset, so only the `_gmt` ones are read as instants. Delivery dates
 * live in the order's `meta_data`, under keys that depend on the date plugin.
 */

const meta = z.object({
	key: z.string(),
	value: z.unknown().optional(),
	display_key: z.string().nullish(),
	display_value: z.unknown().optional()
});

const orderSchema = z.object({
	id: z.union([z.number(), z.string()]),
	number: z.union([z.number(), z.string()]).nullish(),
	status: z.string(),
	date_created_gmt: z.string().nullish(),
	date_modified_gmt: z.string().nullish(),
	total: z.string().nullish(),
	currency: z.string().nullish(),
	/** Set once the gateway took the money; a pay-at-pickup gateway (cash, "cod") leaves it null. */
	date_paid_gmt: z.string().nullish(),
	customer_note: z.string().nullish(),
	billing: z
		.object({
			first_name: z.string().nullish(),
			last_name: z.string().nullish(),
			email: z.string().nullish(),
			phone: z.string().nullish()
		})
		.nullish(),
	shipping: z
		.object({
			address_1: z.string().nullish(),
			address_2: z.string().nullish(),
			city: z.string().nullish(),
			postcode: z.string().nullish()
		})
		.nullish(),
	shipping_lines: z.array(z.object({ method_id: z.string().nullish() })).default([]),
	meta_data: z.array(meta).default([]),
	line_items: z
		.array(
			z.object({
				name: z.string(),
				product_id: z.union([z.number(), z.string()]).nullish(),
				variation_id: z.union([z.number(), z.string()]).nullish(),
				quantity: z.number(),
				sku: z.string().nullish(),
				meta_data: z.array(meta).default([])
			})
		)
		.min(1)
});

type WooOrder = z.infer<typeof orderSchema>;

/** Cancelled on the shop's side: ours is cancelled too. */
const CANCELLED = ['cancelled', 'refunded', 'failed', 'trash'];
/** Not paid yet: nothing to bake until an update says it is processing. */
const WAITING = ['pending', 'checkout-draft'];

/** Shipping methods that mean the customer collects. */
const PICKUP_METHODS = ['local_pickup', 'local_pickup_plus', 'pickup_location'];

/** Keys of delivery date plugins holding a Unix time in seconds, as text. */
const TIMESTAMP_KEYS = ['_orddd_timestamp', '_orddd_lite_timestamp', '_local_pickup_time_select'];
/** Keys holding a date without a zone. */
const DATE_KEYS = ['_delivery_date', 'jckwds_date', 'ywcdd_order_delivery_date'];
/** The time slot Order Delivery Date writes beside its date, `10:00 AM - 12:00 PM`. */
const SLOT_KEY = '_orddd_time_slot';

/** Without a time, a delivery date is taken at noon on that day (and the note says so). */
const NOON = 12 * 60;

export function wooEnvelope(json: unknown): { orderId: string; version: number | null } {
	// Only what identifies the order: one wrong elsewhere is stored, then refused where staff see it.
	const order = readPayload(
		orderSchema.pick({ id: true, date_modified_gmt: true }),
		json,
		'WooCommerce order'
	);
	return { orderId: String(order.id), version: gmtInstant(order.date_modified_gmt) };
}

export function mapWooOrder(json: unknown, context: MappingContext): PlatformOrder {
	const order = readPayload(orderSchema, json, 'WooCommerce order');
	const when = wooTime(order.meta_data, context.zone);
	const billing = order.billing;

	const body: IntakeBody = {
		channel: 'woocommerce',
		externalId: String(order.id),
		customer: {
			name: personName(
				[billing?.first_name, billing?.last_name],
				`WooCommerce #${order.number ?? order.id}`
			),
			email: cleanEmail(billing?.email),
			phone: cleanPhone(billing?.phone)
		},
		fulfillment: wooFulfillment(order, when.at),
		lines: order.line_items.map((item, index) => {
			const field = `line_items[${index}]`;
			const product = item.variation_id ? item.variation_id : item.product_id;
			const { modifiers, overflow } = visibleModifiers(item.meta_data.map(metaPair));
			return {
				sku: resolveSku(
					{
						sku: item.sku,
						reference: product ? `woocommerce:${product}` : undefined,
						name: item.name,
						field
					},
					context
				),
				quantity: wholeQuantity(item.quantity, `${field}.quantity`),
				modifiers,
				note: lineNote(overflow)
			};
		}),
		note: orderNote([order.customer_note, when.remark])
	};

	const total = minorUnits(order.total);
	return {
		externalId: body.externalId,
		version: gmtInstant(order.date_modified_gmt),
		state: CANCELLED.includes(order.status)
			? 'cancelled'
			: WAITING.includes(order.status)
				? 'waiting'
				: 'open',
		cancelReason: `${order.status} on WooCommerce`,
		refunded: order.status === 'refunded',
		body,
		paid:
			total !== null && order.date_paid_gmt
				? { amountMinor: total, currency: order.currency ?? null }
				: null
	};
}

/** `2017-03-22T19:28:02` in a `_gmt` field is UTC without saying so. */
function gmtInstant(text: string | null | undefined): number | null {
	return text ? instantOf(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`) : null;
}

function metaPair(entry: z.infer<typeof meta>): { name: string; value: string } {
	const name = entry.key.startsWith('_') ? entry.key : (entry.display_key ?? entry.key);
	const value = entry.display_value ?? entry.value;
	const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
	// Attribute taxonomies arrive as `pa_color`; staff read "color".
	return { name: name.replace(/^pa_/, ''), value: text };
}

function metaValue(entries: z.infer<typeof meta>[], key: string): string | undefined {
	const value = entries.find((entry) => entry.key === key)?.value;
	return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined;
}

/**
 * When the customer wants the order, from whichever date plugin wrote it. A timestamp plugin
 * stores the day as a Unix time; its slot, when there is one, gives the time on that shop day.
 */
function wooTime(
	entries: z.infer<typeof meta>[],
	zone: string
): { at: string | undefined; remark?: string } {
	const slot = metaValue(entries, SLOT_KEY);
	const slotStart = slot ? rangeStart(slot) : null;

	for (const key of TIMESTAMP_KEYS) {
		const value = metaValue(entries, key);
		if (!value) continue;
		if (!/^\d{9,11}$/.test(value)) {
			throw new MappingError(`meta_data "${key}": ${JSON.stringify(value)} is not a Unix time`);
		}
		const instant = Number(value) * 1000;
		if (slotStart === null || key === '_local_pickup_time_select') {
			return { at: instantText(instant) };
		}
		return { at: wallTime(shopDate(instant, zone), slotStart) };
	}

	for (const key of DATE_KEYS) {
		const value = metaValue(entries, key);
		if (!value) continue;
		const date = parseDateOnly(value);
		if (!date) {
			throw new MappingError(
				`meta_data "${key}": ${JSON.stringify(value)} is not a date such as 2026-06-14`
			);
		}
		if (slotStart !== null) return { at: wallTime(date, slotStart) };
		return { at: wallTime(date, NOON), remark: `Date only from the shop (${date}): noon assumed` };
	}
	return { at: undefined };
}

function wooFulfillment(order: WooOrder, at: string | undefined): IntakeBody['fulfillment'] {
	const pickup = order.shipping_lines.some((line) => PICKUP_METHODS.includes(line.method_id ?? ''));
	const ship = order.shipping;
	if (pickup || order.shipping_lines.length === 0) return { type: 'pickup', at };
	if (!ship?.address_1 || !ship.city || !ship.postcode) {
		throw new MappingError('shipping: a delivery order needs address_1, city and postcode');
	}
	return {
		type: 'delivery',
		at,
		address: {
			line1: ship.address_1,
			line2: ship.address_2 || undefined,
			city: ship.city,
			postcode: ship.postcode
		}
	};
}
