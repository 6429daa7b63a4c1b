import { and, asc, count, desc, eq, gte, inArray, lt, min, ne, sql, sum } from 'drizzle-orm';

import type { FulfillmentType } from '../../domain/order';
import {
	MINUTE_MS,
	addShopDays,
	formatShopTime,
	instantAt,
	wallClock
} from '../../domain/shop-time';
import type { Executor } from '../db/client';
import { loadTrays, orders, ovenLoads, ovens, products, type LoadStatus } from '../db/schema';
import { productionFigures, type ProductionFigures } from './production';

/*
 * The key figures of one shop day, read from what the order and oven services recorded.
 *
 * The day is the business date orders are for (their pickup or delivery day); cancelled orders
 * are left out of every figure. All hours are hours of the shop's wall clock, so on the day the
 * clocks go back, 01:00 holds two real hours and 10:00 is still 10:00.
 */

/**
 * Minutes after the promised time an order may reach ready and still count as on time: ready
 * within the promised minute is on time. A walk-in is promised the moment it orders, and the
 * packer's hands take a few seconds; that is not lateness.
 */
export const ON_TIME_GRACE_MINUTES = 1;

const BUCKET_MINUTES = 5;
/** Fulfillment times from here on share one open-ended bucket. */
const LAST_BUCKET_MINUTES = 120;

export interface ShopDay {
	/** `yyyy-MM-dd` on the shop's wall clock. */
	date: string;
	zone: string;
}

export interface OrderMetrics {
	number: string;
	channel: string;
	fulfillmentType: FulfillmentType;
	/** ISO-8601 with the shop's offset, so the hour repeated when clocks go back stays apart. */
	placedAt: string;
	/** When it was packed. */
	readyAt: string | null;
	/** When it was collected or delivered. */
	completedAt: string | null;
	promisedAt: string | null;
	/** Asked for as soon as possible, not for a time: its wait is its fulfillment time. */
	asap: boolean;
	placedToReadyMinutes: number | null;
	placedToCollectedMinutes: number | null;
	/** Null until it is ready, or when nothing was promised. */
	onTime: boolean | null;
	minutesLate: number | null;
	/** Packed at the counts ordered, the first time; null until packed. */
	packedRight: boolean | null;
	rating: number | null;
}

export interface MinuteStats {
	p50: number;
	p95: number;
	mean: number;
}

export interface DaySummary {
	/** Orders for the day that were not cancelled. */
	orders: number;
	cancelled: number;
	completed: number;
	/**
	 * Share of the orders that reached ready by their promised time. Only orders that reached
	 * ready count: one still waiting is neither on time nor late yet.
	 */
	onTimeRate: number | null;
	/**
	 * Placed to ready, over the orders asked for as soon as possible that reached ready. An order
	 * placed the evening before for noon is measured by whether it was ready at noon, not by how
	 * long the night was.
	 */
	fulfillmentMinutes: MinuteStats | null;
	/** Share of packed orders packed right the first time. */
	accuracyRate: number | null;
	satisfaction: {
		meanRating: number | null;
		ratings: number;
		/** How many orders got 1, 2, 3, 4 and 5 stars. */
		distribution: { stars: number; orders: number }[];
	};
	/** Orders placed on another day than their own, mostly pre-orders; not in the hourly intake. */
	placedOnOtherDays: number;
}

export interface FulfillmentBucket {
	/** `0–5`, `5–10`, … `120+` minutes, each from its start up to but not including its end. */
	label: string;
	orders: number;
}

export interface HourFigures {
	/** Hour of the shop's wall clock, 0 to 23. */
	hour: number;
	/** Orders placed in this hour of the day itself, per channel. */
	placed: Record<string, number>;
	placedTotal: number;
	/** Orders promised in this hour that reached ready, and how many of them by the promise. */
	ready: number;
	onTime: number;
	onTimeRate: number | null;
}

export interface ScheduledLoad {
	id: number;
	oven: string;
	status: LoadStatus;
	/** ISO-8601 with the shop's offset: the actual start and finish when known, else the plan's. */
	startAt: string;
	endAt: string;
	tempC: number;
	trays: number;
	capacityTrays: number;
	/** Trays used over the oven's capacity, to two decimals. */
	trayFill: number;
	products: { name: string; units: number }[];
}

export interface DayReport extends ShopDay {
	orders: OrderMetrics[];
	summary: DaySummary;
	series: { fulfillment: FulfillmentBucket[]; hours: HourFigures[] };
	/** The day's oven loads, by oven then start; cancelled loads never baked and are left out. */
	schedule: ScheduledLoad[];
	production: ProductionFigures;
}

export interface DayCount {
	date: string;
	orders: number;
}

/** Everything the reports page shows for one shop day. */
export function dayReport(db: Executor, day: ShopDay): DayReport {
	const rows = orderRows(db, day);
	const metrics = rows.filter((row) => row.status !== 'cancelled').map((row) => row.metrics);

	return {
		...day,
		orders: metrics,
		summary: summarise(rows, day),
		series: { fulfillment: fulfillmentBuckets(metrics), hours: hourFigures(rows, day) },
		schedule: loadSchedule(db, day),
		production: productionFigures(db, day)
	};
}

/** The headline figures alone, for readers that need no rows or series. */
export function daySummary(db: Executor, day: ShopDay): DaySummary {
	return summarise(orderRows(db, day), day);
}

/** The latest business dates that have orders, newest first, for a date picker. */
export function recentDates(db: Executor, limit = 14): DayCount[] {
	return db
		.select({ date: orders.businessDate, orders: count() })
		.from(orders)
		.where(ne(orders.status, 'cancelled'))
		.groupBy(orders.businessDate)
		.orderBy(desc(orders.businessDate))
		.limit(limit)
		.all();
}

/** The instants a shop date starts and ends, half-open; 23 or 25 hours on a DST change. */
export function dayBounds({ date, zone }: ShopDay): { from: number; to: number } {
	return { from: instantAt(date, 0, zone), to: instantAt(addShopDays(date, 1), 0, zone) };
}

/** When a load starts: when the baker started it, else when the plan has it start. */
export const loadStart = sql<number>`coalesce(${ovenLoads.startedAt}, ${ovenLoads.startAt})`;

/**
 * Nearest ranks interpolated linearly, as spreadsheets' PERCENTILE.INC does, so a manager can
 * check a figure against the CSV export. `sorted` must be ascending and not empty.
 */
function percentile(sorted: number[], fraction: number): number {
	const rank = (sorted.length - 1) * fraction;
	const below = sorted[Math.floor(rank)]!;
	const above = sorted[Math.ceil(rank)]!;
	return below + (above - below) * (rank - Math.floor(rank));
}

type StoredOrder = Pick<
	typeof orders.$inferSelect,
	| 'number'
	| 'channel'
	| 'status'
	| 'fulfillmentType'
	| 'createdAt'
	| 'packedAt'
	| 'completedAt'
	| 'promisedAt'
	| 'requestedAt'
	| 'packedRight'
	| 'rating'
>;

interface OrderRow extends StoredOrder {
	metrics: OrderMetrics;
}

function orderRows(db: Executor, day: ShopDay): OrderRow[] {
	return db
		.select({
			number: orders.number,
			channel: orders.channel,
			status: orders.status,
			fulfillmentType: orders.fulfillmentType,
			createdAt: orders.createdAt,
			packedAt: orders.packedAt,
			completedAt: orders.completedAt,
			promisedAt: orders.promisedAt,
			requestedAt: orders.requestedAt,
			packedRight: orders.packedRight,
			rating: orders.rating
		})
		.from(orders)
		.where(eq(orders.businessDate, day.date))
		.orderBy(asc(orders.createdAt), asc(orders.id))
		.all()
		.map((row) => ({ ...row, metrics: orderMetrics(row, day.zone) }));
}

function orderMetrics(row: StoredOrder, zone: string): OrderMetrics {
	const lateMs =
		row.packedAt === null || row.promisedAt === null ? null : row.packedAt - row.promisedAt;
	const time = (instant: number | null) => (instant === null ? null : shopIso(instant, zone));

	return {
		number: row.number,
		channel: row.channel,
		fulfillmentType: row.fulfillmentType,
		placedAt: shopIso(row.createdAt, zone),
		readyAt: time(row.packedAt),
		completedAt: time(row.completedAt),
		promisedAt: time(row.promisedAt),
		asap: row.requestedAt === null,
		placedToReadyMinutes: minutesBetween(row.createdAt, row.packedAt),
		placedToCollectedMinutes: minutesBetween(row.createdAt, row.completedAt),
		onTime: lateMs === null ? null : lateMs <= ON_TIME_GRACE_MINUTES * MINUTE_MS,
		minutesLate: lateMs === null ? null : round1(Math.max(0, lateMs) / MINUTE_MS),
		packedRight: row.packedRight,
		rating: row.rating
	};
}

function summarise(rows: OrderRow[], day: ShopDay): DaySummary {
	const kept = rows.filter((row) => row.status !== 'cancelled');
	const metrics = kept.map((row) => row.metrics);
	const minutes = metrics
		.filter((order) => order.asap)
		.map((order) => order.placedToReadyMinutes)
		.filter((value) => value !== null)
		.sort((a, b) => a - b);
	const ratings = metrics.map((order) => order.rating).filter((value) => value !== null);

	return {
		orders: kept.length,
		cancelled: rows.length - kept.length,
		completed: metrics.filter((order) => order.completedAt !== null).length,
		onTimeRate: shareTrue(metrics.map((order) => order.onTime)),
		fulfillmentMinutes: minutes.length === 0 ? null : minuteStats(minutes),
		accuracyRate: shareTrue(metrics.map((order) => order.packedRight)),
		satisfaction: {
			meanRating: ratings.length === 0 ? null : mean(ratings),
			ratings: ratings.length,
			distribution: [1, 2, 3, 4, 5].map((stars) => ({
				stars,
				orders: ratings.filter((rating) => rating === stars).length
			}))
		},
		placedOnOtherDays: kept.filter((row) => wallClock(row.createdAt, day.zone).date !== day.date)
			.length
	};
}

function minuteStats(sorted: number[]): MinuteStats {
	return {
		p50: round1(percentile(sorted, 0.5)),
		p95: round1(percentile(sorted, 0.95)),
		mean: round1(mean(sorted))
	};
}

function fulfillmentBuckets(metrics: OrderMetrics[]): FulfillmentBucket[] {
	const last = LAST_BUCKET_MINUTES / BUCKET_MINUTES;
	const buckets = Array.from({ length: last + 1 }, (_, index) => ({
		label:
			index === last
				? `${LAST_BUCKET_MINUTES}+`
				: `${index * BUCKET_MINUTES}–${(index + 1) * BUCKET_MINUTES}`,
		orders: 0
	}));
	for (const { placedToReadyMinutes: minutes, asap } of metrics) {
		if (minutes === null || !asap) continue;
		buckets[Math.min(last, Math.max(0, Math.floor(minutes / BUCKET_MINUTES)))]!.orders++;
	}
	return buckets;
}

/** Intake by the hour an order was placed; punctuality by the hour it was promised for. */
function hourFigures(rows: OrderRow[], day: ShopDay): HourFigures[] {
	const hours = Array.from({ length: 24 }, (_, hour) => ({
		hour,
		placed: {} as Record<string, number>,
		placedTotal: 0,
		ready: 0,
		onTime: 0,
		onTimeRate: null as number | null
	}));
	const hourOf = (instant: number) =>
		hours[Math.floor(wallClock(instant, day.zone).minuteOfDay / 60)]!;

	for (const row of rows) {
		if (row.status === 'cancelled') continue;
		const placed = wallClock(row.createdAt, day.zone);
		if (placed.date === day.date) {
			const hour = hourOf(row.createdAt);
			hour.placed[row.channel] = (hour.placed[row.channel] ?? 0) + 1;
			hour.placedTotal++;
		}
		if (row.promisedAt !== null && row.metrics.onTime !== null) {
			const hour = hourOf(row.promisedAt);
			hour.ready++;
			if (row.metrics.onTime) hour.onTime++;
		}
	}
	return hours.map((hour) => ({
		...hour,
		onTimeRate: hour.ready === 0 ? null : hour.onTime / hour.ready
	}));
}

/** Loads that start on the day; the actual start and finish win over the planned ones. */
function loadSchedule(db: Executor, day: ShopDay): ScheduledLoad[] {
	const { from, to } = dayBounds(day);
	const loads = db
		.select({
			id: ovenLoads.id,
			oven: ovens.name,
			capacityTrays: ovens.capacityTrays,
			status: ovenLoads.status,
			startAt: ovenLoads.startAt,
			endAt: ovenLoads.endAt,
			startedAt: ovenLoads.startedAt,
			finishedAt: ovenLoads.finishedAt,
			tempC: ovenLoads.tempC
		})
		.from(ovenLoads)
		.innerJoin(ovens, eq(ovens.id, ovenLoads.ovenId))
		.where(and(ne(ovenLoads.status, 'cancelled'), gte(loadStart, from), lt(loadStart, to)))
		.orderBy(asc(ovens.id), asc(loadStart))
		.all();
	if (loads.length === 0) return [];

	const contents = db
		.select({
			loadId: loadTrays.loadId,
			name: products.name,
			units: sum(loadTrays.units).mapWith(Number),
			trays: count()
		})
		.from(loadTrays)
		.innerJoin(products, eq(products.id, loadTrays.productId))
		.where(
			inArray(
				loadTrays.loadId,
				loads.map((load) => load.id)
			)
		)
		.groupBy(loadTrays.loadId, loadTrays.productId)
		.orderBy(asc(loadTrays.loadId), asc(min(loadTrays.position)))
		.all();

	return loads.map((load) => {
		const mine = contents.filter((content) => content.loadId === load.id);
		const trays = mine.reduce((total, content) => total + content.trays, 0);
		const startAt = load.startedAt ?? load.startAt;
		// A load started late but not finished yet is expected to take its planned bake time.
		const endAt = load.finishedAt ?? startAt + (load.endAt - load.startAt);
		return {
			id: load.id,
			oven: load.oven,
			status: load.status,
			startAt: shopIso(startAt, day.zone),
			endAt: shopIso(endAt, day.zone),
			tempC: load.tempC,
			trays,
			capacityTrays: load.capacityTrays,
			trayFill: Math.round((trays / load.capacityTrays) * 100) / 100,
			products: mine.map(({ name, units }) => ({ name, units }))
		};
	});
}

function shopIso(instant: number, zone: string): string {
	return formatShopTime(instant, zone, "yyyy-MM-dd'T'HH:mm:ssxxx");
}

function minutesBetween(from: number, to: number | null): number | null {
	return to === null ? null : round1((to - from) / MINUTE_MS);
}

/** The share of known answers that are yes; null when none is known yet. */
function shareTrue(answers: (boolean | null)[]): number | null {
	const known = answers.filter((answer) => answer !== null);
	return known.length === 0 ? null : known.filter(Boolean).length / known.length;
}

function mean(values: number[]): number {
	return values.reduce((total, value) => total + value, 0) / values.length;
}

function round1(value: number): number {
	return Math.round(value * 10) / 10;
}
