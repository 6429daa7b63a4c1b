import { and, eq, gte, inArray, lt, ne, sql } from 'drizzle-orm';

import { LINE_ROUTES, type LineRoute } from '../../domain/order';
import { wallClock } from '../../domain/shop-time';
import type { Executor } from '../db/client';
import {
	loadTrays,
	openingHours,
	orderLines,
	orders,
	ovenLoads,
	ovens,
	products,
	stockMovements
} from '../db/schema';
import { dayBounds, loadStart, type ShopDay } from './metrics';

/**
 * What the bakehouse did on one shop day: how the lines were served, how full the ovens and
 * their trays were, what was left over, and the shelf at closing. Read from the orders, the
 * loads and the stock ledger, so a replayed day and a real one are measured the same way.
 */
export interface ProductionFigures {
	/** Lines of the day's orders that were not cancelled. */
	lines: number;
	units: number;
	/** Lines per route: from the shelf, baked fresh, waiting for an ingredient, made at the counter. */
	routes: Record<LineRoute, number>;
	/** Loads baked (or still baking) that started on the day. */
	loads: number;
	trays: number;
	unitsBaked: number;
	/** Units baked over the units their trays hold; null without loads. */
	trayFill: number | null;
	/** Oven minutes spent baking over the minutes the ovens were open (bakehouse hours). */
	ovenUtilisation: number | null;
	waste: {
		/** Units still on the shelf at closing that do not keep until tomorrow. */
		unsold: number;
		/** Units written off during the day: burnt trays, breakage. */
		writtenOff: number;
		byProduct: { sku: string; name: string; unsold: number; writtenOff: number }[];
	};
	/** Finished goods on hand at the end of the day, by the ledger. */
	endingStock: { sku: string; name: string; onHand: number }[];
}

const HOURS_24 = 24;

export function productionFigures(db: Executor, day: ShopDay): ProductionFigures {
	const { from, to } = dayBounds(day);
	const lines = lineFigures(db, day);
	const baking = bakingFigures(db, day, from, to);
	const shelf = shelfAtClosing(db, from, to);

	const byProduct = shelf
		.map((row) => ({
			sku: row.sku,
			name: row.name,
			// Bread and pastry kept less than a day are waste tomorrow; cookies and cakes carry over.
			unsold: row.shelfLifeHours <= HOURS_24 ? row.onHand : 0,
			writtenOff: row.writtenOff
		}))
		.filter((row) => row.unsold > 0 || row.writtenOff > 0);

	return {
		...lines,
		...baking,
		waste: {
			unsold: byProduct.reduce((total, row) => total + row.unsold, 0),
			writtenOff: byProduct.reduce((total, row) => total + row.writtenOff, 0),
			byProduct
		},
		endingStock: shelf
			.filter((row) => row.onHand > 0)
			.map(({ sku, name, onHand }) => ({ sku, name, onHand }))
	};
}

function lineFigures(db: Executor, day: ShopDay) {
	const rows = db
		.select({
			route: orderLines.route,
			lines: sql<number>`count(*)`,
			units: sql<number>`sum(${orderLines.quantity})`
		})
		.from(orderLines)
		.innerJoin(orders, eq(orders.id, orderLines.orderId))
		.where(and(eq(orders.businessDate, day.date), ne(orders.status, 'cancelled')))
		.groupBy(orderLines.route)
		.all();
	const routes = Object.fromEntries(LINE_ROUTES.map((route) => [route, 0])) as Record<
		LineRoute,
		number
	>;
	for (const row of rows) routes[row.route] = row.lines;
	return {
		lines: rows.reduce((total, row) => total + row.lines, 0),
		units: rows.reduce((total, row) => total + row.units, 0),
		routes
	};
}

function bakingFigures(db: Executor, day: ShopDay, from: number, to: number) {
	const loads = db
		.select({
			id: ovenLoads.id,
			startAt: loadStart,
			minutes: sql<number>`(coalesce(${ovenLoads.finishedAt}, ${ovenLoads.endAt}) - coalesce(${ovenLoads.startedAt}, ${ovenLoads.startAt})) / 60000.0`
		})
		.from(ovenLoads)
		.where(
			and(inArray(ovenLoads.status, ['baking', 'done']), gte(loadStart, from), lt(loadStart, to))
		)
		.all();
	const trays =
		loads.length === 0
			? []
			: db
					.select({ units: loadTrays.units, perTray: products.unitsPerTray })
					.from(loadTrays)
					.innerJoin(products, eq(products.id, loadTrays.productId))
					.where(
						inArray(
							loadTrays.loadId,
							loads.map((load) => load.id)
						)
					)
					.all();
	const unitsBaked = trays.reduce((total, tray) => total + tray.units, 0);
	const trayRoom = trays.reduce((total, tray) => total + (tray.perTray ?? tray.units), 0);
	const ovenMinutes = openOvenMinutes(db, day);
	const bakingMinutes = loads.reduce((total, load) => total + load.minutes, 0);

	return {
		loads: loads.length,
		trays: trays.length,
		unitsBaked,
		trayFill: trayRoom === 0 ? null : round2(unitsBaked / trayRoom),
		ovenUtilisation: ovenMinutes === 0 ? null : round2(bakingMinutes / ovenMinutes)
	};
}

/** Minutes the active ovens could bake that day: the bakehouse hours, once per oven. */
function openOvenMinutes(db: Executor, day: ShopDay): number {
	const { weekday } = wallClock(dayBounds(day).from, day.zone);
	const hours = db
		.select({ opens: openingHours.opensMinute, closes: openingHours.closesMinute })
		.from(openingHours)
		.where(and(eq(openingHours.scope, 'bakehouse'), eq(openingHours.weekday, weekday)))
		.all();
	const active = db.select({ id: ovens.id }).from(ovens).where(eq(ovens.active, true)).all();
	return hours.reduce((total, hour) => total + hour.closes - hour.opens, 0) * active.length;
}

/** Each baked product's stock at the day's end, and what was written off during it. */
function shelfAtClosing(db: Executor, from: number, to: number) {
	return db
		.select({
			sku: products.sku,
			name: products.name,
			shelfLifeHours: products.shelfLifeHours,
			onHand: sql<number>`coalesce(sum(case when ${stockMovements.at} < ${to} then ${stockMovements.onHandDelta} end), 0)`,
			writtenOff: sql<number>`coalesce(-sum(case when ${stockMovements.reason} = 'waste' and ${stockMovements.at} >= ${from} and ${stockMovements.at} < ${to} then ${stockMovements.onHandDelta} end), 0)`
		})
		.from(products)
		.leftJoin(stockMovements, eq(stockMovements.productId, products.id))
		.where(eq(products.baked, true))
		.groupBy(products.id)
		.orderBy(products.sortOrder)
		.all();
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
