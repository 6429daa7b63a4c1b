import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { BackgroundWork, createProviders } from '../../src/lib/server/background';
import { loadConfig } from '../../src/lib/server/config';
import {
	notifications,
	payments,
	productStock,
	products,
	sales
} from '../../src/lib/server/db/schema';
import { AppError } from '../../src/lib/server/errors';
import { bookDeliveries, applyCourierEvent } from '../../src/lib/server/delivery/courier';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS } from '../../src/lib/server/notices/dispatcher';
import { cancelOrder } from '../../src/lib/server/orders/cancel';
import { completeOrder } from '../../src/lib/server/orders/complete';
import { refundOrder, releaseHold } from '../../src/lib/server/orders/refund';
import { packOrder } from '../../src/lib/server/orders/packing';
import { takeOrder } from '../../src/lib/server/orders/pay-ahead';
import { findOrder } from '../../src/lib/server/orders/queries';
import { rateOrder } from '../../src/lib/server/orders/rating';
import { parseCourierEvent } from '../../src/lib/server/providers/courier';
import { footprint, testBakery, type TestBakery } from '../helpers/deps';
import {
	startCourierServer,
	startPaymentServer,
	startSmsServer,
	startSmtpServer,
	startWebhookReceiver,
	type CourierServer,
	type PaymentServer,
	type SmsServer,
	type SmtpServer,
	type WebhookReceiver
} from '../helpers/fake-providers';

// Thursday 13 June 2024, 05:00 in London (04:00 UTC, British Summer Time).
const NOW = Date.parse('2024-06-13T04:00:00Z');
const SECRET = 'webhook-secret-for-tests';

let smtp: SmtpServer;
let sms: SmsServer;
let pay: PaymentServer;
let courier: CourierServer;
let hook: WebhookReceiver;
let clock = NOW;

beforeAll(async () => {
	[smtp, sms, pay, hook] = await Promise.all([
		startSmtpServer(),
		startSmsServer(),
		startPaymentServer(),
		startWebhookReceiver(SECRET, { now: () => clock })
	]);
	courier = await startCourierServer({ webhookSecret: SECRET, now: () => clock });
});
afterAll(() => Promise.all([smtp, sms, pay, hook, courier].map((server) => server.close())));

let bakery: TestBakery;
let work: BackgroundWork;

beforeEach(() => {
	clock = NOW;
	bakery = testBakery({ now: NOW });
	bakery.setNow = (instant) => (clock = instant);
	bakery.deps.now = () => clock;
	bakery.deps.config = loadConfig({
		DATABASE_PATH: '/unused',
		SHOP_TIMEZONE: 'Europe/London',
		ORIGIN: 'https://shop.example',
		SMTP_URL: smtp.url,
		MAIL_FROM: 'Crumb & Co <orders@crumb.example>',
		SMS_BASE_URL: sms.url,
		SMS_ACCOUNT_SID: sms.accountSid,
		SMS_AUTH_TOKEN: sms.authToken,
		SMS_FROM: '+447700900000',
		NOTIFY_WEBHOOK_URL: hook.url,
		NOTIFY_WEBHOOK_SECRET: SECRET,
		COURIER_BASE_URL: courier.url,
		COURIER_API_KEY: courier.apiKey,
		COURIER_WEBHOOK_SECRET: SECRET,
		PAYMENTS_BASE_URL: pay.url,
		PAYMENTS_SECRET_KEY: pay.secretKey
	});
	bakery.deps.providers = createProviders(bakery.deps.config);
	work = new BackgroundWork(bakery.deps);
	smtp.messages.length = 0;
	sms.messages.length = 0;
	hook.received.length = 0;
});
afterEach(async () => {
	await work.stop();
	bakery.close();
});

const send = () => work.dispatcher.drain();

/** The AppError a call rejects with, for its status and message. */
async function rejection(promise: Promise<unknown>): Promise<AppError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof AppError) return error;
		throw error;
	}
	throw new Error('expected the call to be refused');
}

function noticesOf(orderId: number) {
	return bakery.db.select().from(notifications).where(eq(notifications.orderId, orderId)).all();
}

function onHand(sku: string) {
	return bakery.db
		.select({ onHand: productStock.onHand, reserved: productStock.reserved })
		.from(productStock)
		.innerJoin(products, eq(products.id, productStock.productId))
		.where(eq(products.sku, sku))
		.get()!;
}

const customer = { name: 'Ana Ruiz', email: 'ana@example.com', phone: '+44 7700 900123' };

async function pickupOrder(extra: Record<string, unknown> = {}) {
	const { order } = await takeOrder(bakery.deps, {
		customer,
		fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
		lines: [
			{ sku: 'CROISSANT', quantity: 2 },
			{ sku: 'COFFEE', quantity: 1 }
		],
		...extra
	});
	return order;
}

describe('customer notices', () => {
	it('confirms by e-mail, text and signed webhook with the promised time on the shop clock, then says ready', async () => {
		const order = await pickupOrder();
		expect(await send()).toBe(3);

		const mail = await smtp.waitFor((message) => message.to.includes('ana@example.com'));
		expect(mail.subject).toContain(`order ${order.number} confirmed`);
		// 12:00 in London is 11:00 UTC in June: the customer reads the shop's wall clock.
		expect(mail.text).toContain('Thursday 13 June at 12:00');
		expect(mail.text).toContain(`https://shop.example/track/${order.trackingToken}`);
		expect(sms.messages).toHaveLength(1);
		expect(sms.messages[0]).toMatchObject({ to: '+44 7700 900123', from: '+447700900000' });
		expect(sms.messages[0]!.body).toContain('Thursday 13 June at 12:00');
		expect(hook.received).toHaveLength(1);
		expect(hook.received[0]).toMatchObject({ event: 'order.confirmed', verified: true });
		expect(hook.received[0]!.body).toMatchObject({ number: order.number, kind: 'confirmed' });

		packOrder(bakery.deps, order.id, { expectedVersion: order.version });
		await send();
		const ready = await smtp.waitFor((message) => message.subject.includes('ready to collect'));
		expect(ready.text).toContain('Still to pay');
		expect(noticesOf(order.id).map((row) => `${row.kind}:${row.channel}:${row.state}`)).toEqual([
			'confirmed:email:sent',
			'confirmed:sms:sent',
			'confirmed:webhook:sent',
			'ready:email:sent',
			'ready:sms:sent',
			'ready:webhook:sent'
		]);
		// Nothing is sent twice: another round finds nothing due.
		expect(await send()).toBe(0);
		expect(smtp.messages).toHaveLength(2);
	});

	it('sends nothing twice after a restart, and takes over what a crashed sender had claimed', async () => {
		const order = await pickupOrder({ notify: ['email'] });
		await send();
		expect(smtp.messages).toHaveLength(1);

		// A new process on the same database: what was sent stays sent.
		const restarted = new BackgroundWork(bakery.deps);
		expect(await restarted.dispatcher.drain()).toBe(0);

		// A sender that claimed a notice and died before sending: after its claim lapses, the
		// notice goes out once.
		packOrder(bakery.deps, order.id, { expectedVersion: order.version });
		bakery.db
			.update(notifications)
			.set({ claimedUntil: clock + 60_000 })
			.where(eq(notifications.kind, 'ready'))
			.run();
		expect(await restarted.dispatcher.drain()).toBe(0);
		clock += 2 * 60_000;
		expect(await restarted.dispatcher.drain()).toBe(2);
		expect(smtp.messages.map((mail) => mail.subject)).toEqual([
			expect.stringContaining('confirmed'),
			expect.stringContaining('ready to collect')
		]);
		await restarted.stop();
	});

	it('records a notice for a channel the shop has not set up as skipped, saying what to set', async () => {
		const bare = testBakery({ now: NOW });
		const idle = new BackgroundWork(bare.deps);
		try {
			await takeOrder(bare.deps, {
				customer,
				fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
				lines: [{ sku: 'COFFEE', quantity: 1 }]
			});
			expect(await idle.dispatcher.drain()).toBe(3);
			const rows = bare.db.select().from(notifications).all();
			expect(rows.map((row) => [row.channel, row.state])).toEqual([
				['email', 'skipped'],
				['sms', 'skipped'],
				['webhook', 'skipped']
			]);
			expect(rows[0]!.lastError).toBe('e-mail is not set up: set SMTP_URL and MAIL_FROM');
			expect(await idle.dispatcher.drain()).toBe(0);
		} finally {
			await idle.stop();
			bare.close();
		}
	});

	it('follows the customer choice of channels', async () => {
		const order = await pickupOrder({ notify: ['sms'] });
		await send();
		expect(noticesOf(order.id).map((row) => row.channel)).toEqual(['sms', 'webhook']);
		expect(smtp.messages).toHaveLength(0);
	});

	it('retries a temporary SMTP failure with backoff and marks a permanent one failed, never blocking the order', async () => {
		smtp.failNext(1, 451);
		const order = await pickupOrder({ notify: ['email'] });
		expect(order.status).toBe('received');
		await send();
		let [mail] = noticesOf(order.id).filter((row) => row.channel === 'email');
		expect(mail).toMatchObject({ state: 'pending', attempts: 1 });
		expect(mail!.lastError).toMatch(/451/);
		expect(mail!.nextAttemptAt).toBe(NOW + RETRY_DELAYS_MS[0]!);

		// Not yet due: nothing is sent before the backoff has passed.
		expect(await send()).toBe(0);
		clock = NOW + RETRY_DELAYS_MS[0]!;
		await send();
		[mail] = noticesOf(order.id).filter((row) => row.channel === 'email');
		expect(mail).toMatchObject({ state: 'sent', attempts: 2 });

		smtp.failNext(1, 550);
		packOrder(bakery.deps, order.id, { expectedVersion: order.version });
		await send();
		const ready = noticesOf(order.id).find(
			(row) => row.kind === 'ready' && row.channel === 'email'
		);
		expect(ready).toMatchObject({ state: 'failed', attempts: 1 });
	});

	it('gives up on an SMS provider that stays down after the last try', async () => {
		sms.failNext(MAX_ATTEMPTS + 5, 503);
		const order = await pickupOrder({ notify: ['sms'] });
		for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
			await send();
			clock += 2 * 60 * 60_000;
		}
		const text = noticesOf(order.id).find((row) => row.channel === 'sms')!;
		expect(text).toMatchObject({ state: 'failed', attempts: MAX_ATTEMPTS });
		expect(text.lastError).toMatch(/503/);
		expect(findOrder(bakery.db, order.id, 'Europe/London')!.status).toBe('received');
	});
});

describe('completion and payment', () => {
	it('collects a cash order: payment recorded, stock consumed, sales with tax, thanks with a rating link', async () => {
		const before = onHand('CROISSANT');
		const order = await pickupOrder();
		expect(onHand('CROISSANT')).toEqual({ onHand: before.onHand, reserved: before.reserved + 2 });
		const packed = packOrder(bakery.deps, order.id, { expectedVersion: order.version });

		const unpaid = await rejection(
			completeOrder(bakery.deps, order.id, { expectedVersion: packed.version })
		);
		expect(unpaid.status).toBe(422);
		expect(unpaid.message).toMatch(/not paid/);

		const done = await completeOrder(bakery.deps, order.id, {
			expectedVersion: packed.version,
			payment: { method: 'cash', tenderedMinor: 2000 }
		});
		expect(done.order).toMatchObject({ status: 'completed', payment: { state: 'paid' } });
		expect(done.changeMinor).toBe(2000 - order.totalMinor);
		expect(onHand('CROISSANT')).toEqual({ onHand: before.onHand - 2, reserved: before.reserved });

		const rows = bakery.db.select().from(sales).where(eq(sales.orderId, order.id)).all();
		expect(rows.map((row) => [row.sku, row.quantity, row.grossMinor])).toEqual(
			order.lines.map((line) => [line.sku, line.quantity, line.quantity * line.unitPriceMinor])
		);
		expect(rows.reduce((sum, row) => sum + row.grossMinor, 0)).toBe(order.totalMinor);
		const payment = bakery.db.select().from(payments).where(eq(payments.orderId, order.id)).all();
		expect(payment).toMatchObject([
			{ method: 'cash', state: 'recorded', amountMinor: order.totalMinor }
		]);

		await send();
		const thanks = await smtp.waitFor((message) => message.subject.includes('thank you'));
		expect(thanks.text).toContain(`https://shop.example/rate/${order.trackingToken}?score=5`);
		expect(rateOrder(bakery.deps, order.trackingToken, { score: '4' }).rating).toBe(4);
		expect(findOrder(bakery.db, order.id, 'Europe/London')!.rating).toBe(4);
	});

	it('packed short: the customer is told, pays for what is in the box, and the rest goes back on the shelf', async () => {
		const before = onHand('CROISSANT');
		const order = await pickupOrder({ payment: { method: 'card', token: 'pm_card_visa' } });
		const croissant = order.lines.find((line) => line.sku === 'CROISSANT')!;
		const packed = packOrder(bakery.deps, order.id, {
			expectedVersion: order.version,
			lines: [{ id: croissant.id, packed: 1 }]
		});
		await send();
		const changed = await smtp.waitFor((mail) => mail.subject.includes('has changed'));
		expect(changed.text).toContain('we could only pack 1 of the 2 Croissant');

		const done = await completeOrder(bakery.deps, order.id, { expectedVersion: packed.version });
		const due = order.totalMinor - croissant.unitPriceMinor;
		expect(done.order.payment).toMatchObject({ state: 'paid', paidMinor: due });
		const intent = [...pay.intents.values()].at(-1)!;
		expect(intent).toMatchObject({ status: 'succeeded', amountReceived: due });
		expect(onHand('CROISSANT')).toEqual({ onHand: before.onHand - 1, reserved: before.reserved });
		const sold = bakery.db.select().from(sales).where(eq(sales.orderId, order.id)).all();
		expect(sold.find((row) => row.sku === 'CROISSANT')).toMatchObject({ quantity: 1 });
	});

	it('holds a card at ordering and captures it at collection', async () => {
		const order = await pickupOrder({ payment: { method: 'card', token: 'pm_card_visa' } });
		expect(order.payment).toMatchObject({ state: 'authorized', authorizedMinor: order.totalMinor });
		const intent = [...pay.intents.values()].at(-1)!;
		expect(intent).toMatchObject({ status: 'requires_capture', amount: order.totalMinor });

		const packed = packOrder(bakery.deps, order.id, { expectedVersion: order.version });
		const done = await completeOrder(bakery.deps, order.id, { expectedVersion: packed.version });
		expect(done.order.payment).toMatchObject({ state: 'paid', paidMinor: order.totalMinor });
		expect(pay.intents.get(intent.id)!.status).toBe('succeeded');
	});

	it('refuses an order whose card is declined and writes nothing', async () => {
		const before = footprint(bakery.db);
		const error = await rejection(
			pickupOrder({ payment: { method: 'card', token: 'pm_card_chargeDeclinedInsufficientFunds' } })
		);
		expect(error.status).toBe(402);
		expect(error.message).toMatch(/insufficient_funds/);
		expect(footprint(bakery.db)).toEqual(before);
	});

	it('keeps a declined counter card uncollected with the reason, then takes cash', async () => {
		const order = await pickupOrder();
		const packed = packOrder(bakery.deps, order.id, { expectedVersion: order.version });
		const declined = await rejection(
			completeOrder(bakery.deps, order.id, {
				expectedVersion: packed.version,
				payment: { method: 'card', token: 'pm_card_chargeDeclined' }
			})
		);
		expect(declined.status).toBe(402);

		const shown = findOrder(bakery.db, order.id, 'Europe/London')!;
		expect(shown.status).toBe('ready');
		expect(shown.payment.problem).toMatch(/declined \(generic_decline\)/);

		const done = await completeOrder(bakery.deps, order.id, {
			expectedVersion: shown.version,
			payment: { method: 'cash' }
		});
		expect(done.order.payment).toMatchObject({ state: 'paid', problem: null });
	});
});

describe('orders paid on a shop platform', () => {
	const shopifyOrder = (externalId: string, paidOn?: { amountMinor: number }) =>
		takeOrder(
			bakery.deps,
			{
				channel: 'shopify',
				externalId,
				customer,
				fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
				lines: [
					{ sku: 'COFFEE', quantity: 2 },
					{ sku: 'TEA', quantity: 1 }
				]
			},
			paidOn ? { paidOn: { platform: 'shopify', ref: externalId, currency: 'GBP', ...paidOn } } : {}
		);

	it('hands over without taking money again, at the platform price, and shows where it was paid', async () => {
		// Shopify's price with its discount is below ours: still paid, nothing more to take.
		const intentsBefore = pay.intents.size;
		const { order } = await shopifyOrder('5001', { amountMinor: 100 });
		expect(order.totalMinor).toBeGreaterThan(100);
		expect(order.payment).toMatchObject({ state: 'paid', paidMinor: 100, paidOn: 'Shopify' });
		const packed = packOrder(bakery.deps, order.id, { expectedVersion: order.version });
		const done = await completeOrder(bakery.deps, order.id, { expectedVersion: packed.version });
		expect(done.order.status).toBe('completed');
		expect(pay.intents.size).toBe(intentsBefore);
		const rows = bakery.db.select().from(payments).where(eq(payments.orderId, order.id)).all();
		expect(rows).toMatchObject([
			{
				method: 'card',
				state: 'recorded',
				provider: 'shopify',
				providerRef: '5001',
				amountMinor: 100
			}
		]);
		// The sales ledger books what Shopify took, shared over the lines by our prices.
		const sold = bakery.db.select().from(sales).where(eq(sales.orderId, order.id)).all();
		expect(sold.map((row) => row.sku)).toEqual(['COFFEE', 'TEA']);
		const [coffee, tea] = order.lines;
		const ours = 2 * coffee!.unitPriceMinor + tea!.unitPriceMinor;
		const coffeeShare = Math.round((100 * 2 * coffee!.unitPriceMinor) / ours);
		expect(sold.map((row) => row.grossMinor)).toEqual([coffeeShare, 100 - coffeeShare]);
	});

	it('records nothing as paid, and tells staff, when the platform took another currency or part', async () => {
		const dollars = await takeOrder(
			bakery.deps,
			{
				channel: 'shopify',
				externalId: '5003',
				customer,
				fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
				lines: [{ sku: 'COFFEE', quantity: 1 }]
			},
			{ paidOn: { platform: 'shopify', ref: '5003', amountMinor: 500, currency: 'USD' } }
		);
		expect(dollars.order.payment).toMatchObject({
			state: 'unpaid',
			paidOn: null,
			problem:
				'US$5.00 was paid on Shopify, but this shop sells in GBP: settle it by hand before handing over'
		});
		const part = await takeOrder(
			bakery.deps,
			{
				channel: 'square',
				externalId: 'SQ-PART',
				customer,
				fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
				lines: [{ sku: 'COFFEE', quantity: 1 }]
			},
			{
				paidOn: {
					platform: 'square',
					ref: 'SQ-PART',
					amountMinor: 100,
					currency: 'GBP',
					partial: true
				}
			}
		);
		expect(part.order.payment.problem).toBe(
			'£1.00 is paid on Square already: take only the rest at the counter'
		);
		expect(
			bakery.db.select().from(payments).where(eq(payments.orderId, part.order.id)).all()
		).toEqual([]);
	});

	it('asks for payment at the counter when the platform was not paid', async () => {
		const { order } = await shopifyOrder('5002');
		expect(order.payment).toMatchObject({ state: 'unpaid', paidOn: null });
		const packed = packOrder(bakery.deps, order.id, { expectedVersion: order.version });
		const unpaid = await rejection(
			completeOrder(bakery.deps, order.id, { expectedVersion: packed.version })
		);
		expect([unpaid.status, unpaid.message]).toEqual([422, expect.stringMatching(/not paid/)]);
	});
});

describe('refunds and cancellations', () => {
	it('refunds one line of a card order through the provider, keeping the sale and adding a refund', async () => {
		const order = await pickupOrder({ payment: { method: 'card', token: 'pm_card_visa' } });
		const packed = packOrder(bakery.deps, order.id, { expectedVersion: order.version });
		await completeOrder(bakery.deps, order.id, { expectedVersion: packed.version });
		const croissant = order.lines.find((line) => line.sku === 'CROISSANT')!;

		const refunded = await refundOrder(bakery.deps, order.id, {
			lines: [{ id: croissant.id, quantity: 1 }],
			reason: 'one was burnt'
		});
		expect(refunded.payment.paidMinor).toBe(order.totalMinor - croissant.unitPriceMinor);
		expect(pay.refunds.at(-1)).toMatchObject({ amount: croissant.unitPriceMinor });
		const rows = bakery.db.select().from(sales).where(eq(sales.orderId, order.id)).all();
		expect(rows.filter((row) => row.kind === 'refund')).toMatchObject([
			{ sku: 'CROISSANT', quantity: -1, grossMinor: -croissant.unitPriceMinor }
		]);
		expect(rows.reduce((sum, row) => sum + row.grossMinor, 0)).toBe(refunded.payment.paidMinor);

		const tooMany = await rejection(
			refundOrder(bakery.deps, order.id, {
				lines: [{ id: croissant.id, quantity: 2 }],
				reason: 'changed mind'
			})
		);
		expect(tooMany.status).toBe(422);
		expect(tooMany.message).toBe('lines[0].quantity: only 1 Croissant can still be refunded');
	});

	it('releases the card hold of a cancelled order', async () => {
		const order = await pickupOrder({ payment: { method: 'card', token: 'pm_card_visa' } });
		cancelOrder(bakery.deps, order.id, { reason: 'customer called' });
		await releaseHold(bakery.deps, order.id);
		const intent = [...pay.intents.values()].at(-1)!;
		expect(intent.status).toBe('canceled');
		expect(findOrder(bakery.db, order.id, 'Europe/London')!.payment.state).toBe('unpaid');
		await send();
		const mail = await smtp.waitFor((message) => message.subject.includes('is cancelled'));
		expect(mail.text).toContain('customer called');
	});
});

describe('delivery through the courier', () => {
	it('books the courier, follows its webhooks to delivered and completes the order', async () => {
		const { order } = await takeOrder(bakery.deps, {
			customer,
			fulfillment: {
				type: 'delivery',
				at: '2024-06-13T12:00',
				address: { line1: '4 Mill Lane', city: 'London', postcode: 'E1 6AN' }
			},
			lines: [{ sku: 'CROISSANT', quantity: 2 }],
			payment: { method: 'card', token: 'pm_card_visa' }
		});
		expect(order.delivery).toMatchObject({ state: 'requested' });

		// Two passes at once (two server processes on one database) ask the courier once.
		const passes = await Promise.all([
			bookDeliveries(bakery.deps, bakery.deps.providers!.courier!),
			bookDeliveries(bakery.deps, bakery.deps.providers!.courier!)
		]);
		expect(passes.sort()).toEqual([0, 1]);
		expect(courier.createRequests).toBe(1);
		const booked = findOrder(bakery.db, order.id, 'Europe/London')!;
		expect(booked.delivery).toMatchObject({ state: 'created' });
		expect(booked.delivery!.trackingUrl).toMatch(/^http/);
		const [externalId, sent] = [...courier.deliveries.entries()][0]!;
		expect(sent.request).toMatchObject({ dropoff_address: '4 Mill Lane, London, E1 6AN' });

		// A repeat of the round books nothing twice.
		expect(await bookDeliveries(bakery.deps, bakery.deps.providers!.courier!)).toBe(0);

		const event = (name: string, minutes: number, extra = {}) =>
			applyCourierEvent(
				bakery.deps,
				parseCourierEvent({
					event_name: name,
					external_delivery_id: externalId,
					created_at: new Date(NOW + minutes * 60_000).toISOString(),
					...extra
				})
			);
		expect(await event('DASHER_CONFIRMED', 10, { dasher_name: 'Sam' })).toEqual({ applied: true });
		packOrder(bakery.deps, order.id, {
			expectedVersion: findOrder(bakery.db, order.id, 'Europe/London')!.version
		});
		expect(await event('DASHER_PICKED_UP', 20)).toEqual({ applied: true });
		expect(findOrder(bakery.db, order.id, 'Europe/London')!.status).toBe('out_for_delivery');
		// The same event again, or an older one, changes nothing.
		expect((await event('DASHER_PICKED_UP', 20)).applied).toBe(false);
		expect((await event('DASHER_CONFIRMED', 11)).applied).toBe(false);

		expect(await event('DASHER_DROPPED_OFF', 45)).toEqual({ applied: true });
		const done = findOrder(bakery.db, order.id, 'Europe/London')!;
		expect(done.payment.problem).toBeNull();
		expect(done).toMatchObject({ status: 'completed', delivery: { state: 'delivered' } });
		expect(done.payment.state).toBe('paid');

		await send();
		const onItsWay = await smtp.waitFor((message) => message.subject.includes('on its way'));
		expect(onItsWay.text).toContain(booked.delivery!.trackingUrl!);
		// No "ready to collect" for a delivery: the customer hears when the courier has it.
		expect(smtp.messages.some((message) => message.subject.includes('ready to collect'))).toBe(
			false
		);
	});
});
