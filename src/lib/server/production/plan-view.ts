import { asc, eq, inArray } from 'drizzle-orm';

import { formatShopTime } from '../../domain/shop-time';
import type { PlanStats } from '../../planner/types';
import type { Executor } from '../db/client';
import {
	counters,
	loadTrays,
	orderLines,
	orders,
	ovenLoads,
	ovens,
	products,
	trayFeeds
} from '../db/schema';
import { explain } from '../orders/intake';
import { PLANNED_ORDER_STATUSES } from './planner-input';

export interface LoadView {
	id: number;
	ovenId: number;
	oven: string;
	status: string;
	version: number;
	tempC: number;
	prepStartAt: string;
	startAt: string;
	endAt: string;
	prepStartShopTime: string;
	startShopTime: string;
	endShopTime: string;
	trays: {
		sku: string;
		name: string;
		units: number;
		unitsPerTray: number;
		/** When this tray comes out: a load of mixed products empties tray by tray. */
		outShopTime: string;
		/** The orders a tray is baked for, with what the baker must see: notes and modifiers. */
		feeds: {
			orderNumber: string;
			units: number;
			note: string;
			modifiers: string[];
			/** The order's own note: allergies taken at the counter land here. */
			orderNote: string;
		}[];
	}[];
}

export interface PlanView {
	planVersion: number;
	loads: LoadView[];
	orders: {
		number: string;
		readyShopTime: string | null;
		lateMinutes: number | null;
		reasons: string[];
	}[];
	stats: Omit<PlanStats, 'temperatureChanges'> & { unitsToBake: number };
}

const iso = (instant: number) => new Date(instant).toISOString();

/** The stored plan, as the oven station and `GET /api/plan` show it. */
export function planView(db: Executor, zone: string): PlanView {
	const loads = db
		.select({ load: ovenLoads, oven: ovens.name })
		.from(ovenLoads)
		.innerJoin(ovens, eq(ovens.id, ovenLoads.ovenId))
		.where(inArray(ovenLoads.status, ['planned', 'prepping', 'baking']))
		.orderBy(asc(ovenLoads.startAt), asc(ovenLoads.ovenId))
		.all();
	const loadIds = loads.map((row) => row.load.id);
	const trays =
		loadIds.length === 0
			? []
			: db
					.select({
						tray: loadTrays,
						sku: products.sku,
						name: products.name,
						unitsPerTray: products.unitsPerTray,
						bakeMinutes: products.bakeMinutes
					})
					.from(loadTrays)
					.innerJoin(products, eq(products.id, loadTrays.productId))
					.where(inArray(loadTrays.loadId, loadIds))
					.orderBy(asc(loadTrays.position))
					.all();
	const feeds =
		trays.length === 0
			? []
			: db
					.select({
						trayId: trayFeeds.trayId,
						units: trayFeeds.units,
						number: orders.number,
						note: orderLines.note,
						modifiers: orderLines.modifiers,
						orderNote: orders.note
					})
					.from(trayFeeds)
					.innerJoin(orders, eq(orders.id, trayFeeds.orderId))
					.innerJoin(orderLines, eq(orderLines.id, trayFeeds.orderLineId))
					.where(
						inArray(
							trayFeeds.trayId,
							trays.map((row) => row.tray.id)
						)
					)
					.all();

	const shop = (instant: number) => formatShopTime(instant, zone);
	const loadViews = loads.map(({ load, oven }) => {
		const mine = trays.filter((row) => row.tray.loadId === load.id);
		return {
			id: load.id,
			ovenId: load.ovenId,
			oven,
			status: load.status,
			version: load.version,
			tempC: load.tempC,
			prepStartAt: iso(load.prepStartAt),
			startAt: iso(load.startAt),
			endAt: iso(load.endAt),
			prepStartShopTime: shop(load.prepStartAt),
			startShopTime: shop(load.startAt),
			endShopTime: shop(load.endAt),
			trays: mine.map((row) => ({
				sku: row.sku,
				name: row.name,
				units: row.tray.units,
				unitsPerTray: row.unitsPerTray ?? row.tray.units,
				outShopTime: shop(Math.min(load.endAt, load.startAt + (row.bakeMinutes ?? 0) * 60_000)),
				feeds: feeds
					.filter((feed) => feed.trayId === row.tray.id)
					.map((feed) => ({
						orderNumber: feed.number,
						units: feed.units,
						note: feed.note,
						modifiers: feed.modifiers,
						orderNote: feed.orderNote
					}))
			}))
		};
	});

	const planned = plannedOrders(db, zone);
	const allTrays = loadViews.flatMap((load) => load.trays);
	const units = allTrays.reduce((sum, tray) => sum + tray.units, 0);
	const capacity = allTrays.reduce((sum, tray) => sum + tray.unitsPerTray, 0);
	return {
		planVersion:
			db.select().from(counters).where(eq(counters.name, 'plan-version')).get()?.value ?? 0,
		loads: loadViews,
		orders: planned,
		stats: {
			loads: loadViews.length,
			trays: allTrays.length,
			trayFill: capacity === 0 ? 1 : units / capacity,
			unitsToBake: units,
			lateOrders: planned.filter((order) => order.lateMinutes !== 0).length,
			totalLatenessMinutes: planned.reduce((sum, order) => sum + (order.lateMinutes ?? 0), 0)
		}
	};
}

/** Open orders the plan bakes for, with their ready time and, when late, why. */
function plannedOrders(db: Executor, zone: string): PlanView['orders'] {
	const rows = db
		.select({
			id: orders.id,
			number: orders.number,
			readyAt: orders.estimatedReadyAt,
			lateMinutes: orders.lateMinutes,
			now: orders.updatedAt
		})
		.from(orders)
		.where(inArray(orders.status, PLANNED_ORDER_STATUSES))
		.orderBy(asc(orders.fulfillmentAt), asc(orders.id))
		.all()
		.filter((row) => row.readyAt !== null || row.lateMinutes !== 0);
	const ids = rows.map((row) => row.id);
	const lines =
		ids.length === 0
			? []
			: db
					.select({ orderId: orderLines.orderId, reason: orderLines.lateReason })
					.from(orderLines)
					.where(inArray(orderLines.orderId, ids))
					.all();
	const names = new Map(
		db
			.select({ id: products.id, name: products.name })
			.from(products)
			.all()
			.map((row) => [row.id, row.name])
	);

	return rows.map((row) => ({
		number: row.number,
		readyShopTime: row.readyAt === null ? null : formatShopTime(row.readyAt, zone),
		lateMinutes: row.lateMinutes < 0 ? null : row.lateMinutes,
		reasons: lines
			.filter((line) => line.orderId === row.id && line.reason)
			.map((line) => explain(line.reason!, names, row.now, zone))
	}));
}
