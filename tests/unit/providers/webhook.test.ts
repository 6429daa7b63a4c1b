import { createHmac } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
	sendSignedWebhook,
	verifyBakerySignature,
	type SignedWebhook
} from '../../../src/lib/server/providers/webhook';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/fake-providers';

const NOW = Date.UTC(2026, 11, 5, 9, 0);
const SECRET = 'shop-webhook-secret-0123';

describe('sendSignedWebhook', () => {
	let receiver: WebhookReceiver;
	let webhook: SignedWebhook;

	beforeEach(async () => {
		receiver = await startWebhookReceiver(SECRET, { now: () => NOW });
		webhook = {
			url: `${receiver.url}/hooks/bakery`,
			secret: SECRET,
			event: 'order.ready',
			payload: { orderId: 41, pickupAt: NOW + 30 * 60_000 },
			id: 'notice-7',
			now: NOW
		};
	});
	afterEach(() => receiver.close());

	it('posts the payload with its event, id and a signature the receiver verifies', async () => {
		await sendSignedWebhook(webhook);

		const rawBody = JSON.stringify(webhook.payload);
		const digest = createHmac('sha256', SECRET)
			.update(`${NOW / 1000}.${rawBody}`)
			.digest('hex');
		expect(receiver.received).toEqual([
			{
				event: 'order.ready',
				deliveryId: 'notice-7',
				signature: `t=${NOW / 1000},v1=${digest}`,
				rawBody,
				body: { orderId: 41, pickupAt: NOW + 30 * 60_000 },
				verified: true
			}
		]);
	});

	it('reports a receiver that refuses the signature, quoting it, as final', async () => {
		const send = sendSignedWebhook({ ...webhook, secret: 'rotated-away-secret' });

		await expect(send).rejects.toThrow(
			`webhook answered 401 (http_401): ${webhook.url} said {"error":"signature does not verify"}`
		);
		await expect(send).rejects.toMatchObject({
			provider: 'webhook',
			status: 401,
			retryable: false
		});
		expect(receiver.received[0]?.verified).toBe(false);
	});

	it('reports a receiver that is down as worth another attempt', async () => {
		receiver.failNext(1, 503);
		await expect(sendSignedWebhook(webhook)).rejects.toMatchObject({
			status: 503,
			retryable: true
		});
	});
});

describe('verifyBakerySignature', () => {
	const rawBody = '{"orderId":41}';
	const digest = (secret: string) =>
		createHmac('sha256', secret)
			.update(`${NOW / 1000}.${rawBody}`)
			.digest('hex');

	it('accepts any of several signatures, so a secret can be rotated', () => {
		const header = `t=${NOW / 1000},v1=${digest('old-secret')},v1=${digest(SECRET)}`;
		expect(verifyBakerySignature(rawBody, header, SECRET, NOW)).toBe(true);
	});

	it('rejects a header without a timestamp', () => {
		expect(verifyBakerySignature(rawBody, `v1=${digest(SECRET)}`, SECRET, NOW)).toBe(false);
	});

	it('honours a tolerance narrower than the default', () => {
		const header = `t=${NOW / 1000},v1=${digest(SECRET)}`;
		expect(verifyBakerySignature(rawBody, header, SECRET, NOW + 61_000, 60_000)).toBe(false);
	});
});
