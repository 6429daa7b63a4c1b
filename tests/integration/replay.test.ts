import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { replay } from '../../src/lib/replay/run';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bakery-replay-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const fixture = (name: string) => path.resolve('tests/fixtures', name);
const REAL_DAY = path.resolve('../shared/data/BreadBasket_DMS.csv');

/** A day at full speed on a free port, every sale a walk-in unless said otherwise. */
function replayDay(source: string, date: string, outDir: string, preorderShare = 0) {
	return replay({ source, date, pace: { kind: 'max' }, preorderShare, seed: 1, port: 0, outDir });
}

describe('replay', () => {
	it('replays the small Bread Basket day to the summary worked out by hand', async () => {
		const summary = await replayDay(fixture('bread-basket-mini.csv'), '2024-03-16', out);

		// Opening stock: the two Saturdays before sold 2 and 4 loaves and 1 and 3 medialunas.
		expect(summary.openingStock).toEqual({
			basis: 'mean of the 2 same weekdays before',
			days: ['2024-03-02', '2024-03-09'],
			units: { BREAD: 3, MEDIALUNA: 2 }
		});
		// Seven tills: two sold nothing this catalogue has (NONE, Adjustment); five orders, of which
		// the noon loaf, with the shelf empty, could only be baked by mid-afternoon: declined.
		expect([summary.transactions, summary.transactionsWithNothingToSell]).toEqual([7, 2]);
		expect(summary.orders).toMatchObject({
			sent: 5,
			accepted: 4,
			online: 0,
			pos: 4,
			refused: [],
			declined: [{ ticket: '16', units: 1 }]
		});
		expect(summary.unmapped.map((name) => [name.name, name.known, name.units])).toEqual([
			['Tshirt', false, 1],
			['NONE', true, 1],
			['Adjustment', true, 1]
		]);
		// 09:00 bread from the shelf (3 → 2) and a coffee; 09:15 two loaves (2 → 0); 09:30 two
		// cookies baked fresh (none on the shelf); 11:00 a medialuna from the shelf and a tea.
		expect([summary.lines, summary.units]).toEqual([6, 8]);
		expect(summary.routes).toEqual({ stock: 3, bake: 1, procure: 0, counter: 2 });
		// One load: the two cookies on a tray of twenty, the other eighteen for the shelf.
		expect([summary.loads, summary.trays, summary.unitsBaked, summary.trayFill]).toEqual([
			1, 1, 20, 1
		]);
		expect(summary.completed).toBe(4);
		expect(summary.onTimeRate).toBe(1);
		// Three walk-ins served at once, one waiting for its cookies: the median wait is none.
		expect(summary.fulfillmentMinutes?.p50).toBe(0);
		expect(summary.fulfillmentMinutes?.mean).toBeGreaterThan(0);
		// Cookies keep five days; the one medialuna left does not keep until tomorrow.
		expect(summary.endingStock).toEqual([
			{ sku: 'MEDIALUNA', name: 'Medialuna', onHand: 1 },
			{ sku: 'COOKIES', name: 'Cookies', onHand: 18 }
		]);
		expect(summary.waste).toEqual({
			unsold: 1,
			writtenOff: 0,
			byProduct: [{ sku: 'MEDIALUNA', name: 'Medialuna', unsold: 1, writtenOff: 0 }]
		});
		expect(summary.stillOpen).toEqual([]);
		// The loaf the noon customer would not wait for is counted as left behind, not lost.
		expect(summary.check).toEqual({
			mappedUnitsSold: 9,
			unitsInStoredOrders: 8,
			unitsRefused: 0,
			unitsDeclined: 1,
			nothingLost: true
		});
		expect(fs.existsSync(path.join(out, 'replay-2024-03-16.md'))).toBe(true);
	});

	it('reads the French till and refunds the sale a refund line follows', async () => {
		const summary = await replayDay(
			fixture('french-bakery-mini.csv'),
			'2024-03-16',
			path.join(out, 'french')
		);

		expect([summary.format, summary.zone]).toEqual(['french-bakery', 'Europe/Paris']);
		// The Saturday before sold 3 baguettes and a pain au chocolat: the shelf at opening.
		expect(summary.openingStock.units).toEqual({ BAGUETTE: 3, 'PAIN-AU-CHOCOLAT': 1 });
		expect(summary.unmapped).toEqual([{ name: 'COUPE', known: false, lines: 1, units: 1 }]);
		expect(summary.routes).toEqual({ stock: 2, bake: 0, procure: 0, counter: 0 });
		expect(summary.refunds).toEqual([
			expect.objectContaining({ sku: 'BAGUETTE', quantity: 1, applied: true })
		]);
		expect(summary.check.nothingLost).toBe(true);
	});

	it.each([
		// Clocks go back at 02:00: 01:30 happens twice (the first is taken), then GMT.
		[
			'2016-10-30',
			{ '1': '2016-10-30T01:30:00+01:00', '2': '2016-10-30T09:58:11Z', '3': '2016-10-30T14:48:40Z' }
		],
		// Clocks go forward at 01:00: 00:45 is still GMT, the rest British Summer Time.
		[
			'2017-03-26',
			{
				'10': '2017-03-26T00:45:00Z',
				'11': '2017-03-26T09:08:01+01:00',
				'12': '2017-03-26T16:12:40+01:00'
			}
		]
	])('replays the day the clocks change, %s, on the shop clock', async (date, placedAt) => {
		const dir = path.join(out, `dst-${date}`);
		const summary = await replayDay(fixture('bread-basket-dst.csv'), date, dir);
		expect(summary.check.nothingLost).toBe(true);
		expect(summary.completed).toBe(3);

		const db = new Database(path.join(dir, `replay-${date}.sqlite`), { readonly: true });
		const rows = db
			.prepare('select external_id as till, created_at as at, business_date as day from orders')
			.all() as { till: string; at: number; day: string }[];
		db.close();
		// Walk-ins are placed at the till's time, read in Europe/London, and belong to that day.
		expect(Object.fromEntries(rows.map((row) => [row.till.split('-').at(-1), row.at]))).toEqual(
			Object.fromEntries(Object.entries(placedAt).map(([till, iso]) => [till, Date.parse(iso)]))
		);
		expect(new Set(rows.map((row) => row.day))).toEqual(new Set([date]));
	});

	it.skipIf(!fs.existsSync(REAL_DAY))(
		'replays a full real day of the Bread Basket and loses nothing (when ../shared/data is there)',
		async () => {
			const summary = await replayDay(REAL_DAY, '2017-02-04', path.join(out, 'real'), 0.3);

			// Every mapped unit sold that day is in a stored order or in a named refusal.
			expect(summary.check.nothingLost).toBe(true);
			expect(summary.check.mappedUnitsSold).toBeGreaterThan(200);
			// 139 tills that day; those with nothing the catalogue sells are counted, not lost.
			expect(summary.transactions).toBe(139);
			expect(summary.orders.sent + summary.transactionsWithNothingToSell).toBe(139);
			expect(summary.unmapped.find((name) => name.name === 'NONE')?.units).toBe(10);
			expect(summary.orders.online).toBeGreaterThan(0);
			expect(summary.completed).toBe(summary.orders.accepted);
		},
		120_000
	);
});
