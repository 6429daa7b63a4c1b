import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { placeOrder } from '../../src/lib/server/orders/intake';
import { offeredSlots } from '../../src/lib/server/orders/slots';
import { writeSettings } from '../../src/lib/server/settings';
import { footprint, refusal, testBakery, type TestBakery } from '../helpers/deps';

// Thursday 13 June 2024, 05:00 in London.
const NOW = Date.parse('2024-06-13T04:00:00Z');

let bakery: TestBakery;
beforeEach(() => {
	bakery = testBakery({ now: NOW });
	writeSettings(bakery.db, { slotCapacity: 2, slotMinutes: 15 });
});
afterEach(() => bakery.close());

const coffee = (at: string, channel = 'online') =>
	placeOrder(bakery.deps, {
		customer: { name: 'Ana Ruiz' },
		fulfillment: { type: 'pickup', at },
		lines: [{ sku: 'COFFEE', quantity: 1 }],
		channel
	});

describe('pickup slot cap', () => {
	it('takes as many pickups in a slot as the cap, then refuses naming the next slot with room', () => {
		coffee('2024-06-13T12:00');
		coffee('2024-06-13T12:10');
		const before = footprint(bakery.db);
		const full = refusal(() => coffee('2024-06-13T12:05'));
		expect(full.status).toBe(422);
		expect(full.message).toBe(
			'fulfillment.at: the pickup slot at 12:05 today is full (2 orders); the next slot with room is 12:15 today'
		);
		expect(footprint(bakery.db)).toEqual(before);

		// The next slot is a different slot, and a walk-in at the counter is not capped.
		expect(coffee('2024-06-13T12:15').created).toBe(true);
		expect(coffee('2024-06-13T12:00', 'pos').created).toBe(true);
	});

	it('stops offering a full slot', () => {
		const times = () =>
			offeredSlots(bakery.deps, { from: '2024-06-13', days: 1 })[0]!.slots.map((slot) => slot.time);
		expect(times()).toContain('12:00');
		coffee('2024-06-13T12:00');
		coffee('2024-06-13T12:00');
		expect(times()).not.toContain('12:00');
		expect(times()).toContain('12:15');
	});
});
