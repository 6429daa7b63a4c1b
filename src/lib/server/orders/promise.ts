import { eq, inArray, sql } from 'drizzle-orm';

import type { LineRoute } from '../../domain/order';
import { MINUTE_MS } from '../../domain/shop-time';
import { plan } from '../../planner/plan';
import type { DemandLine, LateReason, Plan, PlanInput } from '../../planner/types';
import type { Executor } from '../db/client';
import { ingredients, orders, products, productStock } from '../db/schema';

type ProductRow = typeof products.$inferSelect;

/** Ids the new order and its lines carry in a trial plan, before they exist in the database. */
export const NEW_ORDER_ID = -1;
export const newLineId = (position: number) => -(position + 1);

export interface DraftLine {
	position: number;
	product: ProductRow;
	quantity: number;
	/** Units taken from finished goods on hand. */
	reserved: number;
	route: LineRoute;
}

/**
 * Takes what the shelf can give each line: on hand less what other orders hold, less what
 * earlier lines of this order took. Drinks and other unbaked items go to the counter.
 */
export function reserveFromStock(
	tx: Executor,
	lines: { product: ProductRow; quantity: number }[],
	keepsUntil: { now: number; dueAt: number }
): DraftLine[] {
	const ids = [...new Set(lines.map((line) => line.product.id))];
	const shelf = new Map(
		tx
			.select({
				id: productStock.productId,
				free: sql<number>`${productStock.onHand} - ${productStock.reserved}`
			})
			.from(productStock)
			.where(inArray(productStock.productId, ids))
			.all()
			.map((row) => [row.id, row.free])
	);

	return lines.map((line, position) => {
		if (!line.product.baked) return { ...line, position, reserved: 0, route: 'counter' };
		// What is on the shelf now will not keep until a day far off: bake that order fresh.
		const stale = keepsUntil.dueAt - keepsUntil.now > line.product.shelfLifeHours * 3_600_000;
		const free = stale ? 0 : Math.max(0, shelf.get(line.product.id) ?? 0);
		const reserved = Math.min(free, line.quantity);
		shelf.set(line.product.id, free - reserved);
		return { ...line, position, reserved, route: reserved === line.quantity ? 'stock' : 'bake' };
	});
}

export function draftDemand(lines: DraftLine[], dueAt: number): DemandLine[] {
	return lines
		.filter((line) => line.route === 'bake' && line.quantity > line.reserved)
		.map((line) => ({
			orderId: NEW_ORDER_ID,
			lineId: newLineId(line.position),
			productId: line.product.id,
			units: line.quantity - line.reserved,
			dueAt
		}));
}

/**
 * How late each open order is without the newcomer, planned at the same moment. Comparing with
 * this, not with the stored plan, keeps time passing (prep that should have started) from being
 * blamed on the new order.
 */
export function baselineLateness(base: PlanInput): Map<number, number> {
	return new Map(plan(base).orders.map((order) => [order.orderId, order.lateMinutes]));
}

export type Trial =
	| { ok: true; plan: Plan | null }
	| { ok: false; plan: Plan; reasons: LateReason[]; delays: number[]; waits: IngredientWait[] };

/** A short ingredient that cannot arrive before the bake that needs it. */
export interface IngredientWait {
	ingredientId: number;
	arrivesAt: number;
}

/**
 * Plans the shop with the new order due at `promisedAt`. It is a promise the shop can keep when
 * the new order is on time and no order already taken gets later than it was.
 */
export function tryPromise(
	base: PlanInput,
	lines: DraftLine[],
	promisedAt: number,
	packingMinutes: number,
	lateness: Map<number, number>,
	arrivals: Map<number, number> = new Map()
): Trial {
	const demand = draftDemand(lines, promisedAt - packingMinutes * MINUTE_MS);
	if (demand.length === 0) return { ok: true, plan: null };

	const trial = plan({ ...base, demand: [...base.demand, ...demand] });
	const mine = trial.orders.find((order) => order.orderId === NEW_ORDER_ID);
	const delays = trial.orders
		.filter(
			(order) =>
				order.orderId !== NEW_ORDER_ID && order.lateMinutes > (lateness.get(order.orderId) ?? 0)
		)
		.map((order) => order.orderId);
	// A short ingredient is fine when the supplier can bring it before the prep that needs it.
	const waits = trial.lines
		.filter((line) => line.orderId === NEW_ORDER_ID)
		.flatMap((line) => line.shortages)
		.flatMap((shortage) => {
			const arrivesAt = arrivals.get(shortage.ingredientId) ?? 0;
			const late = shortage.neededBy === null || shortage.neededBy < arrivesAt;
			return late ? [{ ingredientId: shortage.ingredientId, arrivesAt }] : [];
		});
	if (mine && mine.lateMinutes === 0 && delays.length === 0 && waits.length === 0) {
		return { ok: true, plan: trial };
	}
	return { ok: false, plan: trial, reasons: mine?.reasons ?? [], delays, waits };
}

/**
 * The first of `candidates` (ascending) the shop can promise. Feasibility mostly grows with
 * time, so a binary search finds it in a few plans; the answer is checked once more.
 */
export function earliestPromise(
	candidates: number[],
	works: (at: number) => boolean
): number | null {
	let low = 0;
	let high = candidates.length - 1;
	let found: number | null = null;
	while (low <= high) {
		const middle = (low + high) >> 1;
		if (works(candidates[middle]!)) {
			found = middle;
			high = middle - 1;
		} else {
			low = middle + 1;
		}
	}
	if (found !== null) return candidates[found]!;
	return null;
}

/** Swaps the trial ids in a plan for the ids the new order and lines got when stored. */
export function adoptIds(trial: Plan, orderId: number, lineIds: Map<number, number>): Plan {
	const order = (id: number) => (id === NEW_ORDER_ID ? orderId : id);
	const line = (id: number) => lineIds.get(id) ?? id;
	return {
		...trial,
		loads: trial.loads.map((load) => ({
			...load,
			trays: load.trays.map((tray) => ({
				...tray,
				feeds: tray.feeds.map((feed) => ({
					...feed,
					orderId: order(feed.orderId),
					lineId: line(feed.lineId)
				}))
			}))
		})),
		lines: trial.lines.map((outcome) => ({
			...outcome,
			orderId: order(outcome.orderId),
			lineId: line(outcome.lineId)
		})),
		orders: trial.orders.map((outcome) => ({ ...outcome, orderId: order(outcome.orderId) }))
	};
}

/** When each ingredient could arrive if ordered now: its supplier's lead time from now. */
export function ingredientArrivals(tx: Executor, now: number): Map<number, number> {
	return new Map(
		tx
			.select({ id: ingredients.id, leadDays: ingredients.leadDays })
			.from(ingredients)
			.all()
			.map((row) => [row.id, now + row.leadDays * 24 * 3_600_000])
	);
}

export function productNames(tx: Executor, ids: number[]): Map<number, string> {
	if (ids.length === 0) return new Map();
	return new Map(
		tx
			.select({ id: products.id, name: products.name })
			.from(products)
			.where(inArray(products.id, ids))
			.all()
			.map((row) => [row.id, row.name])
	);
}

export function orderNumber(tx: Executor, id: number): string {
	return (
		tx.select({ number: orders.number }).from(orders).where(eq(orders.id, id)).get()?.number ??
		String(id)
	);
}
