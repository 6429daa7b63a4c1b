import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { placeOrder } from '../../src/lib/server/orders/intake';
import { findOrder } from '../../src/lib/server/orders/queries';
import {
	finishLoad,
	reportTrayProblem,
	startLoad,
	startPrep
} from '../../src/lib/server/production/loads';
import { planView } from '../../src/lib/server/production/plan-view';
import { writeSettings } from '../../src/lib/server/settings';
import { refusal, testBakery, type TestBakery } from '../helpers/deps';

/** These tests count what is baked for orders; trays filled for the shelf have their own test. */
const DEMAND_ONLY = { fillTraysForShelf: false };

const ZONE = 'Europe/London';
// Thursday 13 June 2024, 05:00 in London.
const NOW = Date.parse('2024-06-13T04:00:00Z');

let bakery: TestBakery;
beforeEach(() => {
	bakery = testBakery({ now: NOW, zone: ZONE, settings: DEMAND_ONLY });
});
afterEach(() => bakery.close());

function ledger(sku: string) {
	return bakery.db.$client
		.prepare(
			'select reason, on_hand_delta as onHand, reserved_delta as reserved from stock_movements join products on products.id = product_id where sku = ? order by stock_movements.id'
		)
		.all(sku);
}

function shelf(sku: string) {
	return bakery.db.$client
		.prepare(
			'select on_hand as onHand, reserved from product_stock join products on products.id = product_id where sku = ?'
		)
		.get(sku);
}

/** Focaccia for noon: the demo has none on the shelf, so every unit is baked. */
function orderFocaccia(quantity: number) {
	return placeOrder(bakery.deps, {
		customer: { name: 'Ana Ruiz' },
		fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
		lines: [{ sku: 'FOCACCIA', quantity }]
	}).order;
}

describe('oven station commands', () => {
	it('refuses to start a load so early that its bread would be stale at pickup', () => {
		// Focaccia keeps a day; this order is collected on Saturday.
		const order = placeOrder(bakery.deps, {
			customer: { name: 'Ana Ruiz' },
			fulfillment: { type: 'pickup', at: '2024-06-15T12:00' },
			lines: [{ sku: 'FOCACCIA', quantity: 10 }]
		}).order;
		const [load] = planView(bakery.db, ZONE).loads;
		expect(Date.parse(load!.startAt)).toBeGreaterThan(Date.parse('2024-06-14T04:00:00Z'));
		const early = refusal(() =>
			startLoad(bakery.deps, load!.id, { expectedVersion: load!.version })
		);
		expect(early.status).toBe(409);
		expect(early.message).toMatch(
			new RegExp(
				`^load ${load!.id} is planned for Sat \\d\\d:\\d\\d: started now, its Focaccia \\(keeps 24 h\\) would be stale by order ${order.number}'s time, Sat 12:00; start it nearer the time$`
			)
		);
		// At its planned time it starts.
		bakery.setNow(Date.parse(load!.startAt));
		startLoad(bakery.deps, load!.id, { expectedVersion: load!.version });
		expect(planView(bakery.db, ZONE).loads[0]!.status).toBe('baking');
	});

	it('starts a load: fixed in the plan, ingredients consumed, its orders in production', () => {
		const order = orderFocaccia(10);
		const [load] = planView(bakery.db, ZONE).loads;
		expect(load).toMatchObject({
			status: 'planned',
			version: 1,
			trays: [{ name: 'Focaccia', units: 10 }]
		});

		bakery.setNow(Date.parse('2024-06-13T09:00:00Z'));
		startLoad(bakery.deps, load!.id, { expectedVersion: 1 });

		const [started] = planView(bakery.db, ZONE).loads;
		expect(started).toMatchObject({
			id: load!.id,
			status: 'baking',
			version: 2,
			startShopTime: '2024-06-13 10:00',
			endShopTime: '2024-06-13 10:25'
		});
		expect(findOrder(bakery.db, order.id, ZONE)).toMatchObject({
			status: 'in_production',
			version: 2
		});
		const flour = bakery.db.$client
			.prepare(
				"select sum(delta) as used from ingredient_movements join ingredients on ingredients.id = ingredient_id where code = 'bread-flour' and reason = 'consume'"
			)
			.get() as { used: number };
		expect(flour.used).toBe(-1500);
		expect(bakery.published.map((event) => event.type)).toContain('order.updated');
	});

	it('refuses a start at a stale version, and a second start, with the current load', () => {
		orderFocaccia(10);
		const [load] = planView(bakery.db, ZONE).loads;
		startLoad(bakery.deps, load!.id, { expectedVersion: 1 });

		const stale = refusal(() => startLoad(bakery.deps, load!.id, { expectedVersion: 1 }));
		expect([stale.status, stale.message]).toEqual([
			409,
			`load ${load!.id} is at version 2, not 1: it changed on another screen`
		]);
		const again = refusal(() => startLoad(bakery.deps, load!.id, { expectedVersion: 2 }));
		expect(again.message).toBe(`load ${load!.id} is baking; it cannot be started`);
	});

	it('bakes a full tray when the shop fills trays: the extra is on the shelf for walk-ins', () => {
		writeSettings(bakery.db, { fillTraysForShelf: true });
		const order = orderFocaccia(10);
		const [load] = planView(bakery.db, ZONE).loads;
		expect(load!.trays).toMatchObject([
			{ name: 'Focaccia', units: 12, feeds: [{ orderNumber: order.number, units: 10 }] }
		]);
		startLoad(bakery.deps, load!.id, { expectedVersion: 1 });
		finishLoad(bakery.deps, load!.id, { expectedVersion: 2 });

		expect(shelf('FOCACCIA')).toEqual({ onHand: 12, reserved: 10 });
		const walkIn = placeOrder(bakery.deps, {
			customer: { name: 'Ben Ode' },
			fulfillment: { type: 'pickup' },
			channel: 'pos',
			lines: [{ sku: 'FOCACCIA', quantity: 2 }]
		}).order;
		expect(walkIn.lines[0]).toMatchObject({ route: 'stock', reservedUnits: 2 });
	});

	it('finishes a load: the goods go on the shelf, held for the orders they were baked for', () => {
		const order = orderFocaccia(10);
		const [load] = planView(bakery.db, ZONE).loads;
		startLoad(bakery.deps, load!.id, { expectedVersion: 1 });
		finishLoad(bakery.deps, load!.id, { expectedVersion: 2 });

		expect(shelf('FOCACCIA')).toEqual({ onHand: 10, reserved: 10 });
		expect(ledger('FOCACCIA')).toEqual([
			{ reason: 'produce', onHand: 10, reserved: 0 },
			{ reason: 'reserve', onHand: 0, reserved: 10 }
		]);
		expect(findOrder(bakery.db, order.id, ZONE)!.lines[0]).toMatchObject({ reservedUnits: 10 });
		expect(planView(bakery.db, ZONE).loads).toEqual([]);
	});

	it('writes off a burnt tray and plans the remake', () => {
		const order = orderFocaccia(10);
		const [load] = planView(bakery.db, ZONE).loads;
		startLoad(bakery.deps, load!.id, { expectedVersion: 1 });
		finishLoad(bakery.deps, load!.id, { expectedVersion: 2 });
		reportTrayProblem(bakery.deps, load!.id, { expectedVersion: 3, tray: 0, reason: 'burnt' });

		expect(shelf('FOCACCIA')).toEqual({ onHand: 0, reserved: 0 });
		expect(ledger('FOCACCIA').slice(2)).toEqual([
			{ reason: 'release', onHand: 0, reserved: -10 },
			{ reason: 'waste', onHand: -10, reserved: 0 }
		]);
		const remake = planView(bakery.db, ZONE).loads;
		expect(
			remake.map((entry) => [entry.status, entry.trays.map((tray) => `${tray.units} ${tray.name}`)])
		).toEqual([['planned', ['10 Focaccia']]]);
		expect(findOrder(bakery.db, order.id, ZONE)!.lines[0]).toMatchObject({
			reservedUnits: 0,
			route: 'bake'
		});
	});

	it('keeps a load whose prep has started where it is, and takes its ingredients then', () => {
		orderFocaccia(10);
		const [load] = planView(bakery.db, ZONE).loads;
		bakery.setNow(Date.parse(load!.prepStartAt));
		startPrep(bakery.deps, load!.id, { expectedVersion: 1 });

		const [prepping] = planView(bakery.db, ZONE).loads;
		expect(prepping).toMatchObject({ status: 'prepping', version: 2, startAt: load!.startAt });
		startLoad(bakery.deps, load!.id, { expectedVersion: 2 });
		const consumed = bakery.db.$client
			.prepare("select count(*) as n from ingredient_movements where reason = 'consume'")
			.get();
		expect(consumed).toEqual({ n: 4 });
	});

	it('still takes unrelated orders when a planned prep time has passed unstarted', () => {
		const first = orderFocaccia(10);
		const [load] = planView(bakery.db, ZONE).loads;
		// Half an hour after the prep should have started, nobody pressed a button.
		bakery.setNow(Date.parse(load!.prepStartAt) + 30 * 60_000);
		const other = placeOrder(bakery.deps, {
			customer: { name: 'Ben' },
			fulfillment: { type: 'pickup', at: '2024-06-14T12:00' },
			lines: [{ sku: 'FOCACCIA', quantity: 5 }]
		});
		expect(other.created).toBe(true);
		expect(findOrder(bakery.db, first.id, ZONE)!.lateMinutes).toBe(30);
	});

	it('refuses a second load into an oven that is still baking', () => {
		orderFocaccia(12);
		placeOrder(bakery.deps, {
			customer: { name: 'Ben' },
			// More than the freshness window later, so it gets a load of its own.
			fulfillment: { type: 'pickup', at: '2024-06-13T17:00' },
			lines: [{ sku: 'FOCACCIA', quantity: 12 }]
		});
		const [first, second] = planView(bakery.db, ZONE).loads;
		expect(second!.ovenId).toBe(first!.ovenId);
		startLoad(bakery.deps, first!.id, { expectedVersion: 1 });
		expect(
			refusal(() => startLoad(bakery.deps, second!.id, { expectedVersion: second!.version }))
				.message
		).toBe(
			`load ${first!.id} is still in that oven; take it out before starting load ${second!.id}`
		);
	});

	it('names the field of a bad command', () => {
		orderFocaccia(10);
		const [load] = planView(bakery.db, ZONE).loads;
		expect(refusal(() => startLoad(bakery.deps, load!.id, {})).details.problems).toEqual([
			{
				field: 'expectedVersion',
				message: 'must be the load version the screen shows, a whole number'
			}
		]);
		expect(refusal(() => startLoad(bakery.deps, 999, { expectedVersion: 1 })).status).toBe(404);
	});
});
