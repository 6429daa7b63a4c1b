import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { plan } from '../../../src/lib/planner/plan';
import type { PlanInput, PlannerOven, PlannerProduct } from '../../../src/lib/planner/types';

const MINUTE = 60_000;
const NOW = Date.parse('2024-06-14T03:00:00Z');

const product = (id: number) =>
	fc.record({
		id: fc.constant(id),
		unitsPerTray: fc.integer({ min: 1, max: 24 }),
		bakeMinutes: fc.integer({ min: 5, max: 60 }),
		bakeTempC: fc.constantFrom(170, 190, 220, 250),
		prepMinutes: fc.integer({ min: 0, max: 180 }),
		coolMinutes: fc.integer({ min: 0, max: 60 }),
		shelfLifeHours: fc.integer({ min: 2, max: 72 }),
		recipe: fc.constant([{ ingredientId: 1, quantityPerUnit: 10 }])
	}) satisfies fc.Arbitrary<PlannerProduct>;

const oven = (id: number) =>
	fc.record({
		id: fc.constant(id),
		capacityTrays: fc.integer({ min: 1, max: 8 }),
		minTempC: fc.constantFrom(150, 180),
		maxTempC: fc.constantFrom(200, 230, 260),
		changeoverMinutes: fc.integer({ min: 0, max: 30 })
	}) satisfies fc.Arbitrary<PlannerOven>;

/** A bakehouse day or two, several products and ovens, and up to 40 lines due through the day. */
const instance: fc.Arbitrary<PlanInput> = fc
	.record({
		products: fc
			.integer({ min: 1, max: 4 })
			.chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => product(i + 1)))),
		ovens: fc
			.integer({ min: 1, max: 3 })
			.chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => oven(i + 1)))),
		lines: fc.array(
			fc.record({
				product: fc.nat(),
				units: fc.integer({ min: 1, max: 60 }),
				dueMinute: fc.integer({ min: 0, max: 22 * 60 })
			}),
			{ minLength: 1, maxLength: 40 }
		),
		flour: fc.integer({ min: 0, max: 20_000 }),
		opens: fc.integer({ min: 0, max: 4 * 60 }),
		freshnessMinutes: fc.integer({ min: 30, max: 600 })
	})
	.map(({ products, ovens, lines, flour, opens, freshnessMinutes }) => ({
		now: NOW,
		products,
		ovens,
		windows: [0, 1].map((day) => ({
			start: NOW + (day * 24 * 60 + opens) * MINUTE,
			end: NOW + (day * 24 * 60 + 15 * 60) * MINUTE
		})),
		demand: lines.map((line, index) => ({
			orderId: Math.floor(index / 2) + 1,
			lineId: index + 1,
			productId: products[line.product % products.length]!.id,
			units: line.units,
			dueAt: NOW + line.dueMinute * MINUTE
		})),
		fixedLoads: [],
		ingredientStock: { 1: flour },
		settings: { freshnessMinutes }
	}));

describe('plan, on random bakeries', () => {
	it('keeps every rule of the oven model', () => {
		fc.assert(
			fc.property(instance, (input) => {
				const result = plan(input);
				const ovens = new Map(input.ovens.map((entry) => [entry.id, entry]));
				const products = new Map(input.products.map((entry) => [entry.id, entry]));

				for (const load of result.loads) {
					const loadOven = ovens.get(load.ovenId)!;
					// No oven over capacity, no tray over its size, and the oven reaches the temperature.
					expect(load.trays.length).toBeLessThanOrEqual(loadOven.capacityTrays);
					expect(load.tempC).toBeGreaterThanOrEqual(loadOven.minTempC);
					expect(load.tempC).toBeLessThanOrEqual(loadOven.maxTempC);
					for (const tray of load.trays) {
						const trayProduct = products.get(tray.productId)!;
						expect(tray.units).toBeLessThanOrEqual(trayProduct.unitsPerTray);
						expect(trayProduct.bakeTempC).toBe(load.tempC);
						expect(tray.feeds.reduce((sum, feed) => sum + feed.units, 0)).toBe(tray.units);
					}
					// Prep cannot start before now; the load and its prep lie inside one bakehouse window.
					expect(load.prepStartAt).toBeGreaterThanOrEqual(input.now);
					expect(
						input.windows.some(
							(window) => window.start <= load.prepStartAt && load.endAt <= window.end
						)
					).toBe(true);
					// Nothing comes out of the oven before the last customer it feeds could still eat it.
					for (const tray of load.trays) {
						const trayProduct = products.get(tray.productId)!;
						for (const feed of tray.feeds) {
							const due = input.demand.find((line) => line.lineId === feed.lineId)!.dueAt;
							const out = load.startAt + trayProduct.bakeMinutes * MINUTE;
							expect(out).toBeGreaterThanOrEqual(due - trayProduct.shelfLifeHours * 60 * MINUTE);
						}
					}
				}

				// No two loads overlap in one oven, and a temperature change leaves the changeover.
				for (const [ovenId, entry] of ovens) {
					const loads = result.loads
						.filter((load) => load.ovenId === ovenId)
						.sort((a, b) => a.startAt - b.startAt);
					for (let index = 1; index < loads.length; index++) {
						const before = loads[index - 1]!;
						const after = loads[index]!;
						const gap = before.tempC === after.tempC ? 0 : entry.changeoverMinutes * MINUTE;
						expect(after.startAt).toBeGreaterThanOrEqual(before.endAt + gap);
					}
				}

				// Every demanded unit is baked exactly once, unless the line is explained as unplaceable.
				for (const line of input.demand) {
					const outcome = result.lines.find((entry) => entry.lineId === line.lineId)!;
					const baked = result.loads
						.flatMap((load) => load.trays.flatMap((tray) => tray.feeds))
						.filter((feed) => feed.lineId === line.lineId)
						.reduce((sum, feed) => sum + feed.units, 0);
					if (outcome.readyAt === null) {
						expect(outcome.reason).not.toBeNull();
						continue;
					}
					expect(baked).toBe(line.units);

					// Nothing is promised that the plan does not meet; every late line has its reason.
					const lateMs = Math.max(0, outcome.readyAt - line.dueAt);
					expect(outcome.lateMinutes).toBe(Math.ceil(lateMs / MINUTE));
					if (outcome.lateMinutes > 0) expect(outcome.reason).not.toBeNull();
				}
			}),
			{ numRuns: 300, seed: 20261203 }
		);
	});

	it('gives the same plan for the same input', () => {
		fc.assert(
			fc.property(instance, (input) => {
				expect(plan(structuredClone(input))).toEqual(plan(input));
			}),
			{ numRuns: 50, seed: 7 }
		);
	});
});
