import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { seedHistory } from '../../src/lib/server/demo/history';
import { dayReport } from '../../src/lib/server/reports/metrics';
import { testBakery, type TestBakery } from '../helpers/deps';

const ZONE = 'Europe/London';
// Thursday 13 June 2024, 05:00 in London: the demo's finished day is Wednesday 12 June.
const NOW = Date.parse('2024-06-13T04:00:00Z');

let bakery: TestBakery;
beforeEach(() => {
	bakery = testBakery({ now: NOW, zone: ZONE });
});
afterEach(() => bakery.close());

describe('the demo bakery’s finished day', () => {
	it('gives the reports page all four key metrics and an oven schedule for yesterday', () => {
		const history = seedHistory(bakery.db, NOW, ZONE);
		expect(history.date).toBe('2024-06-12');
		const report = dayReport(bakery.db, { date: history.date, zone: ZONE });
		const { summary } = report;

		expect(summary.orders).toBe(history.orders);
		expect(summary.completed).toBe(history.orders);
		expect(history.orders).toBeGreaterThan(30);
		// A believable bakery day: mostly on time and packed right, mostly happy customers.
		expect(summary.onTimeRate).toBeGreaterThan(0.75);
		expect(summary.onTimeRate).toBeLessThan(1);
		expect(summary.accuracyRate).toBeGreaterThan(0.85);
		expect(summary.fulfillmentMinutes!.p50).toBeGreaterThan(0);
		expect(summary.satisfaction.ratings).toBeGreaterThan(5);
		expect(summary.satisfaction.meanRating).toBeGreaterThan(3.5);
		expect(new Set(report.orders.map((order) => order.channel))).toEqual(
			new Set(['online', 'pos'])
		);
		expect(new Set(report.schedule.map((load) => load.oven)).size).toBe(3);
		// Nothing of the day falls outside it on the shop clock.
		expect(report.schedule.every((load) => load.startAt.startsWith('2024-06-12'))).toBe(true);
	});

	it('is the same day on every machine', () => {
		const first = seedHistory(bakery.db, NOW, ZONE);
		const other = testBakery({ now: NOW, zone: ZONE });
		try {
			const second = seedHistory(other.db, NOW, ZONE);
			const summary = (db: typeof bakery.db) =>
				dayReport(db, { date: first.date, zone: ZONE }).summary;
			expect(second).toEqual(first);
			expect(summary(other.db)).toEqual(summary(bakery.db));
		} finally {
			other.close();
		}
	});
});
