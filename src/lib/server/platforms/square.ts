import { z } from 'zod';

import {
	MappingError,
	cleanEmail,
	cleanPhone,
	instantOf,
	lineNote,
	orderNote,
	personName,
	resolveSku,
	wholeQuantity,
	type IntakeBody,
	type MappingContext,
	type PaidOnPlatform,
	type PlatformOrder
} from './common';
import { readPayload } from './payload';

/**
 * Square. Its order webhooks carry only the order's id, state and version, so the order itself
 * is fetched (`GET /v2/orders/{id}`, see providers/square.ts) and mapped here from that answer.
 */

const money = z.object({ amount: z.number().int(), currency: z.string() }).nullish();

const recipient = z
	.object({
		display_name: z.string().nullish(),
		email_address: z.string().nullish(),
		phone_number: z.string().nullish(),
		address: z
			.object({
				address_line_1: z.string().nullish(),
				address_line_2: z.string().nullish(),
				locality: z.string().nullish(),
				postal_code: z.string().nullish()
			})
			.nullish()
	})
	.nullish();

const fulfillmentSchema = z.object({
	type: z.string(),
	state: z.string().nullish(),
	pickup_details: z
		.object({
			recipient,
			schedule_type: z.string().nullish(),
			pickup_at: z.string().nullish(),
			note: z.string().nullish()
		})
		.nullish(),
	delivery_details: z
		.object({
			recipient,
			schedule_type: z.string().nullish(),
			deliver_at: z.string().nullish(),
			note: z.string().nullish()
		})
		.nullish()
});

export const squareOrderSchema = z.object({
	id: z.string().min(1),
	version: z.number().int().nullish(),
	state: z.string().nullish(),
	reference_id: z.string().nullish(),
	line_items: z
		.array(
			z.object({
				name: z.string().nullish(),
				quantity: z.string(),
				catalog_object_id: z.string().nullish(),
				note: z.string().nullish(),
				modifiers: z
					.array(z.object({ name: z.string().nullish(), quantity: z.string().nullish() }))
					.nullish()
			})
		)
		.min(1),
	fulfillments: z.array(fulfillmentSchema).nullish(),
	total_money: money,
	/** What is still owed; 0 once the tenders cover the order. */
	net_amount_due_money: money,
	tenders: z.array(z.object({ amount_money: money })).nullish()
});

type SquareFulfillment = z.infer<typeof fulfillmentSchema>;

const eventSchema = z.object({
	event_id: z.string().min(1),
	type: z.string(),
	data: z.object({
		id: z.string().nullish(),
		object: z.record(
			z.string(),
			z.object({ order_id: z.string().nullish(), version: z.number().int().nullish() })
		)
	})
});

export interface SquareEnvelope {
	eventId: string;
	type: string;
	orderId: string | null;
	version: number | null;
}

/** What a Square webhook says: which order, at which version; the order itself is not in it. */
export function squareEnvelope(json: unknown): SquareEnvelope {
	const event = readPayload(eventSchema, json, 'Square event');
	const detail = Object.values(event.data.object)[0];
	return {
		eventId: event.event_id,
		type: event.type,
		orderId: detail?.order_id ?? event.data.id ?? null,
		version: detail?.version ?? null
	};
}

/** Maps the `order` of a Retrieve Order answer. */
export function mapSquareOrder(json: unknown, context: MappingContext): PlatformOrder {
	const order = readPayload(squareOrderSchema, json, 'Square order');
	const fulfillment = order.fulfillments?.find((entry) =>
		['PICKUP', 'DELIVERY', 'SHIPMENT'].includes(entry.type)
	);
	const details = fulfillment?.pickup_details ?? fulfillment?.delivery_details;
	const who = details?.recipient;

	const body: IntakeBody = {
		channel: 'square',
		externalId: order.id,
		customer: {
			name: personName([who?.display_name], `Square ${order.reference_id ?? 'customer'}`),
			email: cleanEmail(who?.email_address),
			phone: cleanPhone(who?.phone_number)
		},
		fulfillment: squareFulfillment(fulfillment),
		lines: order.line_items.map((item, index) => {
			const field = `line_items[${index}]`;
			const name = item.name ?? '';
			return {
				sku: resolveSku(
					{
						reference: item.catalog_object_id ? `square:${item.catalog_object_id}` : undefined,
						name,
						field
					},
					context
				),
				quantity: wholeQuantity(item.quantity, `${field}.quantity`),
				modifiers: (item.modifiers ?? [])
					.filter((modifier) => modifier.name)
					.slice(0, 10)
					.map((modifier) => modifierText(modifier.name!, modifier.quantity)),
				note: lineNote([item.note])
			};
		}),
		note: orderNote([details?.note])
	};

	// A cancelled pickup may leave the order itself OPEN in Square; either way nothing is collected.
	const cancelled = order.state === 'CANCELED' || fulfillment?.state === 'CANCELED';
	return {
		externalId: order.id,
		version: order.version ?? null,
		state: cancelled ? 'cancelled' : 'open',
		cancelReason: 'cancelled on Square',
		body,
		paid: squarePaid(order)
	};
}

function modifierText(name: string, quantity: string | null | undefined): string {
	const count = Number(quantity ?? '1');
	return (count > 1 ? `${count} × ${name}` : name).slice(0, 60);
}

/** ASAP (or no time at all) goes to intake as "the soonest"; a scheduled time is an instant. */
function squareFulfillment(fulfillment: SquareFulfillment | undefined): IntakeBody['fulfillment'] {
	if (!fulfillment || fulfillment.type === 'PICKUP') {
		const pickup = fulfillment?.pickup_details;
		const at = pickup?.schedule_type === 'ASAP' ? undefined : (pickup?.pickup_at ?? undefined);
		return { type: 'pickup', at: checkedInstant(at, 'pickup_details.pickup_at') };
	}

	const delivery = fulfillment.delivery_details;
	const place = delivery?.recipient?.address;
	if (!place?.address_line_1 || !place.locality || !place.postal_code) {
		throw new MappingError(
			`fulfillments.delivery_details.recipient.address: a ${fulfillment.type} order needs address_line_1, locality and postal_code`
		);
	}
	const at = delivery?.schedule_type === 'ASAP' ? undefined : (delivery?.deliver_at ?? undefined);
	return {
		type: 'delivery',
		at: checkedInstant(at, 'delivery_details.deliver_at'),
		address: {
			line1: place.address_line_1,
			line2: place.address_line_2 || undefined,
			city: place.locality,
			postcode: place.postal_code
		}
	};
}

function checkedInstant(text: string | undefined, field: string): string | undefined {
	if (text === undefined) return undefined;
	const instant = instantOf(text);
	if (instant === null) throw new MappingError(`${field}: ${JSON.stringify(text)} is not a time`);
	return new Date(instant).toISOString();
}

/**
 * Paid in Square when its tenders cover the total or Square says nothing is left due; an order
 * made for pickup and paid at the counter has neither.
 */
function squarePaid(order: z.infer<typeof squareOrderSchema>): PaidOnPlatform | null {
	const total = order.total_money?.amount;
	if (total === undefined || total <= 0) return null;
	const tendered = (order.tenders ?? []).reduce(
		(sum, tender) => sum + (tender.amount_money?.amount ?? 0),
		0
	);
	const due = order.net_amount_due_money?.amount;
	const currency = order.total_money?.currency ?? null;
	if (tendered >= total || due === 0) return { amountMinor: total, currency };
	// Some paid in Square, the rest at the counter: staff are told what was paid already.
	return tendered > 0 ? { amountMinor: tendered, currency, partial: true } : null;
}
