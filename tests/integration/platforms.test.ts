import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { formatShopTime } from '../../src/lib/domain/shop-time';
import type { OrderView } from '../../src/lib/domain/order';
import type { LiveEvent } from '../../src/lib/realtime/contract';
import type { BakerySocket } from '../../src/lib/realtime/feed';
import { fakeSquare, type FakeSquare } from '../helpers/fake-square';
import {
	connectScreen,
	postJson,
	startServer,
	waitFor,
	type RunningServer
} from '../helpers/server';

/**
 * Orders from Shopify, Square and WooCommerce through their webhooks on the built server: each
 * platform's own example payload (edited only where a bakery's order needs it: our SKUs, a date
 * in the coming days) becomes an order that staff screens see, at its time in the shop's zone.
 */

const ZONE = 'Europe/London';
const SHOPIFY_SECRET = 'shpss_test_app_secret_0123';
const WOO_SECRET = 'woo-test-webhook-secret';
const SQUARE_KEY = 'square-test-signature-key';
const SQUARE_TOKEN = 'EAAA-test-access-token';
const SQUARE_URL = 'https://bakery.example/api/webhooks/square';

const PAYLOADS = path.resolve('../shared/data/payloads');
/** The payloads live beside the project, not in it; without them these tests say so and skip. */
const HAVE_PAYLOADS = fs.existsSync(PAYLOADS);
const withPayloads = describe.skipIf(!HAVE_PAYLOADS);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are edited loosely
const payload = (name: string): any =>
	HAVE_PAYLOADS ? JSON.parse(fs.readFileSync(path.join(PAYLOADS, name), 'utf8')) : {};
type Payload = ReturnType<typeof payload>;

const hmac = (secret: string, text: string) =>
	createHmac('sha256', secret).update(text).digest('base64');

let server: RunningServer;
let square: FakeSquare;
let screen: BakerySocket;
const seen: LiveEvent[] = [];
/** Pickup slots the shop offers in the coming days, a different one per test. */
let slots: number[] = [];

beforeAll(async () => {
	square = await fakeSquare(SQUARE_TOKEN);
	server = await startServer({
		SHOP_TIMEZONE: ZONE,
		SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET,
		WOOCOMMERCE_WEBHOOK_SECRET: WOO_SECRET,
		SQUARE_WEBHOOK_SIGNATURE_KEY: SQUARE_KEY,
		SQUARE_NOTIFICATION_URL: SQUARE_URL,
		SQUARE_ACCESS_TOKEN: SQUARE_TOKEN,
		SQUARE_BASE_URL: square.url
	});
	screen = connectScreen(server);
	screen.on('event', (event) => seen.push(event));
	await waitFor(() => (screen.connected ? true : undefined), 10_000);

	const answer = (await (await fetch(`${server.url}/api/slots?days=4`)).json()) as {
		days: { slots: { at: string }[] }[];
	};
	// Days after today, so the lead time never catches up with a slot while the tests run.
	slots = answer.days
		.slice(1)
		.flatMap((day) => day.slots.slice(4, 8))
		.map((slot) => Date.parse(slot.at));
	expect(slots.length).toBeGreaterThanOrEqual(8);
}, 60_000);

afterAll(async () => {
	screen?.disconnect();
	await server?.stop();
	await square?.close();
});

function post(route: string, body: string, headers: Record<string, string>) {
	return fetch(`${server.url}/api/webhooks/${route}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body
	});
}

function postShopify(order: unknown, deliveryId: string, topic = 'orders/create') {
	const body = JSON.stringify(order);
	return post('shopify', body, {
		'X-Shopify-Hmac-Sha256': hmac(SHOPIFY_SECRET, body),
		'X-Shopify-Webhook-Id': deliveryId,
		'X-Shopify-Topic': topic
	});
}

function postWoo(order: unknown, deliveryId: string, topic: string) {
	const body = JSON.stringify(order);
	return post('woocommerce', body, {
		'X-WC-Webhook-Signature': hmac(WOO_SECRET, body),
		'X-WC-Webhook-Delivery-ID': deliveryId,
		'X-WC-Webhook-Topic': topic
	});
}

function postSquare(event: unknown) {
	const body = JSON.stringify(event);
	return post('square', body, {
		'x-square-hmacsha256-signature': hmac(SQUARE_KEY, SQUARE_URL + body)
	});
}

/** The inbox and orders as the server's own database holds them (read-only, beside the server). */
function query<T>(sql: string, ...params: unknown[]): T[] {
	const db = new Database(server.databasePath, { readonly: true, fileMustExist: true });
	try {
		return db.prepare(sql).all(...params) as T[];
	} finally {
		db.close();
	}
}

function ordersFor(channel: string, externalId: string) {
	return query<{ id: number; status: string }>(
		'SELECT id, status FROM orders WHERE channel = ? AND external_id = ?',
		channel,
		externalId
	);
}

function inboxFor(platform: string, orderId: string) {
	return query<{ state: string; last_error: string | null; delivery_id: string }>(
		'SELECT state, last_error, delivery_id FROM platform_inbox WHERE platform = ? AND platform_order_id = ? ORDER BY id',
		platform,
		orderId
	);
}

/** The first event a staff screen saw for this platform order, once it arrives. */
function screenEvent(type: LiveEvent['type'], channel: string, externalId: string) {
	return waitFor(
		() =>
			seen.find(
				(event): event is LiveEvent & { order: OrderView } =>
					event.type === type &&
					'order' in event &&
					event.order.channel === channel &&
					event.order.externalId === externalId
			),
		15_000
	);
}

const shopDay = (instant: number) => formatShopTime(instant, ZONE, 'yyyy-MM-dd');
const shopClock = (instant: number, pattern: string) => formatShopTime(instant, ZONE, pattern);

function shopifyOrder(id: number, pickupAt: number) {
	const { order } = payload('shopify_order_fixture.json');
	order.id = id;
	// A shop in London sells in pounds (the example is in dollars).
	order.currency = 'GBP';
	order.note = 'Please box the croissants separately';
	order.note_attributes = [
		{ name: 'Checkout-Method', value: 'pickup' },
		{ name: 'Pickup-Location-Id', value: '1002' },
		{ name: 'Pickup-Date', value: shopDay(pickupAt) },
		// Zapiet's 12-hour form, such as "1:00 PM".
		{ name: 'Pickup-Time', value: shopClock(pickupAt, 'h:mm a') },
		{ name: 'colour', value: 'green' }
	];
	order.line_items = order.line_items.slice(0, 2);
	Object.assign(order.line_items[0], { sku: 'CROISSANT', quantity: 2 });
	order.line_items[0].properties.push({ name: '_ZapietId', value: 'M=P&L=1002' });
	Object.assign(order.line_items[1], { sku: 'BAGUETTE', quantity: 1 });
	return order;
}

withPayloads('Shopify', () => {
	it('turns the order webhook into an order staff screens see, at its time in the shop zone', async () => {
		const pickupAt = slots[0]!;
		const answer = await postShopify(shopifyOrder(450789469, pickupAt), 'shopify-delivery-1');
		expect([answer.status, await answer.json()]).toEqual([
			200,
			{ received: true, stored: true, duplicate: false }
		]);

		const { order } = await screenEvent('order.created', 'shopify', '450789469');
		expect(order.fulfillment).toMatchObject({
			type: 'pickup',
			at: new Date(pickupAt).toISOString()
		});
		expect(order.fulfillment.atShopTime).toBe(shopClock(pickupAt, 'yyyy-MM-dd HH:mm'));
		expect(order.customer.name).toBe('Bob Norman');
		expect(order.note).toBe('Please box the croissants separately\ncolour: green');
		// Authorised on Shopify, which captures it there: the counter takes nothing.
		expect(order.payment).toMatchObject({ state: 'paid', paidOn: 'Shopify', paidMinor: 40994 });
		expect(order.lines.map((line) => [line.sku, line.quantity, line.modifiers])).toEqual([
			['CROISSANT', 2, ['Custom Engraving: Happy Birthday']],
			['BAGUETTE', 1, []]
		]);
		expect(inboxFor('shopify', '450789469').map((row) => row.state)).toEqual(['done']);
	});

	it('follows orders/updated: a new pickup time and note move ours', async () => {
		const later = shopifyOrder(450789469, slots[1]!);
		later.updated_at = '2008-01-10T12:00:00-05:00';
		later.note = 'Box them together after all';
		// A changed basket is for staff to settle with the customer, so it is not applied.
		later.line_items[0].quantity = 3;
		expect((await postShopify(later, 'shopify-delivery-update', 'orders/updated')).status).toBe(
			200
		);

		const { order } = await screenEvent('order.updated', 'shopify', '450789469');
		expect(order.fulfillment.atShopTime).toBe(shopClock(slots[1]!, 'yyyy-MM-dd HH:mm'));
		expect(order.note).toBe('Box them together after all\ncolour: green');
		expect(order.lines.map((line) => line.quantity)).toEqual([2, 1]);
		expect(ordersFor('shopify', '450789469')).toHaveLength(1);
		const { alerts } = (await (
			await fetch(`${server.url}/api/alerts`, { headers: server.headers })
		).json()) as { alerts: { kind: string; severity: string; message: string }[] };
		expect(alerts.filter((alert) => alert.kind === 'platform')).toEqual([
			{
				kind: 'platform',
				severity: 'warn',
				message: expect.stringMatching(
					new RegExp(`^Order ${order.number}: Shopify changed it, not applied: .*CROISSANT`)
				)
			}
		]);
	});

	it('cancels ours with orders/cancelled, and a refund there is a refund here', async () => {
		const paid = shopifyOrder(450789490, slots[4]!);
		paid.financial_status = 'paid';
		expect((await postShopify(paid, 'shopify-delivery-refund-1')).status).toBe(200);
		const { order } = await screenEvent('order.created', 'shopify', '450789490');
		expect(order.payment).toMatchObject({ state: 'paid', paidOn: 'Shopify' });

		const cancelled = { ...paid, financial_status: 'refunded', cancel_reason: 'customer' };
		cancelled.cancelled_at = '2008-01-10T12:30:00-05:00';
		cancelled.updated_at = '2008-01-10T12:30:00-05:00';
		for (const delivery of ['shopify-delivery-refund-2', 'shopify-delivery-refund-3']) {
			expect((await postShopify(cancelled, delivery, 'orders/cancelled')).status).toBe(200);
		}
		const { order: gone } = await screenEvent('order.cancelled', 'shopify', '450789490');
		expect(gone.status).toBe('cancelled');
		await waitFor(() => {
			const rows = inboxFor('shopify', '450789490');
			return rows.length === 3 && rows.every((row) => row.state !== 'pending') ? rows : undefined;
		}, 15_000);
		// Refunded once, however often Shopify says so.
		const rows = query<{ state: string; amount_minor: number; provider: string }>(
			'SELECT state, amount_minor, provider FROM payments WHERE order_id = ? ORDER BY id',
			order.id
		);
		expect(rows).toEqual([
			{ state: 'recorded', amount_minor: 40994, provider: 'shopify' },
			{ state: 'refunded', amount_minor: -40994, provider: 'shopify' }
		]);
	});

	it('refuses a wrong or missing signature and stores nothing', async () => {
		const body = JSON.stringify(shopifyOrder(777000111, slots[1]!));
		const wrong = await post('shopify', body, {
			'X-Shopify-Hmac-Sha256': hmac('not-the-app-secret', body),
			'X-Shopify-Webhook-Id': 'forged-1',
			'X-Shopify-Topic': 'orders/create'
		});
		const missing = await post('shopify', body, { 'X-Shopify-Webhook-Id': 'forged-2' });
		expect([wrong.status, missing.status]).toEqual([401, 401]);
		expect((await wrong.json()).error.code).toBe('bad_signature');

		expect(inboxFor('shopify', '777000111')).toEqual([]);
		expect(ordersFor('shopify', '777000111')).toEqual([]);
		expect(
			server.output.some((line) => line.includes('Shopify webhook refused: bad signature'))
		).toBe(true);
	});

	it('makes one order of a delivery sent five times at once, and of its other topics', async () => {
		const order = shopifyOrder(450789470, slots[2]!);
		const answers = await Promise.all(
			Array.from({ length: 5 }, () => postShopify(order, 'shopify-delivery-dup'))
		);
		const bodies = await Promise.all(answers.map((answer) => answer.json()));
		expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
		expect(bodies.filter((body) => body.stored)).toHaveLength(1);

		// orders/paid and a second delivery of orders/create carry the same order under new ids.
		await Promise.all([
			postShopify(order, 'shopify-delivery-paid', 'orders/paid'),
			postShopify(order, 'shopify-delivery-again')
		]);
		await waitFor(() => {
			const rows = inboxFor('shopify', '450789470');
			return rows.length === 3 && rows.every((row) => row.state !== 'pending') ? rows : undefined;
		}, 15_000);
		expect(ordersFor('shopify', '450789470')).toHaveLength(1);
	});

	it('stores an order of another shape and refuses it after, so Shopify keeps the webhook on', async () => {
		const order = shopifyOrder(450789480, slots[3]!);
		order.line_items[0].quantity = 'two';
		const answer = await postShopify(order, 'shopify-delivery-shape');
		expect([answer.status, (await answer.json()).stored]).toEqual([200, true]);
		const [row] = await waitFor(() => {
			const rows = inboxFor('shopify', '450789480');
			return rows[0]?.state === 'failed' ? rows : undefined;
		}, 15_000);
		expect(row!.last_error).toMatch(/^Shopify order: line_items\.0\.quantity /);
		expect(ordersFor('shopify', '450789480')).toEqual([]);

		// It can never be taken as it is: the manager calls the customer and marks it settled.
		const platformAlerts = async () =>
			(
				(await (await fetch(`${server.url}/api/alerts`, { headers: server.headers })).json()) as {
					alerts: { kind: string; message: string }[];
				}
			).alerts.filter((alert) => alert.message.includes('450789480'));
		expect(await platformAlerts()).toHaveLength(1);
		const [listed] = query<{ id: number }>(
			"SELECT id FROM platform_inbox WHERE platform_order_id = '450789480'"
		);
		const settle = () =>
			postJson(`${server.url}/api/admin/platforms/inbox/${listed!.id}/settle`, {}, server.headers);
		expect((await settle()).status).toBe(200);
		expect(await platformAlerts()).toEqual([]);
		expect(inboxFor('shopify', '450789480')).toMatchObject([
			{
				state: 'ignored',
				last_error: expect.stringMatching(/^settled by Test Manager: Shopify order/)
			}
		]);
		expect((await settle()).status).toBe(404);
		// Without an order id there is nothing to keep it under: that alone is a 400.
		const { id: _id, ...nameless } = order;
		const refused = await postShopify(nameless, 'shopify-delivery-nameless');
		expect([refused.status, (await refused.json()).error.problems[0].field]).toEqual([400, 'body']);
	});

	it('keeps an order with an item not on the menu in the inbox with the reason', async () => {
		const order = shopifyOrder(450789471, slots[3]!);
		Object.assign(order.line_items[1], { sku: 'WEDDING-CAKE', name: 'Wedding cake' });
		expect((await postShopify(order, 'shopify-delivery-unknown')).status).toBe(200);

		const [row] = await waitFor(() => {
			const rows = inboxFor('shopify', '450789471');
			return rows[0]?.state === 'failed' ? rows : undefined;
		}, 15_000);
		expect(row!.last_error).toMatch(/"Wedding cake" \(SKU "WEDDING-CAKE"\) is not on our menu/);
		expect(ordersFor('shopify', '450789471')).toEqual([]);

		// Every staff screen's alerts say so, until it is put right.
		const alertsNow = async () =>
			(
				(await (await fetch(`${server.url}/api/alerts`, { headers: server.headers })).json()) as {
					alerts: { kind: string; severity: string; message: string }[];
				}
			).alerts.filter((alert) => alert.kind === 'platform' && alert.message.includes('450789471'));
		expect(await alertsNow()).toEqual([
			{
				kind: 'platform',
				severity: 'danger',
				message: expect.stringMatching(
					/^Shopify order #1001 \(id 450789471\) was not taken: .*Wedding cake/
				)
			}
		]);

		// The manager sees it, maps the platform's item to a product of ours, and retries it.
		const listed = await (
			await fetch(`${server.url}/api/admin/platforms?state=failed`, { headers: server.headers })
		).json();
		const failed = listed.inbox.find(
			(entry: { platformOrderId: string }) => entry.platformOrderId === '450789471'
		);
		expect(failed).toMatchObject({ platform: 'shopify', state: 'failed', orderId: null });

		const variant = `shopify:${order.line_items[1].variant_id}`;
		const put = async (body: unknown) => {
			const answer = await fetch(`${server.url}/api/admin/platforms`, {
				method: 'PUT',
				headers: { 'content-type': 'application/json', ...server.headers },
				body: JSON.stringify(body)
			});
			return { status: answer.status, body: await answer.json() };
		};
		const mapping = await put({
			platformItemSkus: { [variant]: 'FOCACCIA', 'square:OLD': 'BAGUETTE' }
		});
		expect(mapping.body.platformItemSkus).toEqual({
			[variant]: 'FOCACCIA',
			'square:OLD': 'BAGUETTE'
		});
		// Later changes merge: another item mapped, one taken away, attribute names kept.
		const merged = await put({
			platformItemSkus: { 'woocommerce:99999': 'SCONE', 'square:OLD': null },
			shopifyAttributes: { pickupDate: 'Pickup Date' }
		});
		expect(merged.body.platformItemSkus).toEqual({
			[variant]: 'FOCACCIA',
			'woocommerce:99999': 'SCONE'
		});
		expect(merged.body.shopifyAttributes).toMatchObject({
			pickupDate: 'Pickup Date',
			pickupTime: 'Pickup-Time'
		});
		expect((await put({ shopifyAttributes: { pickupDate: 'Pickup-Date' } })).status).toBe(200);
		// A SKU we do not sell, or an item not named by platform, is refused and nothing changes.
		const wrong = await put({ platformItemSkus: { 'square:NEW': 'NOPE', ABC: 'BAGUETTE' } });
		expect([
			wrong.status,
			wrong.body.error.problems.map((p: { field: string }) => p.field)
		]).toEqual([400, ['platformItemSkus.square:NEW', 'platformItemSkus.ABC']]);
		expect(wrong.body.error.problems[1].message).toMatch(
			/^"ABC" is not an item; name it as shopify:<variant_id>/
		);
		const unknownSku = await put({ platformItemSkus: { 'square:NEW': 'NOPE' } });
		expect([unknownSku.status, unknownSku.body.error.problems[0].field]).toEqual([
			400,
			'platformItemSkus.square:NEW'
		]);
		expect((await put({})).body.platformItemSkus).toEqual({
			[variant]: 'FOCACCIA',
			'woocommerce:99999': 'SCONE'
		});
		const retry = await postJson(
			`${server.url}/api/admin/platforms/inbox/${failed.id}/retry`,
			{},
			server.headers
		);
		expect(retry.status).toBe(200);

		const { order: taken } = await screenEvent('order.created', 'shopify', '450789471');
		expect(taken.lines.map((line) => line.sku)).toEqual(['CROISSANT', 'FOCACCIA']);
		expect(await alertsNow()).toEqual([]);
		// Mappings are taken away the same way.
		expect((await put({ platformItemSkus: { 'woocommerce:99999': null } })).status).toBe(200);
	});
});

withPayloads('Square', () => {
	const orderId = 'eA3vssLHKJrv9H0IdJCM3gNqfdcZY';
	const events = payload('square_webhook_order_events_examples.json');

	/** Square's Retrieve Order example, as this order stands at `version`. */
	function squareOrder(
		version: number,
		pickupAt: number,
		edit: (order: Payload) => void = () => {}
	) {
		const { order } = payload('square_retrieve_order_response_example.json');
		Object.assign(order, { id: orderId, version });
		order.line_items[0].name = 'Sourdough';
		order.line_items[1].name = 'Pain au chocolat';
		order.line_items[1].modifiers = [{ name: 'Warmed', quantity: '1' }];
		order.fulfillments = [
			{
				uid: 'VWJ1N9leLqjSDLvF2hvYjD',
				type: 'PICKUP',
				state: 'PROPOSED',
				pickup_details: {
					recipient: { display_name: 'Ana Ruiz', phone_number: '+44 7700 900123' },
					schedule_type: 'SCHEDULED',
					pickup_at: new Date(pickupAt).toISOString(),
					note: 'Candles please'
				}
			}
		];
		edit(order);
		return order;
	}

	it('fetches the order an event names, follows newer versions and ignores older ones', async () => {
		square.orders.set(orderId, squareOrder(1, slots[4]!));
		expect((await postSquare(events[0])).status).toBe(200);

		const created = (await screenEvent('order.created', 'square', orderId)).order;
		expect(created.fulfillment.atShopTime).toBe(shopClock(slots[4]!, 'yyyy-MM-dd HH:mm'));
		expect(created.customer.name).toBe('Ana Ruiz');
		expect(created.note).toBe('Candles please');
		// No tender in Square yet: paid when collected.
		expect(created.payment).toMatchObject({ state: 'unpaid', paidOn: null });
		expect(created.lines.map((line) => [line.sku, line.quantity, line.modifiers])).toEqual([
			['SOURDOUGH', 1, []],
			['PAIN-AU-CHOCOLAT', 2, ['Warmed']]
		]);
		expect(square.requests.at(-1)).toEqual({
			path: `/v2/orders/${orderId}`,
			version: '2025-01-23'
		});

		// Version 6 (the fulfillment event) moves the pickup; version 2 arrives after it.
		square.orders.set(
			orderId,
			squareOrder(6, slots[5]!, (order) => {
				order.fulfillments[0].pickup_details.note = 'Candles please, and a card';
			})
		);
		expect((await postSquare(events[2])).status).toBe(200);
		const updated = (await screenEvent('order.updated', 'square', orderId)).order;
		expect(updated.fulfillment.at).toBe(new Date(slots[5]!).toISOString());
		expect(updated.note).toBe('Candles please, and a card');

		expect((await postSquare(events[1])).status).toBe(200);
		const rows = await waitFor(() => {
			const found = inboxFor('square', orderId);
			return found.length === 3 && found[2]!.state !== 'pending' ? found : undefined;
		}, 15_000);
		expect(rows.map((row) => [row.state, row.last_error])).toEqual([
			['done', null],
			['done', null],
			['ignored', 'version 2 is not newer than 6']
		]);
	});

	it('cancels ours when Square cancels the order', async () => {
		square.orders.set(
			orderId,
			squareOrder(7, slots[5]!, (order) => (order.state = 'CANCELED'))
		);
		const event = structuredClone(events[1]);
		event.event_id = 'square-cancel-event';
		event.data.object.order_updated.version = 7;
		event.data.object.order_updated.state = 'CANCELED';
		expect((await postSquare(event)).status).toBe(200);

		const { order } = await screenEvent('order.cancelled', 'square', orderId);
		expect([order.status, order.cancelReason]).toEqual(['cancelled', 'cancelled on Square']);
	});

	it('retries an order Square could not give, keeping the error meanwhile', async () => {
		const other = 'retryOrderId0000000000000001';
		square.orders.set(
			other,
			squareOrder(1, slots[7]!, (order) => (order.id = other))
		);
		square.failNext(1, 503);
		const event = structuredClone(events[0]);
		event.event_id = 'square-retry-event';
		event.data.id = other;
		event.data.object.order_created.order_id = other;
		expect((await postSquare(event)).status).toBe(200);

		const waiting = await waitFor(() => {
			const rows = query<{ state: string; attempts: number; last_error: string }>(
				'SELECT state, attempts, last_error FROM platform_inbox WHERE delivery_id = ?',
				'square-retry-event'
			);
			return rows[0]?.attempts === 1 ? rows[0] : undefined;
		}, 15_000);
		expect(waiting).toEqual({
			state: 'pending',
			attempts: 1,
			last_error: 'square answered 503 (SERVICE_UNAVAILABLE): try again later'
		});
		// The first retry comes 5 seconds later.
		await screenEvent('order.created', 'square', other);
		expect(inboxFor('square', other).map((row) => row.state)).toEqual(['done']);
	}, 30_000);

	it('refuses a signature made without the notification URL', async () => {
		const body = JSON.stringify({ ...events[0], event_id: 'square-forged' });
		const answer = await post('square', body, {
			'x-square-hmacsha256-signature': hmac(SQUARE_KEY, body)
		});
		expect(answer.status).toBe(401);
		expect(query('SELECT 1 FROM platform_inbox WHERE delivery_id = ?', 'square-forged')).toEqual(
			[]
		);
	});
});

withPayloads('WooCommerce', () => {
	function wooOrder(pickupAt: number, edit: (order: Payload) => void = () => {}) {
		const order = payload('woocommerce_order_v3_example.json');
		order.currency = 'GBP';
		order.line_items[0].sku = 'MUFFIN';
		order.line_items[1].sku = 'SCONE';
		order.shipping_lines = [
			{ id: 317, method_title: 'Pick up in store', method_id: 'local_pickup' }
		];
		order.customer_note = 'No nuts please';
		// Order Delivery Date: the day as a Unix time, and the slot on that day.
		order.meta_data.push({
			id: 13107,
			key: '_orddd_timestamp',
			value: String(Math.floor(pickupAt / 1000))
		});
		order.meta_data.push({
			id: 13108,
			key: '_orddd_time_slot',
			value: shopClock(pickupAt, 'h:mm a') + ' - ' + shopClock(pickupAt + 3_600_000, 'h:mm a')
		});
		edit(order);
		return order;
	}

	it('turns the order webhook into an order with its slot and item meta', async () => {
		const pickupAt = slots[6]!;
		expect((await postWoo(wooOrder(pickupAt), 'woo-delivery-1', 'order.created')).status).toBe(200);

		const { order } = await screenEvent('order.created', 'woocommerce', '727');
		expect(order.fulfillment).toMatchObject({
			type: 'pickup',
			at: new Date(pickupAt).toISOString()
		});
		expect(order.customer).toMatchObject({ name: 'John Doe', email: 'john.doe@example.com' });
		expect(order.note).toBe('No nuts please');
		expect(order.payment).toMatchObject({ state: 'paid', paidOn: 'WooCommerce', paidMinor: 2935 });
		expect(order.lines.map((line) => [line.sku, line.quantity, line.modifiers])).toEqual([
			['MUFFIN', 2, []],
			['SCONE', 1, ['color: black', 'size: M Test']]
		]);
	});

	it('cancels ours on a later update that cancels it, and ignores a stale one', async () => {
		const cancelled = wooOrder(slots[6]!, (order) => {
			order.status = 'cancelled';
			order.date_modified_gmt = '2017-03-23T09:00:00';
		});
		expect((await postWoo(cancelled, 'woo-delivery-2', 'order.updated')).status).toBe(200);
		const { order } = await screenEvent('order.cancelled', 'woocommerce', '727');
		expect(order.status).toBe('cancelled');

		// The first version delivered again, late, must not bring it back.
		expect((await postWoo(wooOrder(slots[6]!), 'woo-delivery-3', 'order.created')).status).toBe(
			200
		);
		await waitFor(
			() => (inboxFor('woocommerce', '727')[2]?.state === 'ignored' ? true : undefined),
			15_000
		);
		expect(ordersFor('woocommerce', '727').map((row) => row.status)).toEqual(['cancelled']);
	});

	it('hands over an order paid on WooCommerce without charging, and a refund after is not ours', async () => {
		const paid = wooOrder(slots[7]!, (order) => {
			order.id = 728;
			order.line_items = [{ ...order.line_items[0], sku: 'COFFEE', quantity: 2 }];
		});
		expect((await postWoo(paid, 'woo-delivery-paid', 'order.created')).status).toBe(200);
		const { order } = await screenEvent('order.created', 'woocommerce', '728');
		expect(order.payment).toMatchObject({ state: 'paid', paidOn: 'WooCommerce' });

		const packed = await postJson(
			`${server.url}/api/orders/${order.id}/pack`,
			{ expectedVersion: order.version },
			server.headers
		);
		expect(packed.status).toBe(200);
		const done = await postJson(
			`${server.url}/api/orders/${order.id}/complete`,
			{ expectedVersion: packed.body.version },
			server.headers
		);
		expect([done.status, done.body.order.status]).toEqual([200, 'completed']);

		const refunded = wooOrder(slots[7]!, (order) => {
			order.id = 728;
			order.line_items = paid.line_items;
			order.status = 'refunded';
			order.date_modified_gmt = '2017-03-24T09:00:00';
		});
		expect((await postWoo(refunded, 'woo-delivery-refund', 'order.updated')).status).toBe(200);
		const rows = await waitFor(() => {
			const found = inboxFor('woocommerce', '728');
			return found[1] && found[1].state !== 'pending' ? found : undefined;
		}, 15_000);
		expect(rows[1]).toMatchObject({
			state: 'ignored',
			last_error: expect.stringMatching(/refunded on WooCommerce after order \d+ was handed over/)
		});
		expect(ordersFor('woocommerce', '728').map((row) => row.status)).toEqual(['completed']);
	});

	it('acknowledges the ping WooCommerce sends when the webhook is saved', async () => {
		const body = 'webhook_id=12';
		const answer = await post('woocommerce', body, {
			'content-type': 'application/x-www-form-urlencoded',
			'X-WC-Webhook-Signature': hmac(WOO_SECRET, body)
		});
		expect([answer.status, (await answer.json()).stored]).toEqual([200, false]);
		expect(query('SELECT 1 FROM platform_inbox WHERE raw_body = ?', body)).toEqual([]);
	});
});

describe('a platform not set up', () => {
	it('answers 404 naming the variable to set', async () => {
		const bare = await startServer({ SIGN_IN: 'false' });
		try {
			const answer = await fetch(`${bare.url}/api/webhooks/shopify`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{}'
			});
			expect(answer.status).toBe(404);
			expect((await answer.json()).error.message).toBe(
				'Shopify is not set up in this shop; set SHOPIFY_WEBHOOK_SECRET (see the README)'
			);
		} finally {
			await bare.stop();
		}
	}, 60_000);
});
