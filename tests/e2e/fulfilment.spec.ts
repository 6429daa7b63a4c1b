import Database from 'better-sqlite3';
import { expect, test, type Browser, type Page } from '@playwright/test';

import {
	startCourierServer,
	startPaymentServer,
	startSmtpServer,
	type CourierServer,
	type CourierServerOptions,
	type PaymentServer,
	type SmtpServer
} from '../helpers/fake-providers';
import { postJson, startServer, type RunningServer } from '../helpers/server';

/*
 * The whole path from order to handover against a server of its own, wired to local stand-ins
 * for the mail server, the payment provider and the courier. Everything runs on the real clock,
 * so the order is for the first pickup time the shop offers, whenever the test runs.
 */

const SECRET = 'courier-webhook-secret-e2e';
const ZONE = 'Europe/London';

let smtp: SmtpServer;
let pay: PaymentServer;
let courier: CourierServer;
const courierOptions: CourierServerOptions = { webhookSecret: SECRET };
let app: RunningServer;

test.beforeAll(async () => {
	[smtp, pay, courier] = await Promise.all([
		startSmtpServer(),
		startPaymentServer(),
		startCourierServer(courierOptions)
	]);
	// A fixed port, so ORIGIN can name it: SvelteKit refuses form posts from any other origin.
	const port = Number(process.env.E2E_FULFILMENT_PORT ?? 4191);
	app = await startServer({
		PORT: String(port),
		ORIGIN: `http://127.0.0.1:${port}`,
		SMTP_URL: smtp.url,
		MAIL_FROM: 'Crumb & Co <orders@crumb.example>',
		PAYMENTS_BASE_URL: pay.url,
		PAYMENTS_SECRET_KEY: pay.secretKey,
		COURIER_BASE_URL: courier.url,
		COURIER_API_KEY: courier.apiKey,
		COURIER_WEBHOOK_SECRET: SECRET,
		SHOP_TIMEZONE: ZONE
	});
	courierOptions.webhookUrl = `${app.url}/api/webhooks/courier`;
});

test.afterAll(async () => {
	await app?.stop();
	await Promise.all([smtp, pay, courier].map((server) => server?.close()));
});

async function screen(browser: Browser, path: string): Promise<Page> {
	// Signed in to this test's own server, not the shared e2e one.
	const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
	const [name, value] = app.headers.cookie!.split('=');
	await context.addCookies([{ name: name!, value: value!, url: app.url }]);
	const page = await context.newPage();
	await page.goto(`${app.url}${path}`);
	await expect(page.locator('html[data-hydrated]')).toBeAttached();
	return page;
}

interface ApiOrder {
	id: number;
	number: string;
	status: string;
	version: number;
	trackingToken: string;
	totalMinor: number;
	fulfillment: { atShopTime: string };
	payment: { state: string; paidMinor: number };
	delivery: { state: string; trackingUrl: string | null } | null;
}

async function getOrder(id: number): Promise<ApiOrder> {
	return (await (
		await fetch(`${app.url}/api/orders/${id}`, { headers: app.headers })
	).json()) as ApiOrder;
}

/** Reads the server's own database file, as the shop's accountant would. */
function query<T>(sql: string, ...params: unknown[]): T[] {
	const db = new Database(app.databasePath, { readonly: true });
	try {
		return db.prepare(sql).all(...params) as T[];
	} finally {
		db.close();
	}
}

const onHand = (sku: string) =>
	query<{ onHand: number }>(
		'select on_hand as onHand from product_stock join products on products.id = product_id where sku = ?',
		sku
	)[0]!.onHand;

/** "2024-06-14 12:00" on the shop clock, as the e-mail says it: "Friday 14 June at 12:00". */
function spokenTime(atShopTime: string): string {
	const [date, time] = atShopTime.split(' ');
	const noon = new Date(`${date}T12:00:00Z`);
	const day = new Intl.DateTimeFormat('en-GB', {
		weekday: 'long',
		day: 'numeric',
		month: 'long',
		timeZone: 'UTC'
	}).format(noon);
	return `${day.replace(',', '')} at ${time}`;
}

test('an online order is confirmed by e-mail, packed, collected and paid, and its rating reaches the reports', async ({
	browser
}) => {
	const shelfBefore = onHand('ALFAJORES');

	const customer = await screen(browser, '/order');
	const alfajores = customer.locator('li[data-sku="ALFAJORES"]');
	await alfajores.getByRole('button', { name: 'One more Alfajores' }).click();
	await alfajores.getByRole('button', { name: 'One more Alfajores' }).click();
	await customer.getByLabel('Your name').fill('Lea Martin');
	await customer.getByLabel('E-mail').fill('lea@example.com');
	await customer.getByRole('button', { name: 'Place order' }).click();
	await expect(customer).toHaveURL(/\/track\/[A-Za-z0-9_-]{24}$/);
	const token = customer.url().split('/').at(-1)!;
	const number = (await customer.getByTestId('order-number').textContent())!.trim();
	const { orders } = (await (
		await fetch(`${app.url}/api/orders`, { headers: app.headers })
	).json()) as {
		orders: ApiOrder[];
	};
	const order = orders.find((entry) => entry.trackingToken === token)!;

	const confirmed = await smtp.waitFor(
		(mail) => mail.to.includes('lea@example.com') && mail.subject.includes('confirmed'),
		10_000
	);
	expect(confirmed.subject).toContain(`order ${number} confirmed`);
	expect(confirmed.text).toContain(spokenTime(order.fulfillment.atShopTime));
	expect(confirmed.text).toContain('2 × Alfajores');

	const packing = await screen(browser, '/packing');
	const ticket = packing.locator(`article.ticket[data-order-number="${number}"]`).first();
	for (const tick of await ticket.locator('button.tick').all()) await tick.click();
	await ticket.getByRole('button', { name: 'Packed' }).click();
	const ready = await smtp.waitFor((mail) => mail.subject.includes('ready to collect'), 10_000);
	expect(ready.subject).toContain(number);

	const packed = packing.locator(`article.ticket.done[data-order-number="${number}"]`);
	await expect(packed.getByTestId('payment')).toContainText('To pay');
	await packed.getByRole('button', { name: 'Collected · cash' }).click();
	await expect(packed).toHaveCount(0);
	await expect(customer.getByTestId('status')).toHaveText('Collected');

	expect(onHand('ALFAJORES')).toBe(shelfBefore - 2);
	const sold = query<{ sku: string; quantity: number; grossMinor: number }>(
		'select sku, quantity, gross_minor as grossMinor from sales where order_id = ?',
		order.id
	);
	expect(sold).toEqual([{ sku: 'ALFAJORES', quantity: 2, grossMinor: order.totalMinor }]);
	const paid = query<{ method: string; state: string; amount: number }>(
		'select method, state, amount_minor as amount from payments where order_id = ?',
		order.id
	);
	expect(paid).toEqual([{ method: 'cash', state: 'recorded', amount: order.totalMinor }]);

	const thanks = await smtp.waitFor((mail) => mail.subject.includes('thank you'), 10_000);
	const link = /(http\S+\/rate\/\S+\?score=5)/.exec(thanks.text)![1]!;
	const rating = await (await browser.newContext()).newPage();
	expect(link.startsWith(`${app.url}/rate/${token}`)).toBe(true);
	await rating.goto(link);
	await expect(rating.locator('html[data-hydrated]')).toBeAttached();
	await rating.getByRole('button', { name: 'Send' }).click();
	await expect(rating.getByTestId('thanks')).toContainText('5 out of 5');

	const date = order.fulfillment.atShopTime.slice(0, 10);
	const reports = await screen(browser, `/admin/reports?date=${date}`);
	await expect(reports.getByTestId('figure-satisfaction')).toContainText('5.0');
	await expect(reports.getByTestId('figure-satisfaction')).toContainText('1 rating');
	await expect(reports.getByTestId('figure-accuracy')).toContainText('100');
});

test('a delivery order goes out with the courier and is completed by its webhooks', async ({
	browser
}) => {
	const slots = (await (await fetch(`${app.url}/api/slots`)).json()) as {
		days: { slots: { at: string }[] }[];
	};
	const at = slots.days.flatMap((day) => day.slots)[0]!.at;
	const placed = await postJson(`${app.url}/api/orders`, {
		customer: { name: 'Sam Okafor', email: 'sam@example.com', phone: '+44 7700 900456' },
		fulfillment: {
			type: 'delivery',
			at,
			address: { line1: '4 Mill Lane', city: 'London', postcode: 'E1 6AN' }
		},
		lines: [{ sku: 'ALFAJORES', quantity: 1 }],
		payment: { method: 'card', token: 'pm_card_visa' }
	});
	expect(placed.status).toBe(201);
	const order = placed.body as ApiOrder;
	expect(order.payment.state).toBe('authorized');

	await expect.poll(() => courier.deliveries.size, { timeout: 10_000 }).toBeGreaterThan(0);
	const [externalId] = [...courier.deliveries.keys()];
	await expect.poll(async () => (await getOrder(order.id)).delivery?.state).toBe('created');

	const tracking = await screen(browser, `/track/${order.trackingToken}`);
	const packing = await screen(browser, '/packing');
	const current = await getOrder(order.id);
	await postJson(
		`${app.url}/api/orders/${order.id}/pack`,
		{ expectedVersion: current.version },
		app.headers
	);
	const ticket = packing.locator(`article.ticket.done[data-order-number="${order.number}"]`);
	await expect(ticket.getByTestId('courier')).toContainText('arrives');

	// A webhook that is not signed with the shop's secret is refused and changes nothing.
	const forged = await fetch(`${app.url}/api/webhooks/courier`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-courier-signature': 't=1,v1=00' },
		body: JSON.stringify({
			event_name: 'DASHER_DROPPED_OFF',
			external_delivery_id: externalId,
			created_at: new Date().toISOString()
		})
	});
	expect(forged.status).toBe(401);
	expect((await getOrder(order.id)).status).toBe('ready');

	expect(await courier.advance(externalId!, 'DASHER_CONFIRMED', { dasher_name: 'Kim' })).toBe(200);
	expect(await courier.advance(externalId!, 'DASHER_PICKED_UP')).toBe(200);
	await expect(tracking.getByTestId('status')).toHaveText('On its way');
	await expect(tracking.getByTestId('courier')).toContainText('Follow the courier');
	const onItsWay = await smtp.waitFor((mail) => mail.subject.includes('on its way'), 10_000);
	expect(onItsWay.text).toContain(courier.deliveries.get(externalId!)!.trackingUrl);

	expect(await courier.advance(externalId!, 'DASHER_DROPPED_OFF')).toBe(200);
	await expect(tracking.getByTestId('status')).toHaveText('Delivered');
	const done = await getOrder(order.id);
	expect(done).toMatchObject({ status: 'completed', payment: { state: 'paid' } });
	expect(done.delivery?.state).toBe('delivered');
	expect([...pay.intents.values()].at(-1)!.status).toBe('succeeded');
});
