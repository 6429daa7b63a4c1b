import { and, eq, inArray, sql } from 'drizzle-orm';

import { addShopDays, instantAt, MINUTE_MS, wallClock } from '../../domain/shop-time';
import type { DemandLine, FixedLoad, PlanInput, PlannerProduct, Window } from '../../planner/types';
import type { Executor } from '../db/client';
import {
	ingredientMovements,
	openingHours,
	orderLines,
	orders,
	ovenLoads,
	ovens,
	products,
	recipeItems
} from '../db/schema';
import type { ShopSettings } from '../settings';
import { traysOfLoads } from './trays';

/** Statuses of orders whose lines still need oven time. */
export const PLANNED_ORDER_STATUSES = ['received', 'in_production'] as const;

/** Bakehouse opening windows as instants, from yesterday (a load may still run) to the horizon. */
export function bakehouseWindows(db: Executor, now: number, zone: string, days: number): Window[] {
	const hours = db.select().from(openingHours).where(eq(openingHours.scope, 'bakehouse')).all();
	const today = wallClock(now, zone).date;
	const windows: Window[] = [];
	for (let offset = -1; offset <= days; offset++) {
		const date = addShopDays(today, offset);
		const weekday = wallClock(instantAt(date, 12 * 60, zone), zone).weekday;
		for (const interval of hours.filter((entry) => entry.weekday === weekday)) {
			const window = {
				start: instantAt(date, interval.opensMinute, zone),
				end: instantAt(date, interval.closesMinute, zone)
			};
			if (window.end > now) windows.push(window);
		}
	}
	return windows.sort((a, b) => a.start - b.start);
}

export function plannerProducts(db: Executor): PlannerProduct[] {
	const rows = db.select().from(products).where(eq(products.baked, true)).all();
	const recipes = db.select().from(recipeItems).all();
	return rows.map((row) => ({
		id: row.id,
		unitsPerTray: row.unitsPerTray ?? 1,
		bakeMinutes: row.bakeMinutes ?? 0,
		bakeTempC: row.bakeTempC ?? 0,
		prepMinutes: row.prepMinutes,
		coolMinutes: row.coolMinutes,
		shelfLifeHours: row.shelfLifeHours,
		recipe: recipes
			.filter((item) => item.productId === row.id)
			.map((item) => ({ ingredientId: item.ingredientId, quantityPerUnit: item.quantityPerUnit }))
	}));
}

/** Units of open orders' lines still to bake: ordered, less what the shelf covers. */
export function openDemand(db: Executor, packingMinutes: number): DemandLine[] {
	return db
		.select({
			orderId: orders.id,
			lineId: orderLines.id,
			productId: orderLines.productId,
			units: sql<number>`${orderLines.quantity} - ${orderLines.reservedUnits}`,
			promisedAt: orders.fulfillmentAt
		})
		.from(orderLines)
		.innerJoin(orders, eq(orders.id, orderLines.orderId))
		.where(
			and(
				inArray(orders.status, PLANNED_ORDER_STATUSES),
				inArray(orderLines.route, ['bake', 'procure'])
			)
		)
		.all()
		.filter((line) => line.units > 0)
		.map(({ promisedAt, ...line }) => ({
			...line,
			dueAt: promisedAt - packingMinutes * MINUTE_MS
		}));
}

/** Loads whose prep or bake has started: the plan keeps them as they are. */
export function fixedLoads(db: Executor): FixedLoad[] {
	const loads = db
		.select()
		.from(ovenLoads)
		.where(inArray(ovenLoads.status, ['prepping', 'baking']))
		.all();
	if (loads.length === 0) return [];

	const trays = traysOfLoads(
		db,
		loads.map((load) => load.id)
	);
	return loads.map((load) => ({
		id: load.id,
		ovenId: load.ovenId,
		startAt: load.startAt,
		endAt: load.endAt,
		tempC: load.tempC,
		trays: (trays.get(load.id) ?? []).map(({ productId, units, feeds }) => ({
			productId,
			units,
			feeds
		}))
	}));
}

export function ingredientStock(db: Executor): Record<number, number> {
	const rows = db
		.select({
			id: ingredientMovements.ingredientId,
			amount: sql<number>`sum(${ingredientMovements.delta})`
		})
		.from(ingredientMovements)
		.groupBy(ingredientMovements.ingredientId)
		.all();
	return Object.fromEntries(rows.map((row) => [row.id, row.amount]));
}

/** Everything the planner needs, read from the database in the caller's transaction. */
export function plannerInput(
	db: Executor,
	at: number,
	zone: string,
	settings: ShopSettings
): PlanInput {
	// Whole minutes: a plan that says 12:36:09.755 helps nobody.
	const now = Math.ceil(at / MINUTE_MS) * MINUTE_MS;
	return {
		now,
		products: plannerProducts(db),
		ovens: db.select().from(ovens).where(eq(ovens.active, true)).all(),
		windows: bakehouseWindows(db, now, zone, settings.planDays),
		demand: openDemand(db, settings.packingMinutes),
		fixedLoads: fixedLoads(db),
		ingredientStock: ingredientStock(db),
		settings: {
			freshnessMinutes: settings.freshnessMinutes,
			fillTraysForShelf: settings.fillTraysForShelf
		}
	};
}
