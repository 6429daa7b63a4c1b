import { and, count, eq, gte, lt } from 'drizzle-orm';
import { Gauge, type LabelValues, type Registry } from 'prom-client';

import { wallClock } from '../../domain/shop-time';
import { notifications, orders, ovenLoads } from '../db/schema';
import type { Deps } from '../deps';
import { dayBounds, daySummary, loadStart, type ShopDay } from './metrics';

/** What the gauges read at each scrape; a function, so a restarted runtime is picked up. */
export type MetricsSource = () => Pick<Deps, 'config' | 'db' | 'now'>;

interface Today {
	deps: ReturnType<MetricsSource>;
	day: ShopDay;
}

/**
 * Registers the bakery's gauges: today's figures on the shop's clock, read from the database
 * when Prometheus scrapes. Each gauge reads on its own; a day's orders are a few hundred rows on
 * an indexed column, which costs less than sharing one snapshot between the gauges would.
 *
 * A ratio with nothing to divide is NaN, as Prometheus itself answers 0/0, so an alert on it
 * stays quiet before the first order of the day instead of firing on a false zero.
 */
export function registerBakeryMetrics(registry: Registry, source: MetricsSource): void {
	const today = (): Today => {
		const deps = source();
		const zone = deps.config.shopTimeZone;
		return { deps, day: { date: wallClock(deps.now(), zone).date, zone } };
	};
	const summary = ({ deps, day }: Today) => daySummary(deps.db, day);

	const gauge = <L extends string>(
		name: string,
		help: string,
		labelNames: readonly L[],
		read: (today: Today) => [LabelValues<L>, number][]
	) =>
		new Gauge({
			name,
			help,
			labelNames,
			registers: [registry],
			collect() {
				this.reset();
				for (const [labels, value] of read(today())) this.set(labels, value);
			}
		});

	gauge('bakery_orders', "Today's orders by channel and status", ['channel', 'status'], (t) =>
		orderCounts(t).map(({ channel, status, n }) => [{ channel, status }, n])
	);
	gauge('bakery_on_time_ratio', "Share of today's ready orders ready by the promise", [], (t) => [
		[{}, summary(t).onTimeRate ?? NaN]
	]);
	gauge('bakery_fulfillment_minutes', 'Minutes from placed to ready today', ['quantile'], (t) => {
		const minutes = summary(t).fulfillmentMinutes;
		if (!minutes) return [];
		return [
			[{ quantile: '0.5' }, minutes.p50],
			[{ quantile: '0.95' }, minutes.p95]
		];
	});
	gauge(
		'bakery_packing_accuracy_ratio',
		"Share of today's orders packed right first time",
		[],
		(t) => [[{}, summary(t).accuracyRate ?? NaN]]
	);
	gauge('bakery_rating_average', "Mean rating (1 to 5) of today's orders", [], (t) => [
		[{}, summary(t).satisfaction.meanRating ?? NaN]
	]);
	gauge('bakery_ratings', "Ratings given to today's orders", [], (t) => [
		[{}, summary(t).satisfaction.ratings]
	]);
	gauge(
		'bakery_notifications',
		'Notices created today by channel and delivery state',
		['channel', 'state'],
		(t) => notificationCounts(t).map(({ channel, state, n }) => [{ channel, state }, n])
	);
	gauge('bakery_oven_loads', 'Oven loads starting today by status', ['status'], (t) =>
		loadCounts(t).map(({ status, n }) => [{ status }, n])
	);
}

function orderCounts({ deps, day }: Today) {
	return deps.db
		.select({ channel: orders.channel, status: orders.status, n: count() })
		.from(orders)
		.where(eq(orders.businessDate, day.date))
		.groupBy(orders.channel, orders.status)
		.all();
}

function notificationCounts({ deps, day }: Today) {
	const { from, to } = dayBounds(day);
	return deps.db
		.select({ channel: notifications.channel, state: notifications.state, n: count() })
		.from(notifications)
		.where(and(gte(notifications.createdAt, from), lt(notifications.createdAt, to)))
		.groupBy(notifications.channel, notifications.state)
		.all();
}

/** Counted by the same start as the day's oven schedule: the actual one when it has started. */
function loadCounts({ deps, day }: Today) {
	const { from, to } = dayBounds(day);
	return deps.db
		.select({ status: ovenLoads.status, n: count() })
		.from(ovenLoads)
		.where(and(gte(loadStart, from), lt(loadStart, to)))
		.groupBy(ovenLoads.status)
		.all();
}
