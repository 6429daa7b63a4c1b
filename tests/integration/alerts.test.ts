import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { orders } from '../../src/lib/server/db/schema';
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
});
