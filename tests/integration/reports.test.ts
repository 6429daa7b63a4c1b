import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { eq } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { OrderStatus } from '../../src/lib/domain/order';
import { parseShopTime } from '../../src/lib/domain/shop-time';
import type { Db } from '../../src/lib/server/db/client';
import {
	loadTrays,
	notifications,
	orders,
	ovenLoads,
	ovens,
	products,
	type LoadStatus
} from '../../src/lib/server/db/schema';
import { reportCsv } from '../../src/lib/server/reports/csv';
import { dayBounds, dayReport, recentDates } from '../../src/lib/server/reports/metrics';
import { registerBakeryMetrics } from '../../src/lib/server/reports/prometheus';
import { runtime } from '../../src/lib/server/runtime';
import { GET as exportCsv } from '../../src/routes/admin/reports/[table].csv/+server';
import { GET as metricsEndpoint } from '../../src/routes/metrics/+server';
import { testBakery, type TestBakery } from '../helpers/deps';

const ZONE = 'Europe/London';
// Thursday 13 June 2024, 05:00 in London (BST, UTC+1).
const NOW = Date.parse('2024-06-13T04:00:00Z');
const DAY = { date: '2024-06-13', zone: ZONE };

/** An instant from a wall time in London, or from an ISO time with its offset. */
function at(time: string): number {
	const parsed = parseShopTime(time, ZONE);
	if (!parsed.ok) throw new Error(`bad test time ${time}: ${parsed.problem}`);
	return parsed.instant;
}

interface OrderSpec {
	number: string;
	date?: string;
	channel?: string;
	status?: OrderStatus;
	placed: string;
	promised?: string;
	ready?: string;
	collected?: string;
	packedRight?: boolean;
	rating?: number;
	/** The time the customer asked for; left out, as soon as possible. */
	requested?: string;
}

function addOrder(db: Db, spec: OrderSpec): void {
	const placed = at(spec.placed);
	const optional = (time: string | undefined) => (time === undefined ? null : at(time));
	db.insert(orders)
		.values({
			number: spec.number,
			businessDate: spec.date ?? DAY.date,
			channel: spec.channel ?? 'online',
			requestHash: 'test',
			status: spec.status ?? 'received',
			customerName: 'Ana Ruiz',
			fulfillmentType: 'pickup',
			fulfillmentAt: optional(spec.promised) ?? placed,
			totalMinor: 500,
			currency: 'GBP',
			trackingToken: `${spec.date ?? DAY.date}-${spec.number}`,
			promisedAt: optional(spec.promised),
			requestedAt: optional(spec.requested),
			packedAt: optional(spec.ready),
			packedRight: spec.packedRight ?? null,
			completedAt: optional(spec.collected),
			rating: spec.rating ?? null,
			ratedAt: spec.rating === undefined ? null : optional(spec.collected),
			createdAt: placed,
			updatedAt: placed
		})
		.run();
}

interface LoadSpec {
	oven: string;
	status: LoadStatus;
	planned: [string, string];
	started?: string;
	finished?: string;
	tempC: number;
	trays: [sku: string, units: number][];
}

function addLoad(db: Db, spec: LoadSpec): void {
	const oven = db.select().from(ovens).where(eq(ovens.name, spec.oven)).get()!;
	const [startAt, endAt] = spec.planned.map(at) as [number, number];
	const load = db
		.insert(ovenLoads)
		.values({
			ovenId: oven.id,
			status: spec.status,
			prepStartAt: startAt,
			startAt,
			endAt,
			tempC: spec.tempC,
			planVersion: 1,
			startedAt: spec.started === undefined ? null : at(spec.started),
			finishedAt: spec.finished === undefined ? null : at(spec.finished)
		})
		.returning()
		.get();
	spec.trays.forEach(([sku, units], position) => {
		const product = db.select().from(products).where(eq(products.sku, sku)).get()!;
		db.insert(loadTrays).values({ loadId: load.id, position, productId: product.id, units }).run();
	});
}

/**
 * Thursday 13 June: four orders ready (two by their promise, one exactly on it), one still
 * waiting, one cancelled; two loads baked or baking, one cancelled, one for the next day.
 */
function aDay(db: Db): void {
	const day = (time: string) => `2024-06-13T${time}`;
	addOrder(db, {
		number: '1',
		status: 'completed',
		placed: day('09:00'),
		promised: day('09:30'),
		ready: day('09:20'),
		collected: day('09:40'),
		packedRight: true,
		rating: 5
	});
	addOrder(db, {
		number: '2',
		channel: 'pos',
		status: 'ready',
		placed: day('09:10'),
		promised: day('09:30'),
		ready: day('09:40'),
		packedRight: false,
		rating: 3
	});
	addOrder(db, {
		number: '3',
		status: 'ready',
		placed: day('10:05'),
		promised: day('10:30'),
		ready: day('10:30'),
		packedRight: true,
		rating: 4
	});
	addOrder(db, {
		number: '4',
		channel: 'shopify',
		status: 'ready',
		placed: day('10:20'),
		promised: day('11:00'),
		ready: day('11:20'),
		packedRight: true
	});
	addOrder(db, { number: '5', placed: day('11:00'), promised: day('11:30') });
	addOrder(db, {
		number: '6',
		status: 'cancelled',
		placed: day('09:05'),
		promised: day('09:30'),
		ready: day('11:00'),
		packedRight: false,
		rating: 1
	});

	addLoad(db, {
		oven: 'Deck oven',
		status: 'done',
		planned: [day('06:00'), day('06:20')],
		started: day('06:05'),
		finished: day('06:27'),
		tempC: 200,
		trays: [
			['CROISSANT', 12],
			['PAIN-AU-CHOCOLAT', 12],
			['CROISSANT', 12]
		]
	});
	addLoad(db, {
		oven: 'Rack oven',
		status: 'baking',
		planned: [day('07:00'), day('07:40')],
		started: day('07:10'),
		tempC: 230,
		trays: [['BREAD', 8]]
	});
	addLoad(db, {
		oven: 'Deck oven',
		status: 'cancelled',
		planned: [day('08:00'), day('08:20')],
		tempC: 200,
		trays: [['BAGUETTE', 10]]
	});
	addLoad(db, {
		oven: 'Deck oven',
		status: 'planned',
		planned: ['2024-06-14T00:10', '2024-06-14T00:30'],
		tempC: 200,
		trays: [['BAGUETTE', 10]]
	});
}

describe('day report', () => {
	let bakery: TestBakery;
	beforeEach(() => {
		bakery = testBakery({ now: NOW, zone: ZONE });
	});
	afterEach(() => bakery.close());

	it('sums up the day: on-time rate, fulfillment percentiles, accuracy and satisfaction', () => {
		aDay(bakery.db);

		expect(dayReport(bakery.db, DAY).summary).toEqual({
			orders: 5,
			cancelled: 1,
			completed: 1,
			// Orders 1 and 3 (packed exactly at the promise) of the four ready; 5 is not ready yet.
			onTimeRate: 0.5,
			// Placed to ready: 20, 30, 25 and 60 minutes.
			fulfillmentMinutes: { p50: 27.5, p95: 55.5, mean: 33.8 },
			accuracyRate: 0.75,
			satisfaction: {
				meanRating: 4,
				ratings: 3,
				distribution: [
					{ stars: 1, orders: 0 },
					{ stars: 2, orders: 0 },
					{ stars: 3, orders: 1 },
					{ stars: 4, orders: 1 },
					{ stars: 5, orders: 1 }
				]
			},
			placedOnOtherDays: 0
		});
	});

	it('measures fulfillment time on orders for as soon as possible, not on those for later', () => {
		aDay(bakery.db);
		// Ordered the evening before for noon and ready at 11:50: on time, but no 15-hour wait.
		addOrder(bakery.db, {
			number: '9',
			status: 'ready',
			placed: '2024-06-12T21:00',
			requested: '2024-06-13T12:00',
			promised: '2024-06-13T12:00',
			ready: '2024-06-13T11:50'
		});

		const { summary, orders } = dayReport(bakery.db, DAY);
		expect(summary.fulfillmentMinutes).toEqual({ p50: 27.5, p95: 55.5, mean: 33.8 });
		expect(summary.onTimeRate).toBe(3 / 5);
		expect(orders.find((order) => order.number === '9')).toMatchObject({
			asap: false,
			placedToReadyMinutes: 890,
			onTime: true
		});
	});

	it('counts an order ready within its promised minute as on time, and one later as late', () => {
		addOrder(bakery.db, {
			number: '1',
			channel: 'pos',
			status: 'ready',
			placed: '2024-06-13T09:00:00',
			promised: '2024-06-13T09:00:00',
			ready: '2024-06-13T09:00:40'
		});
		addOrder(bakery.db, {
			number: '2',
			channel: 'pos',
			status: 'ready',
			placed: '2024-06-13T09:05:00',
			promised: '2024-06-13T09:05:00',
			ready: '2024-06-13T09:06:30'
		});

		const { orders } = dayReport(bakery.db, DAY);
		expect(orders.map(({ onTime, minutesLate }) => [onTime, minutesLate])).toEqual([
			[true, 0.7],
			[false, 1.5]
		]);
	});

	it('gives each order its timings on the shop clock', () => {
		aDay(bakery.db);
		const report = dayReport(bakery.db, DAY);

		expect(report.orders.map((order) => order.number)).toEqual(['1', '2', '3', '4', '5']);
		expect(report.orders[0]).toEqual({
			number: '1',
			channel: 'online',
			fulfillmentType: 'pickup',
			placedAt: '2024-06-13T09:00:00+01:00',
			readyAt: '2024-06-13T09:20:00+01:00',
			completedAt: '2024-06-13T09:40:00+01:00',
			promisedAt: '2024-06-13T09:30:00+01:00',
			asap: true,
			placedToReadyMinutes: 20,
			placedToCollectedMinutes: 40,
			onTime: true,
			minutesLate: 0,
			packedRight: true,
			rating: 5
		});
		expect(report.orders.map(({ onTime, minutesLate }) => [onTime, minutesLate])).toEqual([
			[true, 0],
			[false, 10],
			[true, 0],
			[false, 20],
			[null, null]
		]);
	});

	it('sorts fulfillment times into five-minute buckets up to two hours', () => {
		aDay(bakery.db);
		addOrder(bakery.db, {
			number: '7',
			placed: '2024-06-13T12:00',
			ready: '2024-06-13T14:05'
		});
		const buckets = dayReport(bakery.db, DAY).series.fulfillment;

		expect(buckets).toHaveLength(25);
		expect(buckets.filter((bucket) => bucket.orders > 0)).toEqual([
			{ label: '20–25', orders: 1 },
			{ label: '25–30', orders: 1 },
			{ label: '30–35', orders: 1 },
			{ label: '60–65', orders: 1 },
			{ label: '120+', orders: 1 }
		]);
	});

	it('lays out the oven schedule by actual start and finish, with tray fill', () => {
		aDay(bakery.db);

		expect(dayReport(bakery.db, DAY).schedule).toEqual([
			{
				id: 1,
				oven: 'Deck oven',
				status: 'done',
				startAt: '2024-06-13T06:05:00+01:00',
				endAt: '2024-06-13T06:27:00+01:00',
				tempC: 200,
				trays: 3,
				capacityTrays: 6,
				trayFill: 0.5,
				products: [
					{ name: 'Croissant', units: 24 },
					{ name: 'Pain au chocolat', units: 12 }
				]
			},
			{
				id: 2,
				oven: 'Rack oven',
				status: 'baking',
				startAt: '2024-06-13T07:10:00+01:00',
				// Started ten minutes late and still in: its planned 40 minutes from the start.
				endAt: '2024-06-13T07:50:00+01:00',
				tempC: 230,
				trays: 1,
				capacityTrays: 16,
				trayFill: 0.06,
				products: [{ name: 'Bread', units: 8 }]
			}
		]);
	});

	it('counts hours on the wall clock on the day the clocks go back', () => {
		const date = '2024-10-27';
		const add = (number: string, placed: string, extra: Partial<OrderSpec> = {}) =>
			addOrder(bakery.db, { number, date, placed, ...extra });
		add('1', '2024-10-27T00:30:00+01:00');
		add('2', '2024-10-27T01:30:00+01:00', { channel: 'pos' });
		// The second 01:30: the clocks went back at 02:00 summer time.
		add('3', '2024-10-27T01:30:00+00:00');
		add('4', '2024-10-27T10:00:00+00:00', {
			promised: '2024-10-27T10:30:00+00:00',
			ready: '2024-10-27T10:20:00+00:00'
		});
		add('5', '2024-10-27T23:30:00+00:00');
		add('6', '2024-10-26T15:00:00+01:00');

		const report = dayReport(bakery.db, { date, zone: ZONE });
		const busy = report.series.hours.filter((hour) => hour.placedTotal > 0 || hour.ready > 0);

		expect(report.series.hours).toHaveLength(24);
		expect(busy).toEqual([
			{ hour: 0, placed: { online: 1 }, placedTotal: 1, ready: 0, onTime: 0, onTimeRate: null },
			{
				hour: 1,
				placed: { pos: 1, online: 1 },
				placedTotal: 2,
				ready: 0,
				onTime: 0,
				onTimeRate: null
			},
			{ hour: 10, placed: { online: 1 }, placedTotal: 1, ready: 1, onTime: 1, onTimeRate: 1 },
			{ hour: 23, placed: { online: 1 }, placedTotal: 1, ready: 0, onTime: 0, onTimeRate: null }
		]);
		expect(report.summary.placedOnOtherDays).toBe(1);
		expect(report.orders[2]!.placedAt).toBe('2024-10-27T01:30:00+01:00');
		expect(report.orders[3]!.placedAt).toBe('2024-10-27T01:30:00+00:00');

		const { from, to } = dayBounds({ date, zone: ZONE });
		expect((to - from) / 3_600_000).toBe(25);
	});

	it('answers an empty day with nothing to divide, not zeros', () => {
		const report = dayReport(bakery.db, { date: '2024-06-14', zone: ZONE });

		expect(report.orders).toEqual([]);
		expect(report.schedule).toEqual([]);
		expect(report.summary).toMatchObject({
			orders: 0,
			onTimeRate: null,
			fulfillmentMinutes: null,
			accuracyRate: null,
			satisfaction: { meanRating: null, ratings: 0 }
		});
		expect(report.series.fulfillment.every((bucket) => bucket.orders === 0)).toBe(true);
	});

	it('offers the latest days with orders for the date picker, not counting cancelled ones', () => {
		aDay(bakery.db);
		addOrder(bakery.db, { number: '1', date: '2024-06-11', placed: '2024-06-11T09:00' });

		expect(recentDates(bakery.db)).toEqual([
			{ date: '2024-06-13', orders: 5 },
			{ date: '2024-06-11', orders: 1 }
		]);
		expect(recentDates(bakery.db, 1)).toEqual([{ date: '2024-06-13', orders: 5 }]);
	});
});

describe('CSV export', () => {
	let bakery: TestBakery;
	beforeEach(() => {
		bakery = testBakery({ now: NOW, zone: ZONE });
		aDay(bakery.db);
	});
	afterEach(() => bakery.close());

	it('writes the loads with a header row, quoting a name with a comma', () => {
		bakery.db
			.update(ovens)
			.set({ name: 'Deck oven, left' })
			.where(eq(ovens.name, 'Deck oven'))
			.run();

		expect(reportCsv(dayReport(bakery.db, DAY), 'loads')).toBe(
			'\uFEFF' +
				'oven,status,start_at,end_at,temp_c,trays,capacity_trays,tray_fill,products\n' +
				'"Deck oven, left",done,2024-06-13T06:05:00+01:00,2024-06-13T06:27:00+01:00,200,3,6,0.5,24 Croissant; 12 Pain au chocolat\n' +
				'Rack oven,baking,2024-06-13T07:10:00+01:00,2024-06-13T07:50:00+01:00,230,1,16,0.06,8 Bread\n'
		);
	});

	it('writes the orders, leaving unknowns empty', () => {
		const lines = reportCsv(dayReport(bakery.db, DAY), 'orders').split('\n');

		expect(lines[0]).toBe(
			'\uFEFFnumber,channel,fulfillment,placed_at,ready_at,completed_at,promised_at,asap,placed_to_ready_minutes,placed_to_collected_minutes,on_time,minutes_late,packed_right,rating'
		);
		expect(lines.slice(1)).toEqual([
			'1,online,pickup,2024-06-13T09:00:00+01:00,2024-06-13T09:20:00+01:00,2024-06-13T09:40:00+01:00,2024-06-13T09:30:00+01:00,true,20,40,true,0,true,5',
			'2,pos,pickup,2024-06-13T09:10:00+01:00,2024-06-13T09:40:00+01:00,,2024-06-13T09:30:00+01:00,true,30,,false,10,false,3',
			'3,online,pickup,2024-06-13T10:05:00+01:00,2024-06-13T10:30:00+01:00,,2024-06-13T10:30:00+01:00,true,25,,true,0,true,4',
			'4,shopify,pickup,2024-06-13T10:20:00+01:00,2024-06-13T11:20:00+01:00,,2024-06-13T11:00:00+01:00,true,60,,false,20,true,',
			'5,online,pickup,2024-06-13T11:00:00+01:00,,,2024-06-13T11:30:00+01:00,true,,,,,,',
			''
		]);
	});

	it('writes every hour with a column per channel', () => {
		const lines = reportCsv(dayReport(bakery.db, DAY), 'hours').split('\n');

		expect(lines[0]).toBe(
			'\uFEFFhour,placed,placed_online,placed_pos,placed_shopify,placed_square,placed_woocommerce,placed_replay,ready,on_time,on_time_rate'
		);
		expect(lines).toHaveLength(26);
		expect(lines.slice(10, 12)).toEqual([
			'09:00,2,1,1,0,0,0,0,2,1,0.5',
			'10:00,2,1,0,1,0,0,0,1,1,1'
		]);
	});
});

/** Sample lines of the Prometheus text format, by series, for the bakery's own metrics. */
function bakerySamples(text: string): Record<string, number> {
	return Object.fromEntries(
		text
			.split('\n')
			.filter((line) => line.startsWith('bakery_'))
			.map((line) => {
				const space = line.lastIndexOf(' ');
				return [line.slice(0, space), Number(line.slice(space + 1))];
			})
	);
}

describe('Prometheus metrics', () => {
	let bakery: TestBakery;
	let registry: Registry;
	beforeEach(() => {
		bakery = testBakery({ now: NOW, zone: ZONE });
		registry = new Registry();
		registerBakeryMetrics(registry, () => bakery.deps);
	});
	afterEach(() => bakery.close());

	it("reads today's figures from the database at each scrape", async () => {
		aDay(bakery.db);
		const notice = (key: string, channel: 'email' | 'sms', state: 'sent' | 'failed', on: string) =>
			bakery.db
				.insert(notifications)
				.values({
					kind: 'confirmed',
					channel,
					recipient: 'ana@example.com',
					data: {},
					dedupeKey: key,
					state,
					nextAttemptAt: at(on),
					createdAt: at(on)
				})
				.run();
		notice('a', 'email', 'sent', '2024-06-13T09:01');
		notice('b', 'email', 'sent', '2024-06-13T10:06');
		notice('c', 'sms', 'failed', '2024-06-13T10:21');
		notice('d', 'email', 'failed', '2024-06-12T23:59');

		expect(bakerySamples(await registry.metrics())).toEqual({
			'bakery_orders{channel="online",status="cancelled"}': 1,
			'bakery_orders{channel="online",status="completed"}': 1,
			'bakery_orders{channel="online",status="ready"}': 1,
			'bakery_orders{channel="online",status="received"}': 1,
			'bakery_orders{channel="pos",status="ready"}': 1,
			'bakery_orders{channel="shopify",status="ready"}': 1,
			bakery_on_time_ratio: 0.5,
			'bakery_fulfillment_minutes{quantile="0.5"}': 27.5,
			'bakery_fulfillment_minutes{quantile="0.95"}': 55.5,
			bakery_packing_accuracy_ratio: 0.75,
			bakery_rating_average: 4,
			bakery_ratings: 3,
			'bakery_notifications{channel="email",state="sent"}': 2,
			'bakery_notifications{channel="sms",state="failed"}': 1,
			'bakery_oven_loads{status="baking"}': 1,
			'bakery_oven_loads{status="cancelled"}': 1,
			'bakery_oven_loads{status="done"}': 1
		});

		bakery.db.update(orders).set({ packedRight: true }).where(eq(orders.number, '2')).run();
		expect(bakerySamples(await registry.metrics()).bakery_packing_accuracy_ratio).toBe(1);
	});

	it('reports NaN for a ratio with nothing to divide, and no quantiles, before any order', async () => {
		const text = await registry.metrics();
		const samples = bakerySamples(text);

		expect(text).toContain('# TYPE bakery_on_time_ratio gauge');
		expect(samples.bakery_on_time_ratio).toBeNaN();
		expect(samples.bakery_rating_average).toBeNaN();
		expect(samples.bakery_ratings).toBe(0);
		expect(Object.keys(samples).filter((key) => key.includes('quantile'))).toEqual([]);
	});
});

describe('the export and metrics endpoints', () => {
	const env = {
		DATABASE_PATH: '',
		SHOP_TIMEZONE: ZONE,
		LOG_LEVEL: 'silent',
		DEMO_DATA: 'true'
	};
	let dir: string;
	type ExportEvent = Parameters<typeof exportCsv>[0];
	const exportRequest = (table: string, query: string) =>
		exportCsv({
			params: { table },
			url: new URL(`http://bakery.test/admin/reports/${table}.csv${query}`)
		} as unknown as ExportEvent);

	// The routes read the process runtime, which reads its database file from the environment.
	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakery-reports-'));
		Object.assign(process.env, { ...env, DATABASE_PATH: path.join(dir, 'bakery.sqlite') });
		aDay(runtime().db);
	});
	afterAll(async () => {
		await runtime().close();
		for (const name of Object.keys(env)) delete process.env[name];
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('downloads a day as CSV with its file name', async () => {
		const response = await exportRequest('hours', '?date=2024-06-13');

		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(response.headers.get('content-disposition')).toBe(
			'attachment; filename="bakery-hours-2024-06-13.csv"'
		);
		const body = new TextDecoder().decode(await response.arrayBuffer());
		expect(body.split('\n')[10]).toBe('09:00,2,1,1,0,0,0,0,2,1,0.5');
	});

	it.each([
		[
			'sales',
			'?date=2024-06-13',
			[{ field: 'table', message: '"sales" is not a report; use orders.csv, loads.csv, hours.csv' }]
		],
		[
			'orders',
			'?date=2024-02-30',
			[{ field: 'date', message: '"2024-02-30" is not a date; use yyyy-MM-dd, such as 2024-06-13' }]
		],
		[
			'loads',
			'?date=13/06/2024',
			[{ field: 'date', message: '"13/06/2024" is not a date; use yyyy-MM-dd, such as 2024-06-13' }]
		]
	])('answers %s.csv%s with 400, naming the field', async (table, query, problems) => {
		const response = await exportRequest(table, query);

		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', problems } });
	});

	it('serves the metrics in the registry content type, with process metrics beside them', async () => {
		const response = await metricsEndpoint({} as unknown as Parameters<typeof metricsEndpoint>[0]);
		const text = await response.text();

		expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
		expect(text).toContain('# TYPE bakery_orders gauge');
		expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
	});
});
