import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AppError } from '../../../src/lib/server/errors';
import {
	COURIER_SIGNATURE_HEADER,
	createCourierClient,
	parseCourierEvent,
	signCourierPayload,
	verifyCourierSignature,
	type CourierClient,
	type DeliveryRequest
} from '../../../src/lib/server/providers/courier';
import {
	startCourierServer,
	startWebhookReceiver,
	type CourierServer,
	type WebhookReceiver
} from '../../helpers/fake-providers';

const NOW = Date.UTC(2026, 11, 5, 9, 0);
const PICKUP_AT = Date.UTC(2026, 11, 5, 10, 30);
const SECRET = 'courier-webhook-secret';

const delivery: DeliveryRequest = {
	externalId: 'order-41',
	pickup: { businessName: 'Crumb & Co', address: '1 Mill Lane, Bath', phone: '+441632960001' },
	dropoff: { name: 'Ada', address: '9 High Street, Bath', phone: '+441632960123' },
	pickupTime: PICKUP_AT,
	dropoffWindow: { from: PICKUP_AT, to: PICKUP_AT + 60 * 60_000 },
	orderValueMinor: 2450
};

describe('createCourierClient', () => {
	let shop: WebhookReceiver;
	let courier: CourierServer;
	let client: CourierClient;

	beforeEach(async () => {
		shop = await startWebhookReceiver(SECRET, {
			signatureHeader: COURIER_SIGNATURE_HEADER,
			now: () => NOW
		});
		courier = await startCourierServer({
			webhookUrl: shop.url,
			webhookSecret: SECRET,
			now: () => NOW
		});
		client = createCourierClient({ baseUrl: courier.url, apiKey: courier.apiKey });
	});
	afterEach(async () => {
		await courier.close();
		await shop.close();
	});

	it('books a courier with the fields the API names, and reads back its estimates', async () => {
		const created = await client.createDelivery(delivery);

		expect(created).toEqual({
			externalId: 'order-41',
			state: 'created',
			trackingUrl: `${courier.url}/track/order-41`,
			pickupEta: PICKUP_AT,
			dropoffEta: PICKUP_AT + 30 * 60_000
		});
		expect(courier.deliveries.get('order-41')?.request).toEqual({
			external_delivery_id: 'order-41',
			pickup_business_name: 'Crumb & Co',
			pickup_address: '1 Mill Lane, Bath',
			pickup_phone_number: '+441632960001',
			pickup_time: '2026-12-05T10:30:00.000Z',
			dropoff_contact_given_name: 'Ada',
			dropoff_address: '9 High Street, Bath',
			dropoff_phone_number: '+441632960123',
			dropoff_window: {
				start_time: '2026-12-05T10:30:00.000Z',
				end_time: '2026-12-05T11:30:00.000Z'
			},
			order_value: 2450
		});
	});

	it('refuses a second delivery with the same id, for good', async () => {
		await client.createDelivery(delivery);

		await expect(client.createDelivery(delivery)).rejects.toMatchObject({
			provider: 'courier',
			status: 409,
			code: 'duplicate_delivery_id',
			message:
				'courier answered 409 (duplicate_delivery_id): A delivery with external_delivery_id order-41 already exists',
			retryable: false
		});
	});

	it('cancels a delivery no courier has collected yet', async () => {
		await client.createDelivery(delivery);
		await client.cancelDelivery('order-41');
		expect(courier.deliveries.get('order-41')?.status).toBe('cancelled');
	});

	it('cannot cancel once the courier has the order', async () => {
		await client.createDelivery(delivery);
		await courier.advance('order-41', 'DASHER_PICKED_UP');

		await expect(client.cancelDelivery('order-41')).rejects.toMatchObject({
			status: 409,
			code: 'cannot_be_cancelled',
			retryable: false
		});
	});

	it('names a delivery the courier does not know', async () => {
		await expect(client.cancelDelivery('order-99')).rejects.toThrow(
			'courier answered 404 (not_found): No delivery order-99'
		);
	});

	it('delivers events the shop can verify and read', async () => {
		await client.createDelivery(delivery);

		const status = await courier.advance('order-41', 'DASHER_CONFIRMED', { dasher_name: 'Sam' });

		expect(status).toBe(204);
		expect(shop.received).toHaveLength(1);
		expect(shop.received[0]?.verified).toBe(true);
		expect(parseCourierEvent(shop.received[0]?.body)).toEqual({
			externalId: 'order-41',
			state: 'assigned',
			at: NOW,
			courierName: 'Sam',
			pickupEta: PICKUP_AT,
			dropoffEta: PICKUP_AT + 30 * 60_000,
			reason: undefined
		});
	});

	it('is turned away by a shop holding another secret', async () => {
		const strangers = await startCourierServer({
			webhookUrl: shop.url,
			webhookSecret: 'someone-elses-secret',
			now: () => NOW
		});
		await createCourierClient({ baseUrl: strangers.url, apiKey: strangers.apiKey }).createDelivery(
			delivery
		);

		await expect(strangers.advance('order-41', 'DASHER_CONFIRMED')).resolves.toBe(401);
		expect(shop.received[0]?.verified).toBe(false);
		await strangers.close();
	});
});

describe('verifyCourierSignature', () => {
	const body = '{"event_name":"DASHER_PICKED_UP","external_delivery_id":"order-41"}';
	const header = signCourierPayload(body, SECRET, NOW);

	it.each([
		{ case: 'accepts the body it signed', body, header, secret: SECRET, now: NOW, valid: true },
		{
			case: 'accepts a signature made a little while ago',
			body,
			header,
			secret: SECRET,
			now: NOW + 299_000,
			valid: true
		},
		{
			case: 'rejects a tampered body',
			body: body.replace('order-41', 'order-42'),
			header,
			secret: SECRET,
			now: NOW,
			valid: false
		},
		{ case: 'rejects another secret', body, header, secret: 'wrong', now: NOW, valid: false },
		{
			case: 'rejects a stale timestamp',
			body,
			header,
			secret: SECRET,
			now: NOW + 301_000,
			valid: false
		},
		{
			case: 'rejects a timestamp from the future',
			body,
			header,
			secret: SECRET,
			now: NOW - 301_000,
			valid: false
		},
		{
			case: 'rejects a missing header',
			body,
			header: null,
			secret: SECRET,
			now: NOW,
			valid: false
		},
		{
			case: 'rejects a truncated digest',
			body,
			header: header.slice(0, -2),
			secret: SECRET,
			now: NOW,
			valid: false
		}
	])('$case', (example) => {
		expect(verifyCourierSignature(example.body, example.header, example.secret, example.now)).toBe(
			example.valid
		);
	});
});

describe('parseCourierEvent', () => {
	const event = (eventName: string, extra: Record<string, unknown> = {}) => ({
		event_name: eventName,
		external_delivery_id: 'order-41',
		created_at: '2026-12-05T10:42:00Z',
		...extra
	});

	it.each([
		['DASHER_CONFIRMED', 'assigned'],
		['DASHER_CONFIRMED_PICKUP_ARRIVAL', 'assigned'],
		['DASHER_PICKED_UP', 'picked_up'],
		['DASHER_CONFIRMED_DROPOFF_ARRIVAL', 'picked_up'],
		['DASHER_DROPPED_OFF', 'delivered'],
		['DELIVERY_CANCELLED', 'cancelled'],
		['DELIVERY_RETURN_INITIALIZED', 'failed'],
		['DELIVERY_RETURNED', 'failed']
	])('reads %s as %s', (eventName, state) => {
		expect(parseCourierEvent(event(eventName)).state).toBe(state);
	});

	it('keeps the courier, the estimates and the reason when they are sent', () => {
		const cancelled = event('DELIVERY_CANCELLED', {
			dasher_name: 'Sam',
			pickup_time_estimated: '2026-12-05T10:30:00Z',
			dropoff_time_estimated: '2026-12-05T11:00:00.123456Z',
			cancellation_reason: 'customer_unavailable',
			tip: 0
		});

		expect(parseCourierEvent(cancelled)).toEqual({
			externalId: 'order-41',
			state: 'cancelled',
			at: Date.UTC(2026, 11, 5, 10, 42),
			courierName: 'Sam',
			pickupEta: Date.UTC(2026, 11, 5, 10, 30),
			dropoffEta: Date.UTC(2026, 11, 5, 11, 0, 0, 123),
			reason: 'customer_unavailable'
		});
	});

	it('names every field at fault in a body it cannot use', () => {
		const bad = { event_name: 'DASHER_WAVED', created_at: 'yesterday' };

		let thrown: unknown;
		try {
			parseCourierEvent(bad);
		} catch (error) {
			thrown = error;
		}

		expect(thrown).toBeInstanceOf(AppError);
		expect((thrown as AppError).status).toBe(400);
		expect((thrown as AppError).details.problems?.map((problem) => problem.field)).toEqual([
			'event_name',
			'external_delivery_id',
			'created_at'
		]);
		expect((thrown as AppError).message).toMatch(
			/^event_name: is "DASHER_WAVED"; expected one of DASHER_CONFIRMED, /
		);
	});
});
