import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cancelOrder } from '../../src/lib/server/orders/cancel';
import { placeOrder } from '../../src/lib/server/orders/intake';
import { packOrder, recallOrder } from '../../src/lib/server/orders/packing';
import { refusal, testBakery, type TestBakery } from '../helpers/deps';

// Thursday 13 June 2024, 05:00 in London.
const NOW = Date.parse('2024-06-13T04:00:00Z');

let bakery: TestBakery;
beforeEach(() => {
	bakery = testBakery({ now: NOW });
});
afterEach(() => bakery.close());

function order(lines: { sku: string; quantity: number }[]) {
	return placeOrder(bakery.deps, {
		customer: { name: 'Ana Ruiz' },
		fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
		lines
	}).order;
}

describe('packing', () => {
	it('packs an order whose goods are all here; the second screen at the same version gets a conflict', () => {
		const placed = order([
			{ sku: 'CROISSANT', quantity: 2 },
			{ sku: 'COFFEE', quantity: 1 }
		]);
		expect(placed.goodsReady).toBe(true);

		const packed = packOrder(bakery.deps, placed.id, { expectedVersion: 1 });
		expect(packed).toMatchObject({ status: 'ready', version: 2, packedRight: true });
		expect(packed.lines.map((line) => line.packedQuantity)).toEqual([2, 1]);

		const late = refusal(() => packOrder(bakery.deps, placed.id, { expectedVersion: 1 }));
		expect(late.status).toBe(409);
		expect(late.details.current).toMatchObject({ status: 'ready', version: 2 });
	});

	it('refuses to pack while goods are still in the ovens, saying what is missing', () => {
		const placed = order([{ sku: 'CROISSANT', quantity: 20 }]);
		expect(placed.goodsReady).toBe(false);
		expect(refusal(() => packOrder(bakery.deps, placed.id, { expectedVersion: 1 })).message).toBe(
			`order ${placed.number} is not all here yet: 8 Croissant still to come from the ovens`
		);
	});

	it('keeps a count that differs from the order, and the packing is not first-time right', () => {
		const placed = order([{ sku: 'BROWNIE', quantity: 3 }]);
		const packed = packOrder(bakery.deps, placed.id, {
			expectedVersion: 1,
			lines: [{ id: placed.lines[0]!.id, packed: 2 }]
		});
		expect(packed).toMatchObject({ status: 'ready', packedRight: false });
		expect(packed.lines[0]!.packedQuantity).toBe(2);
	});

	it('refuses more in the box than was ordered, naming the line, and changes nothing', () => {
		const placed = order([{ sku: 'BROWNIE', quantity: 1 }]);
		const refused = refusal(() =>
			packOrder(bakery.deps, placed.id, {
				expectedVersion: 1,
				lines: [{ id: placed.lines[0]!.id, packed: 3 }]
			})
		);
		expect([refused.status, refused.details.problems]).toEqual([
			400,
			[
				{
					field: 'lines[0].packed',
					message: '3 is more than the 1 Brownie ordered; a box holds at most what was ordered'
				}
			]
		]);
		expect(packOrder(bakery.deps, placed.id, { expectedVersion: 1 }).status).toBe('ready');
	});

	it('recalls a bumped ticket to where it was, but never brings back a closed order', () => {
		const placed = order([{ sku: 'BROWNIE', quantity: 1 }]);
		packOrder(bakery.deps, placed.id, { expectedVersion: 1 });
		const recalled = recallOrder(bakery.deps, placed.id, { expectedVersion: 2 });
		expect(recalled).toMatchObject({
			status: 'received',
			version: 3,
			packedAt: null,
			packedRight: null
		});

		cancelOrder(bakery.deps, placed.id, { expectedVersion: 3 });
		const bump = refusal(() => recallOrder(bakery.deps, placed.id, { expectedVersion: 4 }));
		expect(bump.message).toBe(
			`order ${placed.number} is cancelled; only a packed order waiting for collection can be recalled`
		);
	});

	it('names the field of a bad command', () => {
		const placed = order([{ sku: 'BROWNIE', quantity: 1 }]);
		expect(
			refusal(() =>
				packOrder(bakery.deps, placed.id, { expectedVersion: 1, lines: [{ id: 999, packed: 1 }] })
			).message
		).toBe(`lines: line 999 is not part of order ${placed.number}`);
		expect(refusal(() => packOrder(bakery.deps, placed.id, {})).details.problems?.[0]?.field).toBe(
			'expectedVersion'
		);
	});
});
