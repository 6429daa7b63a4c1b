import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ProviderError } from '../../../src/lib/server/providers/errors';
import {
	PaymentDeclined,
	createPaymentClient,
	type CardPayment,
	type PaymentClient
} from '../../../src/lib/server/providers/payments';
import { startPaymentServer, type PaymentServer } from '../../helpers/fake-providers';

const order: CardPayment = {
	amountMinor: 1250,
	currency: 'GBP',
	paymentMethod: 'pm_card_visa',
	idempotencyKey: 'order-41-authorize',
	description: 'Order 41'
};

describe('createPaymentClient', () => {
	let stripe: PaymentServer;
	let payments: PaymentClient;

	beforeEach(async () => {
		stripe = await startPaymentServer();
		payments = createPaymentClient({ baseUrl: stripe.url, secretKey: stripe.secretKey });
	});
	afterEach(() => stripe.close());

	it('holds the amount when authorising and takes it when capturing', async () => {
		const authorised = await payments.authorize(order);
		expect(authorised).toEqual({ id: expect.stringMatching(/^pi_/), status: 'requires_capture' });
		expect(stripe.intents.get(authorised.id)).toEqual({
			id: authorised.id,
			amount: 1250,
			currency: 'gbp',
			paymentMethod: 'pm_card_visa',
			captureMethod: 'manual',
			status: 'requires_capture',
			amountReceived: 0,
			amountRefunded: 0,
			description: 'Order 41'
		});

		const captured = await payments.capture(authorised.id, { idempotencyKey: 'order-41-capture' });
		expect(captured).toEqual({ id: authorised.id, status: 'succeeded' });
		expect(stripe.intents.get(authorised.id)?.amountReceived).toBe(1250);
	});

	it('captures less than authorised when part of the order was not handed over', async () => {
		const { id } = await payments.authorize(order);
		await payments.capture(id, { idempotencyKey: 'order-41-capture', amountMinor: 1000 });
		expect(stripe.intents.get(id)?.amountReceived).toBe(1000);
	});

	it('charges a card at the counter in one step', async () => {
		const charged = await payments.charge({ ...order, idempotencyKey: 'counter-7' });
		expect(charged.status).toBe('succeeded');
		expect(stripe.intents.get(charged.id)).toMatchObject({
			captureMethod: 'automatic',
			amountReceived: 1250
		});
	});

	it('refuses to capture an intent twice, naming its status', async () => {
		const { id } = await payments.authorize(order);
		await payments.capture(id, { idempotencyKey: 'capture-1' });

		const again = payments.capture(id, { idempotencyKey: 'capture-2' });
		await expect(again).rejects.toThrow(
			'payments answered 400 (payment_intent_unexpected_state): This PaymentIntent could not be captured because it has a status of succeeded.'
		);
		await expect(again).rejects.toMatchObject({ status: 400, retryable: false });
	});

	it('releases an authorisation that is cancelled', async () => {
		const { id } = await payments.authorize(order);
		await expect(payments.cancel(id)).resolves.toEqual({ id, status: 'canceled' });
	});

	it.each([
		{
			paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds',
			declineCode: 'insufficient_funds',
			message: 'payments declined the card (insufficient_funds): Your card has insufficient funds.'
		},
		{
			paymentMethod: 'pm_card_chargeDeclined',
			declineCode: 'generic_decline',
			message: 'payments declined the card (generic_decline): Your card was declined.'
		}
	])('reports $declineCode as a decline not worth retrying', async (card) => {
		const attempt = payments.authorize({ ...order, paymentMethod: card.paymentMethod });

		await expect(attempt).rejects.toBeInstanceOf(PaymentDeclined);
		await expect(attempt).rejects.toBeInstanceOf(ProviderError);
		await expect(attempt).rejects.toThrow(card.message);
		await expect(attempt).rejects.toMatchObject({
			declineCode: card.declineCode,
			provider: 'payments',
			status: 402,
			code: 'card_declined',
			retryable: false
		});
	});

	it('answers a repeated request with the first answer instead of charging again', async () => {
		const first = await payments.authorize(order);
		const repeat = await payments.authorize(order);

		expect(repeat).toEqual(first);
		expect(stripe.intents.size).toBe(1);
	});

	it('refuses an idempotency key reused for a different amount', async () => {
		await payments.authorize(order);
		const reused = payments.authorize({ ...order, amountMinor: 999 });

		await expect(reused).rejects.toMatchObject({
			code: 'idempotency_error',
			status: 400,
			retryable: false
		});
		expect(stripe.intents.size).toBe(1);
	});

	it('charges once when a retry follows a server error', async () => {
		stripe.failNext(1, 500);

		await expect(payments.authorize(order)).rejects.toMatchObject({ status: 500, retryable: true });
		await expect(payments.authorize(order)).resolves.toMatchObject({ status: 'requires_capture' });
		expect(stripe.intents.size).toBe(1);
	});

	it('refunds part of a payment, then refuses more than is left', async () => {
		const { id } = await payments.charge(order);

		const refund = await payments.refund({
			paymentIntent: id,
			amountMinor: 500,
			idempotencyKey: 'refund-1'
		});
		expect(refund).toEqual({ id: expect.stringMatching(/^re_/), status: 'succeeded' });
		expect(stripe.refunds).toEqual([{ id: refund.id, paymentIntent: id, amount: 500 }]);

		const tooMuch = payments.refund({
			paymentIntent: id,
			amountMinor: 800,
			idempotencyKey: 'refund-2'
		});
		await expect(tooMuch).rejects.toMatchObject({ code: 'amount_too_large', retryable: false });
	});

	it('refuses a fractional amount before anything is sent', async () => {
		await expect(payments.authorize({ ...order, amountMinor: 12.5 })).rejects.toThrow(
			'amountMinor must be a positive whole number of minor units (cents), not 12.5'
		);
		expect(stripe.intents.size).toBe(0);
	});

	it('says a wrong secret key is not worth retrying', async () => {
		const stranger = createPaymentClient({ baseUrl: stripe.url, secretKey: 'sk_test_wrong' });
		await expect(stranger.authorize(order)).rejects.toMatchObject({
			status: 401,
			code: 'invalid_request_error',
			retryable: false
		});
	});
});
