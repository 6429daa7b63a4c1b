import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { expect, test, type Browser, type Page } from '@playwright/test';

import { formatShopTime } from '../../src/lib/domain/shop-time';
import { fakeSquare, type FakeSquare } from '../helpers/fake-square';
import { startServer, type RunningServer } from '../helpers/server';

/*
 * The "done when": an order from each of Shopify, Square and WooCommerce arrives through
 * its signed webhook, in the platform's real payload shape, and the bakers see it on the oven
 * station and the packers on the packing screen, with its note and pickup time.
 */

const ZONE = 'Europe/London';
const SECRETS = {
	shopify: 'shpss_e2e_app_secret_0123',
	woocommerce: 'woo-e2e-webhook-secret',
	square: 'square-e2e-signature-key'
};
const SQUARE_TOKEN = 'EAAA-e2e-access-token';
const SQUARE_URL = 'https://bakery.example/api/webhooks/square';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are edited loosely
const payload = (name: string): any =>
	JSON.parse(fs.readFileSync(path.resolve('../shared/data/payloads', name), 'utf8'));
const sign = (secret: string, text: string) =>
	createHmac('sha256', secret).update(text).digest('base64');

let app: RunningServer;
let square: FakeSquare;

test.skip(
	!fs.existsSync(path.resolve('../shared/data/payloads')),
	'needs the platform payloads in ../shared/data/payloads'
);

test.beforeAll(async () => {
	square = await fakeSquare(SQUARE_TOKEN);
	app = await startServer({
		SHOP_TIMEZONE: ZONE,
		SHOPIFY_WEBHOOK_SECRET: SECRETS.shopify,
		WOOCOMMERCE_WEBHOOK_SECRET: SECRETS.woocommerce,
		SQUARE_WEBHOOK_SIGNATURE_KEY: SECRETS.square,
		SQUARE_NOTIFICATION_URL: SQUARE_URL,
		SQUARE_ACCESS_TOKEN: SQUARE_TOKEN,
		SQUARE_BASE_URL: square.url
	});
});

test.afterAll(async () => {
	await app?.stop();
	await square?.close();
});

async function screen(browser: Browser, page: string): Promise<Page> {
	const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
	const [name, value] = app.headers.cookie!.split('=');
	await context.addCookies([{ name: name!, value: value!, url: app.url }]);
	const opened = await context.newPage();
	await opened.goto(`${app.url}${page}`);
	await expect(opened.getByTestId('connection')).toHaveText('Live');
	return opened;
}

/** A pickup time at least three hours on, so the ovens can bake for it whatever the hour. */
async function slotWithOvenTime(): Promise<number> {
	const answer = (await (await fetch(`${app.url}/api/slots?days=3`)).json()) as {
		days: { slots: { at: string }[] }[];
	};
	const times = answer.days.flatMap((day) => day.slots).map((slot) => Date.parse(slot.at));
	const at = times.find((time) => time >= Date.now() + 3 * 3_600_000);
	if (at === undefined) throw new Error('the demo bakery offers no pickup time three hours on');
	return at;
}

async function webhook(
	platform: keyof typeof SECRETS,
	body: unknown,
	headers: Record<string, string>
) {
	const text = JSON.stringify(body);
	const signature = {
		shopify: ['x-shopify-hmac-sha256', sign(SECRETS.shopify, text)],
		woocommerce: ['x-wc-webhook-signature', sign(SECRETS.woocommerce, text)],
		square: ['x-square-hmacsha256-signature', sign(SECRETS.square, SQUARE_URL + text)]
	}[platform];
	const answer = await fetch(`${app.url}/api/webhooks/${platform}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', [signature[0]!]: signature[1]!, ...headers },
		body: text
	});
	expect(answer.status).toBe(200);
}

test('a Shopify, a Square and a WooCommerce order reach the oven and packing screens with their notes and time', async ({
	browser
}) => {
	test.setTimeout(90_000);
	const at = await slotWithOvenTime();
	const day = formatShopTime(at, ZONE, 'yyyy-MM-dd');
	const clock = formatShopTime(at, ZONE, 'HH:mm');
	const kitchen = await screen(browser, '/kitchen');
	const packing = await screen(browser, '/packing');

	// Focaccia is never on the demo shelf, so each order's focaccia goes through the ovens.
	const shopify = payload('shopify_order_fixture.json').order;
	Object.assign(shopify, {
		id: 820982911946154500,
		note: 'Shopify: leave the focaccia uncut',
		note_attributes: [
			{ name: 'Checkout-Method', value: 'pickup' },
			{ name: 'Pickup-Date', value: day },
			{ name: 'Pickup-Time', value: formatShopTime(at, ZONE, 'h:mm a') }
		]
	});
	shopify.line_items = [{ ...shopify.line_items[0], sku: 'FOCACCIA', quantity: 1, properties: [] }];
	await webhook('shopify', shopify, {
		'x-shopify-webhook-id': 'e2e-shopify-1',
		'x-shopify-topic': 'orders/create'
	});

	const [created] = payload('square_webhook_order_events_examples.json');
	const squareOrder = payload('square_retrieve_order_response_example.json').order;
	// The order the event names, as Square's Retrieve Order would answer for it.
	Object.assign(squareOrder, { id: created.data.id, version: 1 });
	squareOrder.line_items = [
		{ ...squareOrder.line_items[0], name: 'Focaccia', quantity: '1', modifiers: [] }
	];
	squareOrder.fulfillments = [
		{
			uid: 'e2e-fulfilment',
			type: 'PICKUP',
			state: 'PROPOSED',
			pickup_details: {
				recipient: { display_name: 'Sara Square' },
				schedule_type: 'SCHEDULED',
				pickup_at: new Date(at).toISOString(),
				note: 'Square: no paper bag'
			}
		}
	];
	square.orders.set(squareOrder.id, squareOrder);
	await webhook('square', created, {});

	const woo = payload('woocommerce_order_v3_example.json');
	woo.line_items = [{ ...woo.line_items[0], sku: 'FOCACCIA', quantity: 1, meta_data: [] }];
	woo.customer_note = 'WooCommerce: ring the bell';
	woo.meta_data.push({
		id: 1,
		key: '_local_pickup_time_select',
		value: String(Math.floor(at / 1000))
	});
	woo.meta_data.push({ id: 2, key: '_orddd_timestamp', value: String(Math.floor(at / 1000)) });
	woo.meta_data.push({
		id: 3,
		key: '_orddd_time_slot',
		value: `${formatShopTime(at, ZONE, 'h:mm a')} - ${formatShopTime(at + 3_600_000, ZONE, 'h:mm a')}`
	});
	await webhook('woocommerce', woo, {
		'x-wc-webhook-delivery-id': 'e2e-woo-1',
		'x-wc-webhook-topic': 'order.created'
	});

	// The bakers: each order's focaccia on a planned load, with the order's note beside it.
	const notes = [
		'Shopify: leave the focaccia uncut',
		'Square: no paper bag',
		'WooCommerce: ring the bell'
	];
	for (const note of notes) {
		await expect(kitchen.locator('article.load', { hasText: note }).first()).toBeVisible({
			timeout: 15_000
		});
	}

	// Bake them: every load that carries one of these orders goes in and comes out.
	// Orders sharing a load leave together, so a later note may already be gone.
	for (const note of notes) {
		if ((await kitchen.locator('article.load', { hasText: note }).count()) === 0) continue;
		const planned = kitchen.locator('article.load.planned', { hasText: note }).first();
		if ((await planned.count()) > 0) {
			await planned.getByRole('button', { name: 'Into the oven' }).click();
		}
		const baking = kitchen.locator('article.load.baking', { hasText: note }).first();
		await baking.getByRole('button', { name: 'Out of the oven' }).click();
		await expect(kitchen.locator('article.load', { hasText: note })).toHaveCount(0);
	}

	// The packers: each order to box, with the customer, its note and its pickup time.
	for (const [name, note] of [
		['Bob Norman', notes[0]],
		['Sara Square', notes[1]],
		['John Doe', notes[2]]
	] as const) {
		const ticket = packing.locator('article, li, section', { hasText: note! }).first();
		await expect(ticket).toBeVisible({ timeout: 15_000 });
		await expect(packing.getByText(name).first()).toBeVisible();
	}
	await expect(packing.getByText(clock).first()).toBeVisible();
});

test('a manager puts right a Shopify order with an item not on the menu, from the back office', async ({
	browser
}) => {
	test.setTimeout(90_000);
	const at = await slotWithOvenTime();
	const { order } = payload('shopify_order_fixture.json');
	order.id = 820982911946154;
	order.note = 'Mapped later';
	order.note_attributes = [
		{ name: 'Checkout-Method', value: 'pickup' },
		{ name: 'Pickup-Date', value: formatShopTime(at, ZONE, 'yyyy-MM-dd') },
		{ name: 'Pickup-Time', value: formatShopTime(at, ZONE, 'h:mm a') }
	];
	order.line_items = [
		{
			...order.line_items[0],
			sku: null,
			title: 'Cinnamon knot',
			name: 'Cinnamon knot',
			quantity: 2
		}
	];
	await webhook('shopify', order, {
		'x-shopify-webhook-id': 'e2e-shopify-unknown',
		'x-shopify-topic': 'orders/create'
	});

	const office = await screen(browser, '/kitchen');
	// The alert reaches every staff screen (they ask every 20 s).
	await expect(office.getByTestId('alerts')).toBeVisible({ timeout: 30_000 });
	await office.getByTestId('alerts').click();
	await expect(
		office.getByText(/Shopify order #1001 \(id 820982911946154\) was not taken/)
	).toBeVisible({
		timeout: 30_000
	});

	await office.goto(`${app.url}/admin/platforms`);
	const row = office
		.getByRole('table', { name: 'Orders not taken' })
		.getByRole('row', { name: /820982911946154/ });
	await expect(row).toContainText('Cinnamon knot');
	const variant = String(order.line_items[0].variant_id);
	await office.getByLabel('Platform').selectOption('shopify');
	await office.getByLabel(/^Item/).fill(variant);
	await office.getByLabel('Our product').selectOption('CROISSANT');
	await office.getByRole('button', { name: 'Map the item' }).click();
	await expect(office.getByRole('status')).toContainText(`Shopify item ${variant} is CROISSANT`);
	await expect(
		office.getByRole('table', { name: 'Item mappings' }).getByRole('row', { name: /CROISSANT/ })
	).toContainText(`shopify:${variant}`);

	await row.getByRole('button', { name: 'Try again' }).click();
	await expect(office.getByText('None: every platform order arrived.')).toBeVisible({
		timeout: 15_000
	});

	const packing = await screen(browser, '/packing');
	await expect(packing.getByText('Mapped later').first()).toBeVisible({ timeout: 15_000 });
});
