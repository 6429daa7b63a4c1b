import { eq } from 'drizzle-orm';

import demoBakery from '../../src/lib/server/demo/demo-bakery.json' with { type: 'json' };
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { orders } from '../../src/lib/server/db/schema';
import { adjustStock } from '../../src/lib/server/backoffice/stock';
import { placeOrder } from '../../src/lib/server/orders/intake';
import { staffAlerts } from '../../src/lib/server/production/alerts';
import { planView } from '../../src/lib/server/production/plan-view';
import { testBakery, type TestBakery } from '../helpers/deps';

const ZONE = 'Europe/London';
// Thursday 13 June 2024, 05:00 in London.
const NOW = Date.parse('2024-06-13T04:00:00Z');

let bakery: TestBakery;
beforeEach(() => {
	bakery = testBakery({ now: NOW, zone: ZONE });
});
afterEach(() => bakery.close());

describe('staff alerts', () => {
	it('is quiet when everything runs to plan', () => {
		placeOrder(bakery.deps, {
			customer: { name: 'Ana Ruiz' },
			fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
			lines: [{ sku: 'FOCACCIA', quantity: 10 }]
		});
		expect(staffAlerts(bakery.db, NOW, ZONE)).toEqual([]);
	});

	it('warns of a load that has not gone in, an order that will be late and a refused payment', () => {
		const { order } = placeOrder(bakery.deps, {
			customer: { name: 'Ana Ruiz' },
			fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
			lines: [{ sku: 'FOCACCIA', quantity: 10 }]
		});
		const [load] = planView(bakery.db, ZONE).loads;
		const sixMinutesLate = Date.parse(load!.startAt) + 6 * 60_000;
		const startClock = new Intl.DateTimeFormat('en-GB', {
			timeZone: ZONE,
			hour: '2-digit',
			minute: '2-digit'
		}).format(Date.parse(load!.startAt));

		bakery.db
			.update(orders)
			.set({ lateMinutes: 25, paymentProblem: 'card declined (generic_decline)' })
			.where(eq(orders.id, order.id))
			.run();
		const alerts = staffAlerts(bakery.db, sixMinutesLate, ZONE);
		expect(alerts.map((alert) => alert.kind).sort()).toEqual([
			'load-late',
			'order-late',
			'payment'
		]);
		expect(alerts.find((alert) => alert.kind === 'load-late')!.message).toContain(
			`should have gone in at ${startClock}`
		);
		expect(alerts.find((alert) => alert.kind === 'order-late')!.message).toBe(
			`Order ${order.number} will be 25 min late`
		);
		// Within the grace minutes the load is not yet late.
		expect(
			staffAlerts(bakery.db, Date.parse(load!.startAt) + 60_000, ZONE).map((a) => a.kind)
		).not.toContain('load-late');
	});

	it('says when a short ingredient cannot come from the supplier in time', () => {
		// Olive oil for ten focaccia, and three days to get more.
		const data = structuredClone(demoBakery);
		const oil = data.ingredients.find((ingredient) => ingredient.code === 'olive-oil')!;
		Object.assign(oil, { openingStock: 200, leadDays: 3 });
		bakery.close();
		bakery = testBakery({ now: NOW, zone: ZONE, data });

		const today = placeOrder(bakery.deps, {
			customer: { name: 'Ana Ruiz' },
			fulfillment: { type: 'pickup', at: '2024-06-13T15:00' },
			lines: [{ sku: 'FOCACCIA', quantity: 10 }]
		}).order;
		const later = placeOrder(bakery.deps, {
			customer: { name: 'Ben Ode' },
			fulfillment: { type: 'pickup', at: '2024-06-18T12:00' },
			lines: [{ sku: 'FOCACCIA', quantity: 10 }]
		}).order;
		// Five days ahead there is time to order more: a warning to buy, nothing worse.
		expect(staffAlerts(bakery.db, NOW, ZONE).map((alert) => [alert.kind, alert.severity])).toEqual([
			['shortage', 'warn']
		]);

		// A recount finds half the oil: today's bake is short, and no delivery can come in time.
		adjustStock(bakery.deps, {
			kind: 'ingredient',
			code: 'olive-oil',
			reason: 'recount',
			amount: 100
		});
		const alerts = staffAlerts(bakery.db, NOW, ZONE).filter((alert) => alert.kind === 'shortage');
		expect(alerts.map((alert) => alert.severity)).toEqual(['danger', 'warn']);
		expect(alerts[0]!.message).toMatch(
			new RegExp(
				`^\\d+ ml Extra virgin olive oil for order ${today.number} is needed by Thu \\d\\d:\\d\\d, too soon to order from Wholesale Foods: buy it elsewhere or call the customer$`
			)
		);
		// The later order's oil can still be ordered: it stays a warning.
		expect(alerts[1]!.message).toContain(later.number);
	});
});
