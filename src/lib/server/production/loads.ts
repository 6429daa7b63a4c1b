import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';

import { formatShopTime } from '../../domain/shop-time';
import type { LiveEvent } from '../../realtime/contract';
import type { Executor } from '../db/client';
import {
	ingredientMovements,
	loadTrays,
	orderLines,
	orders,
	orderStatusHistory,
	ovenLoads,
	products,
	productStock,
	recipeItems,
	stockMovements,
	trayFeeds
} from '../db/schema';
import type { Deps } from '../deps';
import { conflict, invalid, notFound } from '../errors';
import { appendEvent } from '../events/log';
import { problemsOf } from '../http';
import { findOrder } from '../orders/queries';
import { replan } from './replan';
import { traysOfLoads, type StoredTray } from './trays';

type LoadRow = typeof ovenLoads.$inferSelect;

export const loadCommand = z.strictObject(
	{
		expectedVersion: z
			.number({ error: 'must be the load version the screen shows, a whole number' })
			.int('must be a whole number')
			.positive('must be 1 or more')
	},
	{ error: 'must be a JSON object such as {"expectedVersion": 1}' }
);

export const problemCommand = loadCommand.extend({
	tray: z.number({ error: 'must be the tray position, 0 for the first' }).int().min(0),
	reason: z
		.string({ error: 'must be text' })
		.trim()
		.min(1, 'say what happened, such as "burnt"')
		.max(200)
});

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
	const parsed = schema.safeParse(body);
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	return parsed.data;
}

/** The load, at the version the screen saw and in a state the command applies to. */
function loadFor(
	tx: Executor,
	id: number,
	expectedVersion: number,
	allowed: LoadRow['status'][],
	action: string
): LoadRow {
	const load = tx.select().from(ovenLoads).where(eq(ovenLoads.id, id)).get();
	if (!load) throw notFound(`load ${id}`);
	if (load.version !== expectedVersion) {
		throw conflict(
			`load ${id} is at version ${load.version}, not ${expectedVersion}: it changed on another screen`,
			load
		);
	}
	if (!allowed.includes(load.status))
		throw conflict(`load ${id} is ${load.status}; it cannot be ${action}`, load);
	return load;
}

function traysOf(tx: Executor, loadId: number): StoredTray[] {
	return traysOfLoads(tx, [loadId]).get(loadId) ?? [];
}

function orderEvents(
	tx: Executor,
	orderIds: Iterable<number>,
	now: number,
	zone: string
): LiveEvent[] {
	return [...new Set(orderIds)].flatMap((id) => {
		const order = findOrder(tx, id, zone);
		return order ? [appendEvent(tx, { type: 'order.updated', order }, now)] : [];
	});
}

/** Runs a load command in one transaction with its replan, then publishes its events. */
function command(deps: Deps, run: (tx: Executor, now: number, zone: string) => number[]): void {
	const zone = deps.config.shopTimeZone;
	const now = deps.now();
	const events = deps.db.transaction(
		(tx) => {
			const touched = run(tx, now, zone);
			return [...orderEvents(tx, touched, now, zone), ...replan(tx, now, zone)];
		},
		{ behavior: 'immediate' }
	);
	deps.publish(events);
}

/** Takes each tray's ingredients out of the store, when the dough for the load is made. */
function consumeIngredients(tx: Executor, id: number, now: number): void {
	for (const tray of traysOf(tx, id)) {
		const recipe = tx
			.select()
			.from(recipeItems)
			.where(eq(recipeItems.productId, tray.productId))
			.all();
		for (const item of recipe) {
			tx.insert(ingredientMovements)
				.values({
					ingredientId: item.ingredientId,
					reason: 'consume',
					delta: -item.quantityPerUnit * tray.units,
					note: `load ${id}`,
					at: now
				})
				.run();
		}
	}
}

/**
 * The bakers start the prep (mixing, shaping, proofing) of a load: from now on the plan keeps it
 * where it is, and its ingredients leave the store.
 */
export function startPrep(deps: Deps, id: number, body: unknown): void {
	const { expectedVersion } = parse(loadCommand, body);
	command(deps, (tx, now) => {
		const load = loadFor(tx, id, expectedVersion, ['planned'], 'prepped');
		const prepMs = load.startAt - load.prepStartAt;
		// Prep started late pushes the bake back by as much.
		const startAt = Math.max(load.startAt, now + prepMs);
		tx.update(ovenLoads)
			.set({
				status: 'prepping',
				prepStartAt: now,
				startAt,
				endAt: startAt + (load.endAt - load.startAt),
				version: load.version + 1
			})
			.where(eq(ovenLoads.id, id))
			.run();
		consumeIngredients(tx, id, now);
		return [];
	});
}

/**
 * The baker puts a load in the oven: it is fixed from now on, its ingredients leave the store
 * (unless its prep already took them), and the orders it feeds are in production.
 */
export function startLoad(deps: Deps, id: number, body: unknown): void {
	const { expectedVersion } = parse(loadCommand, body);
	command(deps, (tx, now) => {
		const load = loadFor(tx, id, expectedVersion, ['planned', 'prepping'], 'started');
		const inside = tx
			.select({ id: ovenLoads.id })
			.from(ovenLoads)
			.where(and(eq(ovenLoads.ovenId, load.ovenId), eq(ovenLoads.status, 'baking')))
			.get();
		if (inside) {
			throw conflict(
				`load ${inside.id} is still in that oven; take it out before starting load ${id}`,
				load
			);
		}
		refuseStale(tx, load, id, now, deps.config.shopTimeZone);
		tx.update(ovenLoads)
			.set({
				status: 'baking',
				startedAt: now,
				startAt: now,
				endAt: now + (load.endAt - load.startAt),
				version: load.version + 1
			})
			.where(eq(ovenLoads.id, id))
			.run();
		if (load.status === 'planned') consumeIngredients(tx, id, now);

		const trays = traysOf(tx, id);
		const orderIds = [...new Set(trays.flatMap((tray) => tray.feeds.map((feed) => feed.orderId)))];
		const waiting =
			orderIds.length === 0
				? []
				: tx
						.select()
						.from(orders)
						.where(and(inArray(orders.id, orderIds), eq(orders.status, 'received')))
						.all();
		for (const order of waiting) {
			tx.update(orders)
				.set({ status: 'in_production', version: order.version + 1, updatedAt: now })
				.where(eq(orders.id, order.id))
				.run();
			tx.insert(orderStatusHistory)
				.values({
					orderId: order.id,
					fromStatus: 'received',
					toStatus: 'in_production',
					actor: 'oven',
					reason: `load ${id} started`,
					at: now
				})
				.run();
		}
		return waiting.map((order) => order.id);
	});
}

/**
 * Refuses to start a load so early that what it bakes would be past its shelf life when an
 * order it feeds is collected (a load planned for tomorrow, started today). Earlier than
 * planned is fine as long as the bread keeps.
 */
function refuseStale(tx: Executor, load: LoadRow, id: number, now: number, zone: string): void {
	const doneAt = now + (load.endAt - load.startAt);
	for (const tray of traysOf(tx, id)) {
		const product = tx.select().from(products).where(eq(products.id, tray.productId)).get();
		if (!product || tray.feeds.length === 0) continue;
		const keepsUntil = doneAt + product.shelfLifeHours * 3_600_000;
		const fed = tx
			.select({ number: orders.number, at: orders.fulfillmentAt })
			.from(orders)
			.where(
				inArray(
					orders.id,
					tray.feeds.map((feed) => feed.orderId)
				)
			)
			.all()
			.filter((order) => order.at > keepsUntil);
		const latest = fed.sort((a, b) => b.at - a.at)[0];
		if (latest) {
			const when = (instant: number) => formatShopTime(instant, zone, 'EEE HH:mm');
			throw conflict(
				`load ${id} is planned for ${when(load.startAt)}: started now, its ${product.name} (keeps ${product.shelfLifeHours} h) would be stale by order ${latest.number}'s time, ${when(latest.at)}; start it nearer the time`,
				load
			);
		}
	}
}

/** Moves finished goods onto the shelf and holds them for the lines the load fed. */
function produceAndHold(tx: Executor, tray: StoredTray, loadId: number, now: number): number[] {
	tx.insert(productStock)
		.values({ productId: tray.productId, onHand: 0 })
		.onConflictDoNothing()
		.run();
	tx.update(productStock)
		.set({ onHand: sql`${productStock.onHand} + ${tray.units}` })
		.where(eq(productStock.productId, tray.productId))
		.run();
	tx.insert(stockMovements)
		.values({
			productId: tray.productId,
			reason: 'produce',
			onHandDelta: tray.units,
			note: `load ${loadId}`,
			at: now
		})
		.run();

	for (const feed of tray.feeds) {
		tx.update(orderLines)
			.set({
				reservedUnits: sql`min(${orderLines.quantity}, ${orderLines.reservedUnits} + ${feed.units})`
			})
			.where(eq(orderLines.id, feed.lineId))
			.run();
		tx.update(productStock)
			.set({ reserved: sql`${productStock.reserved} + ${feed.units}` })
			.where(eq(productStock.productId, tray.productId))
			.run();
		tx.insert(stockMovements)
			.values({
				productId: tray.productId,
				reason: 'reserve',
				reservedDelta: feed.units,
				orderId: feed.orderId,
				note: `load ${loadId}`,
				at: now
			})
			.run();
	}
	return tray.feeds.map((feed) => feed.orderId);
}

/** The load is out of the oven: its goods are on the shelf, held for the orders it fed. */
export function finishLoad(deps: Deps, id: number, body: unknown): void {
	const { expectedVersion } = parse(loadCommand, body);
	command(deps, (tx, now) => {
		const load = loadFor(tx, id, expectedVersion, ['baking'], 'finished');
		tx.update(ovenLoads)
			.set({ status: 'done', finishedAt: now, version: load.version + 1 })
			.where(eq(ovenLoads.id, id))
			.run();
		return traysOf(tx, id).flatMap((tray) => produceAndHold(tx, tray, id, now));
	});
}

/**
 * A tray is lost (burnt, dropped): its units are written off as waste and the orders it fed go
 * back to the planner, which plans the remake.
 */
export function reportTrayProblem(deps: Deps, id: number, body: unknown): void {
	const { expectedVersion, tray: position, reason } = parse(problemCommand, body);
	command(deps, (tx, now) => {
		const load = loadFor(tx, id, expectedVersion, ['baking', 'done'], 'reported on');
		const tray = traysOf(tx, id).find((entry) => entry.position === position);
		if (!tray) throw invalid([{ field: 'tray', message: `load ${id} has no tray ${position}` }]);
		if (tray.units === 0)
			throw conflict(`tray ${position} of load ${id} is already written off`, load);

		// A done load already put the tray on the shelf and held it; take that back first.
		if (load.status === 'done') {
			for (const feed of tray.feeds) {
				tx.update(orderLines)
					.set({ reservedUnits: sql`max(0, ${orderLines.reservedUnits} - ${feed.units})` })
					.where(eq(orderLines.id, feed.lineId))
					.run();
				tx.update(productStock)
					.set({ reserved: sql`${productStock.reserved} - ${feed.units}` })
					.where(eq(productStock.productId, tray.productId))
					.run();
				tx.insert(stockMovements)
					.values({
						productId: tray.productId,
						reason: 'release',
						reservedDelta: -feed.units,
						orderId: feed.orderId,
						note: `load ${id}: ${reason}`,
						at: now
					})
					.run();
			}
			tx.update(productStock)
				.set({ onHand: sql`${productStock.onHand} - ${tray.units}` })
				.where(eq(productStock.productId, tray.productId))
				.run();
			tx.insert(stockMovements)
				.values({
					productId: tray.productId,
					reason: 'waste',
					onHandDelta: -tray.units,
					note: `load ${id}: ${reason}`,
					at: now
				})
				.run();
		} else {
			// Still in the oven: the ledger shows it made and wasted at once; the shelf never sees it.
			const note = `load ${id}: lost in the oven, ${reason}`;
			tx.insert(stockMovements)
				.values([
					{ productId: tray.productId, reason: 'produce', onHandDelta: tray.units, note, at: now },
					{ productId: tray.productId, reason: 'waste', onHandDelta: -tray.units, note, at: now }
				])
				.run();
		}

		tx.delete(trayFeeds).where(eq(trayFeeds.trayId, tray.id)).run();
		tx.update(loadTrays).set({ units: 0 }).where(eq(loadTrays.id, tray.id)).run();
		tx.update(ovenLoads)
			.set({ version: load.version + 1 })
			.where(eq(ovenLoads.id, id))
			.run();
		return tray.feeds.map((feed) => feed.orderId);
	});
}
