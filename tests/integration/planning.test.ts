import { afterEach, describe, expect, it } from 'vitest';

import { cancelOrder } from '../../src/lib/server/orders/cancel';
import { placeOrder } from '../../src/lib/server/orders/intake';
import { offeredSlots } from '../../src/lib/server/orders/slots';
import { planView } from '../../src/lib/server/production/plan-view';
import { procurementList } from '../../src/lib/server/production/procurement';
import { refusal, testBakery, type TestBakery } from '../helpers/deps';

/** These tests count what is baked for orders; trays filled for the shelf have their own test. */
const DEMAND_ONLY = { fillTraysForShelf: false };

const ZONE = 'Europe/London';
// Thursday 13 June 2024, 05:00 in London (04:00 UTC): the bakehouse is open, the shop opens at 07:30.
const NOW = Date.parse('2024-06-13T04:00:00Z');

function order(
	lines: { sku: string; quantity: number }[],
	at = '2024-06-13T12:00',
	extra: Record<string, unknown> = {}
) {
	return { customer: { name: 'Ana Ruiz' }, fulfillment: { type: 'pickup', at }, lines, ...extra };
}

function shelf(bakery: TestBakery, sku: string) {
	return bakery.db.$client
		.prepare(
			'select on_hand as onHand, reserved from product_stock join products on products.id = product_id where sku = ?'
		)
		.get(sku);
}

let bakery: TestBakery;
afterEach(() => bakery?.close());

describe('routing each line', () => {
	it('takes what the shelf has, bakes the rest, and sends drinks to the counter', () => {
		bakery = testBakery({ now: NOW, zone: ZONE, settings: DEMAND_ONLY });
		// The demo opens with 12 croissants on the shelf.
		const { order: placed } = placeOrder(
			bakery.deps,
			order([
				{ sku: 'CROISSANT', quantity: 20 },
				{ sku: 'BROWNIE', quantity: 2 },
				{ sku: 'COFFEE', quantity: 1 }
			])
		);

		expect(
			placed.lines.map(({ sku, route, reservedUnits, lateMinutes }) => ({
				sku,
				route,
				reservedUnits,
				lateMinutes
			}))
		).toEqual([
			{ sku: 'CROISSANT', route: 'bake', reservedUnits: 12, lateMinutes: 0 },
			{ sku: 'BROWNIE', route: 'stock', reservedUnits: 2, lateMinutes: 0 },
			{ sku: 'COFFEE', route: 'counter', reservedUnits: 0, lateMinutes: 0 }
		]);
		expect(placed.promisedAt).toBe('2024-06-13T11:00:00.000Z');
		expect(shelf(bakery, 'CROISSANT')).toEqual({ onHand: 12, reserved: 12 });

		// Eight croissants fit one tray of twelve, baked to be cooled by 11:50 (12:00 less packing).
		const plan = planView(bakery.db, ZONE);
		expect(
			plan.loads.map((load) => ({
				oven: load.oven,
				start: load.startShopTime,
				end: load.endShopTime,
				tempC: load.tempC,
				trays: load.trays.map((tray) => `${tray.units} ${tray.name}`)
			}))
		).toEqual([
			{
				oven: 'Deck oven',
				start: '2024-06-13 11:17',
				end: '2024-06-13 11:35',
				tempC: 190,
				trays: ['8 Croissant']
			}
		]);
		expect(plan.loads[0]!.trays[0]!.feeds).toEqual([
			{ orderNumber: placed.number, units: 8, note: '', modifiers: [], orderNote: '' }
		]);
		expect(placed.estimatedReadyAt).toBe('2024-06-13T10:50:00.000Z');
	});

	it('writes every reservation to the ledger and gives it back on cancellation; the plan shrinks', () => {
		bakery = testBakery({ now: NOW, zone: ZONE, settings: DEMAND_ONLY });
		const first = placeOrder(bakery.deps, order([{ sku: 'CROISSANT', quantity: 20 }])).order;
		const second = placeOrder(bakery.deps, order([{ sku: 'CROISSANT', quantity: 10 }])).order;
		expect(
			planView(bakery.db, ZONE).loads.flatMap((load) => load.trays.map((tray) => tray.units))
		).toEqual([12, 6]);

		cancelOrder(bakery.deps, first.id, { reason: 'customer called' });
		expect(shelf(bakery, 'CROISSANT')).toEqual({ onHand: 12, reserved: 0 });
		expect(
			planView(bakery.db, ZONE).loads.flatMap((load) => load.trays.map((tray) => tray.units))
		).toEqual([10]);

		const ledger = bakery.db.$client
			.prepare(
				"select reason, reserved_delta as delta, order_id as orderId from stock_movements where reason in ('reserve', 'release') order by id"
			)
			.all();
		expect(ledger).toEqual([
			{ reason: 'reserve', delta: 12, orderId: first.id },
			{ reason: 'release', delta: -12, orderId: first.id }
		]);
		expect(second.lines[0]!.reservedUnits).toBe(0);
	});

	it('refuses a time the ovens cannot meet, says what is left and when would work', () => {
		bakery = testBakery({
			now: Date.parse('2024-06-13T08:00:00Z'),
			zone: ZONE,
			settings: DEMAND_ONLY
		});
		const error = refusal(() =>
			placeOrder(bakery.deps, order([{ sku: 'CROISSANT', quantity: 30 }], '2024-06-13T09:45'))
		);

		expect(error.status).toBe(422);
		expect(error.message).toBe(
			'fulfillment.at: we cannot have it ready by 09:45 today: Croissant needs its preparation and bake first, so it is ready 11:33 today at the earliest; 12 Croissant left on the shelf; the earliest that works is 11:45 today'
		);
		expect(error.details).toMatchObject({
			earliestShopTime: '2024-06-13 11:45',
			onShelf: [{ sku: 'CROISSANT', available: 12 }]
		});
		expect(shelf(bakery, 'CROISSANT')).toEqual({ onHand: 12, reserved: 0 });
	});

	it('moves a counter order with no time to the earliest the ovens can meet', () => {
		bakery = testBakery({
			now: Date.parse('2024-06-13T08:00:00Z'),
			zone: ZONE,
			settings: DEMAND_ONLY
		});
		const { order: placed } = placeOrder(
			bakery.deps,
			order([{ sku: 'BAGUETTE', quantity: 10 }], undefined, {
				channel: 'pos',
				fulfillment: { type: 'pickup' }
			})
		);
		// 8 on the shelf; 2 more need 150 minutes of prep, 22 of bake, 20 of cooling and 10 of
		// packing: 12:22, so the 12:30 slot.
		expect(placed.fulfillment.atShopTime).toBe('2024-06-13 12:30');
		expect(placed.lateMinutes).toBe(0);
	});

	it('lists a short ingredient on the line and on the procurement list, with when it must arrive', () => {
		bakery = testBakery({ now: NOW, zone: ZONE, settings: DEMAND_ONLY });
		bakery.db.$client
			.prepare(
				"insert into ingredient_movements (ingredient_id, reason, delta, note, at) select id, 'adjust', -4500, 'recount', ? from ingredients where code = 'dark-chocolate'"
			)
			.run(NOW);

		// Monday: further off than the croissant dough keeps, so all 60 are baked; 720 g of
		// chocolate against 500 g in the store, and 3 days for the supplier to bring more.
		const { order: placed } = placeOrder(
			bakery.deps,
			order([{ sku: 'PAIN-AU-CHOCOLAT', quantity: 60 }], '2024-06-17T12:00')
		);
		expect(placed.lines[0]).toMatchObject({
			route: 'procure',
			reservedUnits: 0,
			shortages: [
				{
					ingredient: 'Dark chocolate 70%',
					unit: 'g',
					missing: 220,
					neededBy: '2024-06-17T08:17:00.000Z'
				}
			]
		});
		expect(procurementList(bakery.db, ZONE)).toEqual([
			{
				ingredient: 'Dark chocolate 70%',
				unit: 'g',
				supplier: 'Cocoa Trading',
				neededByShopDate: '2024-06-17',
				neededBy: '2024-06-17T08:17:00.000Z',
				orderBy: '2024-06-14T08:17:00.000Z',
				missing: 220,
				orders: [placed.number]
			}
		]);
	});

	it('refuses a time before a short ingredient can arrive, naming the supplier and a time that works', () => {
		bakery = testBakery({ now: NOW, zone: ZONE, settings: DEMAND_ONLY });
		bakery.db.$client
			.prepare(
				"insert into ingredient_movements (ingredient_id, reason, delta, note, at) select id, 'adjust', -4500, 'recount', ? from ingredients where code = 'dark-chocolate'"
			)
			.run(NOW);

		const error = refusal(() =>
			placeOrder(bakery.deps, order([{ sku: 'PAIN-AU-CHOCOLAT', quantity: 60 }]))
		);
		expect(error.message).toBe(
			'fulfillment.at: we cannot have it ready by 12:00 today: Dark chocolate 70% is short and cannot arrive from Cocoa Trading before Sun 16 Jun 05:00; 10 Pain au chocolat left on the shelf; the earliest that works is Sun 16 Jun 09:00'
		);
	});
});

/** A one-oven bakery where a tray of cookies takes the whole oven, to make capacity bind. */
const tinyBakery = {
	shopName: 'Tiny',
	currency: 'GBP',
	settings: { leadMinutes: 30, counterLeadMinutes: 0, slotMinutes: 15, packingMinutes: 0 },
	openingHours: {
		shop: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], opens: '00:00', closes: '24:00' }],
		bakehouse: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], opens: '00:00', closes: '24:00' }]
	},
	ovens: [
		{
			name: 'Little oven',
			kind: 'deck',
			capacityTrays: 1,
			minTempC: 150,
			maxTempC: 250,
			changeoverMinutes: 0
		}
	],
	ingredients: [
		{ code: 'flour', name: 'Flour', unit: 'g', supplier: 'Mill', leadDays: 1, openingStock: 100000 }
	],
	products: [
		{
			sku: 'COOKIE',
			name: 'Cookie',
			category: 'cookies',
			description: '',
			priceMinor: 150,
			taxRateBp: 0,
			baked: true,
			unitsPerTray: 20,
			bakeMinutes: 12,
			bakeTempC: 180,
			prepMinutes: 30,
			coolMinutes: 15,
			shelfLifeHours: 48,
			openingStock: 0,
			recipe: { flour: 25 }
		}
	]
};

describe('promises', () => {
	// 09:00 UTC is 10:00 in London.
	const now = Date.parse('2024-06-13T09:00:00Z');

	it('never makes an order already promised late: the newcomer is refused with a time that works', () => {
		bakery = testBakery({ now, zone: ZONE, data: tinyBakery, settings: DEMAND_ONLY });
		const promised = placeOrder(
			bakery.deps,
			order([{ sku: 'COOKIE', quantity: 20 }], '2024-06-13T11:00')
		).order;
		expect(promised.lateMinutes).toBe(0);

		const error = refusal(() =>
			placeOrder(bakery.deps, order([{ sku: 'COOKIE', quantity: 20 }], '2024-06-13T10:58'))
		);
		expect(error.message).toBe(
			`fulfillment.at: we cannot have it ready by 10:58 today: taking it would make order ${promised.number}, already promised, late; no Cookie left on the shelf; the earliest that works is 11:15 today`
		);
		expect(planView(bakery.db, ZONE).orders).toEqual([
			{ number: promised.number, readyShopTime: '2024-06-13 11:00', lateMinutes: 0, reasons: [] }
		]);
	});

	it('offers only the pickup times the ovens can meet for a basket', () => {
		bakery = testBakery({ now, zone: ZONE, data: tinyBakery, settings: DEMAND_ONLY });
		placeOrder(bakery.deps, order([{ sku: 'COOKIE', quantity: 20 }], '2024-06-13T11:00'));

		const [today] = offeredSlots(bakery.deps, {
			from: '2024-06-13',
			days: 1,
			lines: [{ sku: 'COOKIE', quantity: 40 }]
		});
		const times = today!.slots.map((slot) => slot.time);
		// The promised tray bakes 10:30-10:42; two more follow at 10:42 and 10:54 in the one oven,
		// cooled by 11:21, so 11:30 is the first slot that works.
		expect(times[0]).toBe('11:30');
		expect(times).not.toContain('11:00');

		const [unconstrained] = offeredSlots(bakery.deps, { from: '2024-06-13', days: 1 });
		expect(unconstrained!.slots[0]!.time).toBe('10:30');
	});
});
