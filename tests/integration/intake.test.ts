import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseShopTime } from '../../src/lib/domain/shop-time';
import { cancelOrder } from '../../src/lib/server/orders/cancel';
import { placeOrder } from '../../src/lib/server/orders/intake';
import { findOrder } from '../../src/lib/server/orders/queries';
import { footprint, refusal, testBakery, type TestBakery } from '../helpers/deps';

const ZONE = 'Europe/London';
// Thursday 13 June 2024, 09:00 in London: the shop is open, 30 minutes' lead time.
const NOW = Date.parse('2024-06-13T08:00:00Z');

function order(overrides: Record<string, unknown> = {}) {
	return {
		customer: { name: 'Ana Ruiz', email: 'ana@example.com' },
		fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
		lines: [{ sku: 'CROISSANT', quantity: 2 }],
		...overrides
	};
}

let bakery: TestBakery;
beforeEach(() => {
	bakery = testBakery({ now: NOW, zone: ZONE });
});
afterEach(() => bakery.close());

describe('placeOrder', () => {
	it('takes an order with its lines, a short number and a tracking token, and announces it', () => {
		const { created, order: placed } = placeOrder(bakery.deps, order());

		expect(created).toBe(true);
		expect(placed).toMatchObject({
			number: '001',
			status: 'received',
			version: 1,
			channel: 'online',
			totalMinor: 360,
			currency: 'GBP',
			fulfillment: {
				type: 'pickup',
				at: '2024-06-13T11:00:00.000Z',
				atShopTime: '2024-06-13 12:00'
			},
			lines: [
				{
					sku: 'CROISSANT',
					name: 'Croissant',
					quantity: 2,
					unitPriceMinor: 180,
					modifiers: [],
					note: ''
				}
			]
		});
		expect(placed.trackingToken).toMatch(/^[A-Za-z0-9_-]{24}$/);
		expect(placed.createdAt).toBe('2024-06-13T08:00:00.000Z');
		expect(bakery.published).toEqual([{ seq: 1, at: NOW, type: 'order.created', order: placed }]);
	});

	it('numbers orders per shop day', () => {
		const numbers = [1, 2, 3].map(() => placeOrder(bakery.deps, order()).order.number);
		bakery.setNow(Date.parse('2024-06-14T08:00:00Z'));
		const nextDay = placeOrder(
			bakery.deps,
			order({ fulfillment: { type: 'pickup', at: '2024-06-14T12:00' } })
		);
		expect([...numbers, nextDay.order.number]).toEqual(['001', '002', '003', '001']);
	});

	it('keeps the same product on two lines with different notes as two lines', () => {
		const { order: placed } = placeOrder(
			bakery.deps,
			order({
				lines: [
					{ sku: 'PAIN-AU-CHOCOLAT', quantity: 2, note: 'well done' },
					{ sku: 'PAIN-AU-CHOCOLAT', quantity: 2 }
				]
			})
		);
		const stored = findOrder(bakery.db, placed.id, ZONE)!;
		expect(stored.lines.map(({ name, quantity, note }) => ({ name, quantity, note }))).toEqual([
			{ name: 'Pain au chocolat', quantity: 2, note: 'well done' },
			{ name: 'Pain au chocolat', quantity: 2, note: '' }
		]);
		expect(stored.lines.reduce((sum, line) => sum + line.quantity, 0)).toBe(4);
		expect(stored.totalMinor).toBe(840);
	});

	it('reads a time without an offset on the shop clock (Paris)', () => {
		const paris = testBakery({ now: Date.parse('2024-06-13T08:00:00Z'), zone: 'Europe/Paris' });
		try {
			const { order: placed } = placeOrder(
				paris.deps,
				order({ fulfillment: { type: 'pickup', at: '2024-06-14 12:00' } })
			);
			expect(placed.fulfillment.at).toBe('2024-06-14T10:00:00.000Z');
			expect(placed.fulfillment.atShopTime).toBe('2024-06-14 12:00');
			const row = paris.db.$client.prepare('select fulfillment_at from orders').get() as {
				fulfillment_at: number;
			};
			expect(new Date(row.fulfillment_at).toISOString()).toBe('2024-06-14T10:00:00.000Z');
		} finally {
			paris.close();
		}
	});

	it('without a time, takes the earliest the lead time allows (counter orders have none)', () => {
		const online = placeOrder(bakery.deps, order({ fulfillment: { type: 'pickup' } }));
		const counter = placeOrder(
			bakery.deps,
			order({ fulfillment: { type: 'pickup' }, channel: 'pos' })
		);
		expect(online.order.fulfillment.atShopTime).toBe('2024-06-13 09:30');
		expect(counter.order.fulfillment.atShopTime).toBe('2024-06-13 09:00');
	});

	it('answers the same Idempotency-Key with the order already taken, and writes nothing', () => {
		const first = placeOrder(bakery.deps, order(), { idempotencyKey: 'basket-7f3a' });
		const before = footprint(bakery.db);
		const again = placeOrder(bakery.deps, order(), { idempotencyKey: 'basket-7f3a' });
		expect(again).toEqual({ created: false, order: first.order });
		expect(footprint(bakery.db)).toEqual(before);
	});

	it('refuses a reused Idempotency-Key with different contents', () => {
		placeOrder(bakery.deps, order(), { idempotencyKey: 'basket-7f3a' });
		const error = refusal(() =>
			placeOrder(bakery.deps, order({ lines: [{ sku: 'BAGUETTE', quantity: 1 }] }), {
				idempotencyKey: 'basket-7f3a'
			})
		);
		expect(error.status).toBe(409);
		expect(error.message).toMatch(/already used for order 001/);
	});

	it('takes null for a left-out e-mail or phone', () => {
		const { order: placed } = placeOrder(
			bakery.deps,
			order({ customer: { name: 'Ana', email: null, phone: null } })
		);
		expect(placed.customer).toEqual({ name: 'Ana', email: null, phone: null });
	});

	it('answers a platform retry with a new key but the same external id with the order taken', () => {
		const first = placeOrder(bakery.deps, order({ channel: 'shopify', externalId: '1001' }), {
			idempotencyKey: 'a'
		});
		const retry = placeOrder(
			bakery.deps,
			order({ channel: 'shopify', externalId: '1001', note: 'edited' }),
			{ idempotencyKey: 'b' }
		);
		expect([retry.created, retry.order.id]).toEqual([false, first.order.id]);
	});

	it('answers the same external id from the same channel with the existing order', () => {
		const first = placeOrder(bakery.deps, order({ channel: 'shopify', externalId: '450789469' }));
		const again = placeOrder(bakery.deps, order({ channel: 'shopify', externalId: '450789469' }));
		const otherChannel = placeOrder(
			bakery.deps,
			order({ channel: 'square', externalId: '450789469' })
		);
		expect(again.created).toBe(false);
		expect(again.order.id).toBe(first.order.id);
		expect(otherChannel.created).toBe(true);
	});
});

describe('placeOrder refuses bad input, names the field, and writes nothing', () => {
	const withLine = (line: Record<string, unknown>) => order({ lines: [line] });

	it.each([
		[
			'quantity as text',
			withLine({ sku: 'CROISSANT', quantity: '12' }),
			400,
			'lines[0].quantity',
			/not text.*send 12 without quotes/
		],
		[
			'quantity 0',
			withLine({ sku: 'CROISSANT', quantity: 0 }),
			400,
			'lines[0].quantity',
			/at least 1 \(got 0\)/
		],
		[
			'negative quantity',
			withLine({ sku: 'CROISSANT', quantity: -3 }),
			400,
			'lines[0].quantity',
			/at least 1 \(got -3\)/
		],
		[
			'fractional quantity',
			withLine({ sku: 'CROISSANT', quantity: 1.5 }),
			400,
			'lines[0].quantity',
			/whole number \(got 1.5\)/
		],
		['missing quantity', withLine({ sku: 'CROISSANT' }), 400, 'lines[0].quantity', /is missing/],
		[
			'quantity "2x"',
			withLine({ sku: 'CROISSANT', quantity: '2x' }),
			400,
			'lines[0].quantity',
			/whole number such as 2 \(got "2x"\)/
		],
		[
			'huge quantity',
			withLine({ sku: 'CROISSANT', quantity: 100000 }),
			400,
			'lines[0].quantity',
			/at most 500/
		],
		[
			'unknown sku',
			withLine({ sku: 'CRONUT', quantity: 1 }),
			422,
			'lines[0].sku',
			/"CRONUT" is not on the menu/
		],
		['empty line list', order({ lines: [] }), 400, 'lines', /at least one item/],
		['lines not a list', order({ lines: 'croissant' }), 400, 'lines', /must be a list/],
		[
			'name of 10,000 characters',
			order({ customer: { name: 'A'.repeat(10_000) } }),
			400,
			'customer.name',
			/10000 characters long; keep it to 120/
		],
		['empty name', order({ customer: { name: '   ' } }), 400, 'customer.name', /is empty/],
		[
			'bad e-mail',
			order({ customer: { name: 'Ana', email: 'ana@' } }),
			400,
			'customer.email',
			/e-mail address/
		],
		[
			'bad phone',
			order({ customer: { name: 'Ana', phone: 'call me' } }),
			400,
			'customer.phone',
			/phone number/
		],
		['unknown field', order({ coupon: 'FREE' }), 400, 'coupon', /not a field/],
		[
			'bad fulfillment type',
			order({ fulfillment: { type: 'drone', at: '2024-06-13T12:00' } }),
			400,
			'fulfillment.type',
			/"pickup" or "delivery"/
		],
		[
			'delivery without address',
			order({ fulfillment: { type: 'delivery', at: '2024-06-13T12:00' } }),
			400,
			'fulfillment.address',
			/required for delivery/
		],
		[
			'time that is not a time',
			order({ fulfillment: { type: 'pickup', at: 'noon' } }),
			400,
			'fulfillment.at',
			/not a time; send ISO-8601/
		],
		[
			'time in the past',
			order({ fulfillment: { type: 'pickup', at: '2024-06-13T08:30' } }),
			422,
			'fulfillment.at',
			/already passed; the earliest we can do is 09:30 today/
		],
		[
			'time inside the lead time',
			order({ fulfillment: { type: 'pickup', at: '2024-06-13T09:15' } }),
			422,
			'fulfillment.at',
			/30-minute preparation time.*09:30 today/
		],
		[
			'time after closing',
			order({ fulfillment: { type: 'pickup', at: '2024-06-13T19:00' } }),
			422,
			'fulfillment.at',
			/outside opening hours; the next opening is Fri 14 Jun 07:30/
		],
		['body that is not an object', 'croissants please', 400, 'body', /JSON object/],
		[
			'invisible name',
			order({ customer: { name: '\u200b\u0000' } }),
			400,
			'customer.name',
			/letters or digits/
		],
		[
			'pickup with an address',
			order({
				fulfillment: {
					type: 'pickup',
					at: '2024-06-13T12:00',
					address: { line1: '1 High St', city: 'Leith', postcode: 'EH6 1AA' }
				}
			}),
			400,
			'fulfillment.address',
			/only for delivery/
		],
		[
			'time months ahead',
			order({ fulfillment: { type: 'pickup', at: '2024-09-13T12:00' } }),
			422,
			'fulfillment.at',
			/too far ahead; we take orders up to 30 days ahead, until Sat 13 Jul 09:00/
		],
		[
			'time in year 9999',
			order({ fulfillment: { type: 'pickup', at: '9999-12-31T12:00' } }),
			400,
			'fulfillment.at',
			/not in a year we take orders for/
		],
		[
			'time before opening tomorrow',
			order({ fulfillment: { type: 'pickup', at: '2024-06-14T06:00' } }),
			422,
			'fulfillment.at',
			/outside opening hours; the next opening is Fri 14 Jun 07:30/
		],
		[
			'quantity 1.5',
			withLine({ sku: 'CROISSANT', quantity: 1.5 }),
			400,
			'lines[0].quantity',
			/^must be a whole number \(got 1.5\)$/
		],
		['null body', null, 400, 'body', /JSON object/]
	])('%s', (_case, body, status, field, message) => {
		const before = footprint(bakery.db);
		const error = refusal(() => placeOrder(bakery.deps, body));

		expect(error.status).toBe(status);
		const problem = error.details.problems?.find((candidate) => candidate.field === field);
		expect(problem?.message).toMatch(message);
		expect(footprint(bakery.db)).toEqual(before);
		expect(bakery.published).toEqual([]);
	});

	it('names the earliest time in the answer for the page to offer', () => {
		const error = refusal(() =>
			placeOrder(bakery.deps, order({ fulfillment: { type: 'pickup', at: '2024-06-13T09:15' } }))
		);
		expect(error.details).toMatchObject({
			earliest: '2024-06-13T08:30:00.000Z',
			earliestShopTime: '2024-06-13 09:30'
		});
	});

	it('at 15:47 with 30 minutes of lead time refuses 16:00 and names 16:17', () => {
		bakery.setNow((parseShopTime('2024-06-13T15:47', ZONE) as { instant: number }).instant);
		const error = refusal(() =>
			placeOrder(bakery.deps, order({ fulfillment: { type: 'pickup', at: '2024-06-13T16:00' } }))
		);
		expect(error.message).toBe(
			'fulfillment.at: 16:00 today is sooner than our 30-minute preparation time allows; the earliest we can do is 16:17 today'
		);
	});

	it('refuses a bad Idempotency-Key header by name', () => {
		const error = refusal(() =>
			placeOrder(bakery.deps, order(), { idempotencyKey: 'has spaces in it' })
		);
		expect(error.details.problems).toEqual([
			{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable characters without spaces' }
		]);
	});
});

describe('cancelOrder', () => {
	it('cancels at the expected version and announces it', () => {
		const { order: placed } = placeOrder(bakery.deps, order());
		const { order: cancelled } = cancelOrder(bakery.deps, placed.id, {
			expectedVersion: 1,
			reason: 'customer called'
		});
		expect(cancelled).toMatchObject({
			status: 'cancelled',
			version: 2,
			cancelReason: 'customer called'
		});
		expect(bakery.published.map((event) => [event.seq, event.type])).toEqual([
			[1, 'order.created'],
			[2, 'order.cancelled'],
			[3, 'plan.updated']
		]);
	});

	it('answers a stale version with a conflict and the current order', () => {
		const { order: placed } = placeOrder(bakery.deps, order());
		cancelOrder(bakery.deps, placed.id, { expectedVersion: 1 });
		const error = refusal(() => cancelOrder(bakery.deps, placed.id, { expectedVersion: 1 }));
		expect(error.status).toBe(409);
		expect(error.details.current).toMatchObject({ status: 'cancelled', version: 2 });
	});

	it('answers an unknown order with 404', () => {
		expect(refusal(() => cancelOrder(bakery.deps, 999, {})).status).toBe(404);
	});
});
