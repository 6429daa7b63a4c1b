import { describe, expect, it } from 'vitest';

import { plan } from '../../../src/lib/planner/plan';
import {
	at,
	baguette,
	brief,
	convection,
	cookie,
	croissant,
	deck,
	hhmm,
	input,
	line
} from './fixtures';

describe('plan', () => {
	it('shares trays across orders and products at one temperature, baked just in time', () => {
		const first = line(1, croissant.id, 5, at('10:00'));
		const second = line(2, croissant.id, 7, at('10:30'));
		const cookies = line(3, cookie.id, 30, at('10:00'));
		const result = plan(input({ demand: [first, second, cookies] }));

		expect(result.loads.map(brief)).toEqual(['oven 1 09:27-09:45 190°C [1:12 3:20 3:10]']);
		expect(result.loads[0]!.trays[0]!.feeds).toEqual([
			{ orderId: 1, lineId: first.lineId, units: 5 },
			{ orderId: 2, lineId: second.lineId, units: 7 }
		]);
		expect(hhmm(result.loads[0]!.prepStartAt)).toBe('07:27');
		expect(
			result.orders.map((order) => [order.orderId, hhmm(order.readyAt!), order.lateMinutes])
		).toEqual([
			[1, '10:00', 0],
			[2, '10:00', 0],
			[3, '09:54', 0]
		]);
		expect(result.stats).toEqual({
			loads: 1,
			trays: 3,
			trayFill: 42 / 52,
			temperatureChanges: 0,
			lateOrders: 0,
			totalLatenessMinutes: 0
		});
	});

	it('fills part trays for the shelf with spare ingredients, feeding orders as before', () => {
		const first = line(1, croissant.id, 5, at('10:00'));
		const baguettes = line(2, baguette.id, 3, at('10:00'));
		// Flour for 8 croissants (50 g each) and for the 3 baguettes ordered (250 g each) only.
		const result = plan(
			input({
				demand: [first, baguettes],
				ingredientStock: { 1: 400, 2: 750 },
				settings: { freshnessMinutes: 240, fillTraysForShelf: true }
			})
		);

		expect(result.loads.map(brief)).toEqual([
			'oven 1 09:18-09:40 250°C [2:3]',
			'oven 2 09:27-09:45 190°C [1:8]'
		]);
		expect(result.loads[1]!.trays[0]!.feeds).toEqual([
			{ orderId: 1, lineId: first.lineId, units: 5 }
		]);
		expect(result.stats.trayFill).toBe(11 / 24);
		expect(result.stats.lateOrders).toBe(0);
	});

	it('groups loads by temperature and leaves the changeover time between them', () => {
		const demand = [
			line(1, baguette.id, 12, at('09:00')),
			line(2, croissant.id, 12, at('09:00')),
			line(3, baguette.id, 12, at('09:30')),
			line(4, croissant.id, 12, at('09:30'))
		];
		const result = plan(input({ ovens: [deck], demand }));

		expect(result.loads.map(brief)).toEqual([
			'oven 1 07:45-08:07 250°C [2:12 2:12]',
			'oven 1 08:27-08:45 190°C [1:12 1:12]'
		]);
		expect(result.stats.temperatureChanges).toBe(1);
		expect(result.stats.lateOrders).toBe(0);
	});

	it('keeps loads and their prep inside the bakehouse hours, and explains a line the hours make late', () => {
		const early = line(1, cookie.id, 20, at('06:00'));
		const result = plan(
			input({ windows: [{ start: at('06:00'), end: at('18:00') }], demand: [early] })
		);

		// The bakers arrive at 06:00 and need 30 minutes of prep before the oven.
		expect(result.loads.map(brief)).toEqual(['oven 1 06:30-06:42 190°C [3:20]']);
		expect(result.lines).toEqual([
			{
				orderId: 1,
				lineId: early.lineId,
				readyAt: at('06:57'),
				lateMinutes: 57,
				reason: { code: 'bakehouse-hours', productId: cookie.id, at: at('06:30') },
				shortages: []
			}
		]);
	});

	it('keeps a load already in the oven where it is and plans around it', () => {
		const covered = line(1, croissant.id, 12, at('10:00'));
		const cookies = line(2, cookie.id, 20, at('05:30'));
		const inOven = {
			id: 77,
			ovenId: deck.id,
			startAt: at('05:00'),
			endAt: at('05:18'),
			tempC: 190,
			trays: [
				{
					productId: croissant.id,
					units: 12,
					feeds: [{ orderId: 1, lineId: covered.lineId, units: 12 }]
				}
			]
		};
		const result = plan(input({ demand: [covered, cookies], fixedLoads: [inOven] }));

		expect(result.loads.map((load) => [brief(load), load.fixedId])).toEqual([
			['oven 1 04:48-05:00 190°C [3:20]', null],
			['oven 1 05:00-05:18 190°C [1:12]', 77]
		]);
		expect(result.orders.map((order) => [order.orderId, hhmm(order.readyAt!)])).toEqual([
			[1, '05:33'],
			[2, '05:15']
		]);
	});

	it('explains a line its prep time makes late, with when it can be ready', () => {
		const rushed = line(1, croissant.id, 12, at('09:00'));
		const result = plan(input({ now: at('08:00'), demand: [rushed] }));

		expect(result.loads.map(brief)).toEqual(['oven 1 10:00-10:18 190°C [1:12]']);
		expect(result.orders).toEqual([
			{
				orderId: 1,
				readyAt: at('10:33'),
				lateMinutes: 93,
				reasons: [{ code: 'prep-time', productId: 1, at: at('10:33') }]
			}
		]);
	});

	it('explains lines that wait for a busy oven', () => {
		const demand = Array.from({ length: 10 }, (_, index) =>
			line(index + 1, cookie.id, 20, at('05:00'))
		);
		const result = plan(input({ ovens: [deck], demand }));

		expect(result.loads.map(brief)).toEqual([
			'oven 1 04:30-04:42 190°C [3:20 3:20 3:20 3:20]',
			'oven 1 04:42-04:54 190°C [3:20 3:20 3:20 3:20]',
			'oven 1 04:54-05:06 190°C [3:20 3:20]'
		]);
		expect(result.orders.map((order) => order.lateMinutes)).toEqual([
			0, 0, 0, 0, 9, 9, 9, 9, 21, 21
		]);
		expect(result.orders[4]!.reasons).toEqual([
			{ code: 'oven-capacity', productId: 3, tempC: 190, at: at('04:42') }
		]);
		expect(result.stats.totalLatenessMinutes).toBe(78);
	});

	it('gives a smaller free oven the soonest trays when the big one is busy', () => {
		const big = { ...convection, capacityTrays: 6 };
		const small = { ...deck, capacityTrays: 2 };
		const busy = {
			id: 9,
			ovenId: big.id,
			startAt: at('04:30'),
			endAt: at('06:00'),
			tempC: 190,
			trays: []
		};
		const demand = Array.from({ length: 5 }, (_, index) =>
			line(index + 1, cookie.id, 20, at('05:30'))
		);
		const result = plan(input({ ovens: [small, big], demand, fixedLoads: [busy] }));

		// Five trays would fill the big oven, but it is busy until 06:00: the small one bakes
		// them two at a time and every order is on time.
		expect(result.loads.map(brief)).toEqual([
			'oven 2 04:30-06:00 190°C []',
			'oven 1 04:39-04:51 190°C [3:20 3:20]',
			'oven 1 04:51-05:03 190°C [3:20 3:20]',
			'oven 1 05:03-05:15 190°C [3:20]'
		]);
		expect(result.stats.lateOrders).toBe(0);
	});

	it('shrinks the plan when an order is cancelled', () => {
		const demand = [1, 2, 3].map((orderId) => line(orderId, baguette.id, 12, at('12:00')));
		const before = plan(input({ demand }));
		const after = plan(input({ demand: demand.filter((entry) => entry.orderId !== 2) }));

		expect(before.loads.map(brief)).toEqual(['oven 1 11:18-11:40 250°C [2:12 2:12 2:12]']);
		expect(after.loads.map(brief)).toEqual(['oven 1 11:18-11:40 250°C [2:12 2:12]']);
	});

	it('lists what is missing for a line the ingredients cannot cover, and by when', () => {
		const covered = line(1, croissant.id, 6, at('10:00'));
		const short = line(2, croissant.id, 6, at('11:00'));
		const result = plan(input({ demand: [covered, short], ingredientStock: { 1: 500 } }));

		expect(result.lines.map((outcome) => outcome.shortages)).toEqual([
			[],
			[{ ingredientId: 1, missing: 100, neededBy: at('07:27') }]
		]);
	});

	it('names a product no oven can reach', () => {
		const pizza = { ...croissant, id: 4, bakeTempC: 300 };
		const order = line(1, pizza.id, 2, at('12:00'));
		const result = plan(input({ products: [pizza], demand: [order] }));

		expect(result.loads).toEqual([]);
		expect(result.lines[0]).toMatchObject({
			readyAt: null,
			lateMinutes: Number.POSITIVE_INFINITY,
			reason: { code: 'no-oven', productId: 4, tempC: 300 }
		});
	});
});
