import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
	MappingError,
	parseClockTime,
	rangeStart,
	type MappingContext
} from '../../../src/lib/server/platforms/common';
import { mapShopifyOrder } from '../../../src/lib/server/platforms/shopify';
import { mapSquareOrder, squareEnvelope } from '../../../src/lib/server/platforms/square';
import { mapWooOrder } from '../../../src/lib/server/platforms/woocommerce';
import { shopifyAttributesSchema } from '../../../src/lib/server/settings';

/** The platforms' own example payloads, shared by the project (see CONVENTIONS.md there). */
const PAYLOADS = path.resolve('../shared/data/payloads');
/** The payloads live beside the project, not in it; without them these tests say so and skip. */
const withPayloads = describe.skipIf(!fs.existsSync(PAYLOADS));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are edited loosely
const payload = (name: string): any =>
	JSON.parse(fs.readFileSync(path.join(PAYLOADS, name), 'utf8'));

const context = (extra: Partial<MappingContext> = {}): MappingContext => ({
	zone: 'Europe/London',
	catalogue: [
		{ sku: 'IPOD2008GREEN', name: 'Green' },
		{ sku: 'IPOD2008RED', name: 'Red' },
		{ sku: 'IPOD2008BLACK', name: 'Black' },
		{ sku: 'BREAD', name: 'Item 1' },
		{ sku: 'CROISSANT', name: 'Item 2' },
		{ sku: 'Bar3', name: 'Ship Your Idea' }
	],
	itemSkus: {},
	shopifyAttributes: shopifyAttributesSchema.parse({}),
	...extra
});

withPayloads('Shopify orders', () => {
	it('maps the example order: lines by SKU, properties as modifiers, attributes in the note', () => {
		const mapped = mapShopifyOrder(payload('shopify_order_fixture.json'), context());
		expect(mapped).toEqual({
			externalId: '450789469',
			version: Date.parse('2008-01-10T11:00:00-05:00'),
			state: 'open',
			cancelReason: '',
			// Authorised on Shopify, which captures it: nothing to take at the counter.
			paid: { amountMinor: 40994, currency: 'USD' },
			refunded: false,
			body: {
				channel: 'shopify',
				externalId: '450789469',
				customer: { name: 'Bob Norman', email: 'bob.norman@hostmail.com', phone: '5556251199' },
				fulfillment: { type: 'pickup', at: undefined },
				lines: [
					{
						sku: 'IPOD2008GREEN',
						quantity: 1,
						modifiers: ['Custom Engraving: Happy Birthday'],
						note: ''
					},
					{ sku: 'IPOD2008RED', quantity: 1, modifiers: [], note: '' },
					{ sku: 'IPOD2008BLACK', quantity: 1, modifiers: [], note: '' }
				],
				note: 'custom engraving: Happy Birthday\ncolour: green'
			}
		});
	});

	it('reads a Zapiet pickup date and a 12-hour time as shop wall time, hiding _ properties', () => {
		const order = payload('shopify_order_fixture.json').order;
		order.note = 'Ring the bell';
		order.note_attributes = [
			{ name: 'Checkout-Method', value: 'pickup' },
			{ name: 'Pickup-Location-Id', value: '1002' },
			{ name: 'Pickup-Date', value: '2026-06-14' },
			{ name: 'Pickup-Time', value: '1:00 PM' }
		];
		order.line_items[0].properties.push({ name: '_ZapietId', value: 'M=P&L=1002' });

		const mapped = mapShopifyOrder(order, context());
		expect(mapped.body.fulfillment).toEqual({ type: 'pickup', at: '2026-06-14T13:00' });
		expect(mapped.body.lines[0]!.modifiers).toEqual(['Custom Engraving: Happy Birthday']);
		expect(mapped.body.note).toBe('Ring the bell');
	});

	it('takes the start of a delivery window and the shipping address', () => {
		const order = payload('shopify_order_fixture.json').order;
		order.note_attributes = [
			{ name: 'Checkout-Method', value: 'delivery' },
			{ name: 'Delivery-Date', value: '2026-06-14' },
			{ name: 'Delivery-Time', value: '1:00 PM - 2:00PM' }
		];
		expect(mapShopifyOrder(order, context()).body.fulfillment).toEqual({
			type: 'delivery',
			at: '2026-06-14T13:00',
			address: {
				line1: 'Chestnut Street 92',
				line2: undefined,
				city: 'Louisville',
				postcode: '40202'
			}
		});
	});

	it('reads the attribute names the shop set for another date app', () => {
		const order = payload('shopify_order_fixture.json').order;
		order.note_attributes = [
			{ name: 'Pickup Date', value: '2026/06/14' },
			{ name: 'Pickup Time Slot', value: '09:30 - 10:00' }
		];
		const names = shopifyAttributesSchema.parse({
			pickupDate: 'Pickup Date',
			pickupTime: 'Pickup Time Slot'
		});
		const mapped = mapShopifyOrder(order, context({ shopifyAttributes: names }));
		expect(mapped.body.fulfillment.at).toBe('2026-06-14T09:30');
	});

	it('refuses an item not on the menu, naming it, rather than dropping it', () => {
		const order = payload('shopify_order_fixture.json').order;
		order.line_items[1].sku = 'WEDDING-CAKE';
		order.line_items[1].name = 'Wedding cake';
		expect(() => mapShopifyOrder(order, context())).toThrow(
			new MappingError(
				'line_items[1]: "Wedding cake" (SKU "WEDDING-CAKE") is not on our menu; give it one of our SKUs on the platform or map shopify:49148385 in the platformItemSkus setting'
			)
		);
	});

	it('refuses a checkout method it does not know rather than guessing pickup', () => {
		const { order } = payload('shopify_order_fixture.json');
		order.note_attributes = [{ name: 'Checkout-Method', value: 'teleport' }];
		expect(() => mapShopifyOrder(order, context())).toThrow(
			/Checkout-Method is "teleport"; expected pickup, delivery or shipping/
		);
	});

	it('leaves an order still to pay at the counter when Shopify has not been paid', () => {
		for (const status of ['pending', 'partially_paid', 'voided', undefined]) {
			const { order } = payload('shopify_order_fixture.json');
			order.financial_status = status;
			expect([status, mapShopifyOrder(order, context()).paid]).toEqual([status, null]);
		}
		const { order } = payload('shopify_order_fixture.json');
		order.financial_status = 'paid';
		order.total_price = '12.30';
		expect(mapShopifyOrder(order, context()).paid).toEqual({ amountMinor: 1230, currency: 'USD' });
	});

	it('says when a cancellation gave the money back', () => {
		for (const [status, refunded] of [
			['refunded', true],
			['voided', true],
			['paid', false]
		] as const) {
			const { order } = payload('shopify_order_fixture.json');
			Object.assign(order, { financial_status: status, cancelled_at: '2008-01-10T12:00:00-05:00' });
			expect([status, mapShopifyOrder(order, context()).refunded]).toEqual([status, refunded]);
		}
	});

	it('marks a cancelled order', () => {
		const order = payload('shopify_order_fixture.json').order;
		order.cancelled_at = '2008-01-10T12:00:00-05:00';
		order.cancel_reason = 'customer';
		const mapped = mapShopifyOrder(order, context());
		expect([mapped.state, mapped.cancelReason]).toEqual([
			'cancelled',
			'cancelled on Shopify (customer)'
		]);
	});
});

withPayloads('Square orders', () => {
	it('maps the Retrieve Order example: string quantities, names, money in minor units', () => {
		const { order } = payload('square_retrieve_order_response_example.json');
		const mapped = mapSquareOrder(order, context());
		expect(mapped).toMatchObject({
			externalId: 'CAISENgvlJ6jLWAzERDzjyHVybY',
			version: 1,
			state: 'open',
			// Made through the API with no tender yet: paid when collected.
			paid: null,
			body: {
				channel: 'square',
				fulfillment: { type: 'pickup', at: undefined },
				lines: [
					{ sku: 'BREAD', quantity: 1, modifiers: [], note: 'note4' },
					{ sku: 'CROISSANT', quantity: 2, modifiers: [], note: 'note4' }
				]
			}
		});
	});

	it('reads a scheduled pickup, its recipient, note and modifiers', () => {
		const { order } = payload('square_retrieve_order_response_example.json');
		order.line_items[1].modifiers = [
			{ name: 'Warmed', quantity: '1' },
			{ name: 'Jam', quantity: '2' }
		];
		order.fulfillments = [
			{
				type: 'PICKUP',
				state: 'PROPOSED',
				pickup_details: {
					recipient: { display_name: 'Ana Ruiz', phone_number: '+44 7700 900123' },
					schedule_type: 'SCHEDULED',
					pickup_at: '2026-06-14T11:00:00Z',
					note: 'Birthday, candles please'
				}
			}
		];
		const mapped = mapSquareOrder(order, context());
		expect(mapped.body.customer).toEqual({
			name: 'Ana Ruiz',
			email: undefined,
			phone: '+447700900123'
		});
		expect(mapped.body.fulfillment).toEqual({ type: 'pickup', at: '2026-06-14T11:00:00.000Z' });
		expect(mapped.body.note).toBe('Birthday, candles please');
		expect(mapped.body.lines[1]!.modifiers).toEqual(['Warmed', '2 × Jam']);
	});

	it('takes ASAP as the soonest, a mapped catalog id before the name, and CANCELED', () => {
		const { order } = payload('square_retrieve_order_response_example.json');
		order.state = 'CANCELED';
		order.fulfillments = [
			{
				type: 'PICKUP',
				pickup_details: { schedule_type: 'ASAP', pickup_at: '2026-06-14T11:00:00Z' }
			}
		];
		const mapped = mapSquareOrder(
			order,
			context({ itemSkus: { 'square:catalog_object_id2': 'Bar3' } })
		);
		expect(mapped.state).toBe('cancelled');
		expect(mapped.body.fulfillment.at).toBeUndefined();
		expect(mapped.body.lines.map((line) => line.sku)).toEqual(['Bar3', 'Bar3']);
	});

	it('counts an order paid when its tenders cover it or nothing is left due', () => {
		const { order } = payload('square_retrieve_order_response_example.json');
		const tender = (amount: number) => ({ amount_money: { amount, currency: 'USD' } });
		// Part paid in Square: what was paid, marked as part.
		expect(mapSquareOrder({ ...order, tenders: [tender(100)] }, context()).paid).toEqual({
			amountMinor: 100,
			currency: 'USD',
			partial: true
		});
		expect(
			mapSquareOrder({ ...order, tenders: [tender(300), tender(250)] }, context()).paid
		).toEqual({ amountMinor: 550, currency: 'USD' });
		expect(
			mapSquareOrder({ ...order, net_amount_due_money: { amount: 0, currency: 'USD' } }, context())
				.paid
		).toEqual({ amountMinor: 550, currency: 'USD' });
		expect(
			mapSquareOrder(
				{ ...order, net_amount_due_money: { amount: 550, currency: 'USD' } },
				context()
			).paid
		).toBeNull();
	});

	it('refuses a part of an item', () => {
		const { order } = payload('square_retrieve_order_response_example.json');
		order.line_items[0].quantity = '1.5';
		expect(() => mapSquareOrder(order, context())).toThrow(/line_items\[0\]\.quantity: "1.5"/);
	});

	it('reads the order id and version from each webhook example', () => {
		const events = payload('square_webhook_order_events_examples.json') as unknown[];
		expect(events.map((event) => squareEnvelope(event))).toEqual([
			{
				eventId: '116038d3-2948-439f-8679-fc86dbf80f69',
				type: 'order.created',
				orderId: 'eA3vssLHKJrv9H0IdJCM3gNqfdcZY',
				version: 1
			},
			{
				eventId: '4b8e5c91-9f17-4cf1-900a-4a0629f81add',
				type: 'order.updated',
				orderId: 'eA3vssLHKJrv9H0IdJCM3gNqfdcZY',
				version: 2
			},
			{
				eventId: 'b3adf364-4937-436e-a833-49c72b4baee8',
				type: 'order.fulfillment.updated',
				orderId: 'eA3vssLHKJrv9H0IdJCM3gNqfdcZY',
				version: 6
			}
		]);
	});
});

withPayloads('WooCommerce orders', () => {
	const mapped = (edit: (order: ReturnType<typeof payload>) => void = () => {}) => {
		const order = payload('woocommerce_order_v3_example.json');
		edit(order);
		return mapWooOrder(order, context({ itemSkus: { 'woocommerce:93': 'BREAD' } }));
	};

	it('maps the example order: meta as modifiers, billing as customer, shipping as delivery', () => {
		expect(mapped()).toEqual({
			externalId: '727',
			version: Date.parse('2017-03-22T19:28:08Z'),
			state: 'open',
			cancelReason: 'processing on WooCommerce',
			paid: { amountMinor: 2935, currency: 'USD' },
			refunded: false,
			body: {
				channel: 'woocommerce',
				externalId: '727',
				customer: { name: 'John Doe', email: 'john.doe@example.com', phone: '5555555555' },
				fulfillment: {
					type: 'delivery',
					at: undefined,
					address: {
						line1: '969 Market',
						line2: undefined,
						city: 'San Francisco',
						postcode: '94103'
					}
				},
				lines: [
					{ sku: 'BREAD', quantity: 2, modifiers: [], note: '' },
					{ sku: 'Bar3', quantity: 1, modifiers: ['color: black', 'size: M Test'], note: '' }
				],
				note: ''
			}
		});
	});

	it('reads Order Delivery Date: the timestamp gives the shop day, the slot the time', () => {
		const result = mapped((order) => {
			order.shipping_lines = [{ method_id: 'local_pickup' }];
			// 2026-06-13T23:30Z is already 14 June in London (BST).
			order.meta_data.push({
				key: '_orddd_timestamp',
				value: String(Date.parse('2026-06-13T23:30:00Z') / 1000)
			});
			order.meta_data.push({ key: '_orddd_time_slot', value: '10:00 AM - 12:00 PM' });
			order.line_items[1].meta_data.push({ key: '_reduced_stock', value: '1' });
			order.customer_note = 'No nuts';
		});
		expect(result.body.fulfillment).toEqual({ type: 'pickup', at: '2026-06-14T10:00' });
		expect(result.body.lines[1]!.modifiers).toEqual(['color: black', 'size: M Test']);
		expect(result.body.note).toBe('No nuts');
	});

	it('takes a date without a time at noon and says so', () => {
		const result = mapped((order) => {
			order.meta_data.push({ key: 'jckwds_date', value: '2026-06-14' });
		});
		expect(result.body.fulfillment.at).toBe('2026-06-14T12:00');
		expect(result.body.note).toBe('Date only from the shop (2026-06-14): noon assumed');
	});

	it.each([
		['cancelled', 'cancelled'],
		['refunded', 'cancelled'],
		['pending', 'waiting'],
		['on-hold', 'open']
	])('treats status %s as %s', (status, state) => {
		expect(mapped((order) => (order.status = status)).state).toBe(state);
	});

	it('leaves a pay-at-pickup order (no date paid) to pay at the counter', () => {
		const unpaid = mapped((order) => {
			order.payment_method = 'cod';
			order.date_paid = null;
			order.date_paid_gmt = null;
		});
		expect(unpaid.paid).toBeNull();
	});

	it('refuses an item with no SKU of ours and no mapping', () => {
		const order = payload('woocommerce_order_v3_example.json');
		expect(() => mapWooOrder(order, context())).toThrow(
			/line_items\[0\]: "Woo Single #1" \(no SKU\)/
		);
	});
});

describe('clock times from date apps', () => {
	it.each([
		['13:00', 780],
		['1:00 PM', 780],
		['1 pm', 780],
		['12:30 AM', 30],
		['12:00 PM', 720],
		['9:05', 545],
		['25:00', null],
		['13:00 PM', null],
		['noon', null]
	])('reads %s', (text, minutes) => {
		expect(parseClockTime(text)).toBe(minutes);
	});

	it.each([
		['13:00 - 14:00', 780],
		['1:00 PM-2:00PM', 780],
		['10:00 AM – 12:00 PM', 600]
	])('takes the start of %s', (text, minutes) => {
		expect(rangeStart(text)).toBe(minutes);
	});
});
