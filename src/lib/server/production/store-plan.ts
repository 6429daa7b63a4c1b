import { eq, inArray, sql } from 'drizzle-orm';

import type { LiveEvent } from '../../realtime/contract';
import type { LateReason, Plan, PlannedLoad, Shortage } from '../../planner/types';
import type { Executor } from '../db/client';
import {
	CANNOT_MAKE,
	counters,
	loadTrays,
	orderLines,
	orders,
	ovenLoads,
	trayFeeds
} from '../db/schema';
import { appendEvent } from '../events/log';
import { enqueueNotices } from '../notices/outbox';
import { findOrder } from '../orders/queries';
import { traysOfLoads } from './trays';

const storedLate = (minutes: number) => (Number.isFinite(minutes) ? minutes : CANNOT_MAKE);

function nextPlanVersion(tx: Executor): number {
	return tx
		.insert(counters)
		.values({ name: 'plan-version', value: 1 })
		.onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + 1` } })
		.returning({ value: counters.value })
		.get().value;
}

/**
 * Replaces the planned loads with a new plan and writes each line's and order's outcome, in the
 * caller's transaction. Returns the events to publish after commit: the plan's, and one per
 * order whose route or lateness changed (its screens show those).
 */
export function storePlan(tx: Executor, plan: Plan, now: number, zone: string): LiveEvent[] {
	const planVersion = nextPlanVersion(tx);
	storeLoads(
		tx,
		plan.loads.filter((load) => load.fixedId === null),
		planVersion
	);

	const { changed: changedOrders, slipped } = writeOutcomes(tx, plan);
	announceSlips(tx, slipped, now, zone);
	const events: LiveEvent[] = [];
	for (const orderId of changedOrders) {
		const order = findOrder(tx, orderId, zone);
		if (order) events.push(appendEvent(tx, { type: 'order.updated', order }, now));
	}
	events.push(appendEvent(tx, { type: 'plan.updated', planVersion, stats: plan.stats }, now));
	return events;
}

/** A load's content as text, to tell whether a replan changed it. */
function fingerprint(load: Pick<PlannedLoad, 'startAt' | 'endAt' | 'tempC' | 'trays'>): string {
	const trays = load.trays.map(
		(tray) =>
			`${tray.productId}:${tray.units}:${tray.feeds.map((feed) => `${feed.lineId}x${feed.units}`).join('+')}`
	);
	return `${load.startAt}|${load.endAt}|${load.tempC}|${trays.join(',')}`;
}

/**
 * Writes the planned loads. A screen holds load ids and versions, so a replan keeps the ids: the
 * n-th planned load of an oven takes over the row of its n-th planned load before, and its
 * version goes up only when its time or trays changed (a press on a changed load is a conflict).
 */
function storeLoads(tx: Executor, loads: PlannedLoad[], planVersion: number): void {
	const before = tx
		.select()
		.from(ovenLoads)
		.where(eq(ovenLoads.status, 'planned'))
		.orderBy(ovenLoads.ovenId, ovenLoads.startAt)
		.all();
	const old = new Map<number, typeof before>();
	for (const row of before) old.set(row.ovenId, [...(old.get(row.ovenId) ?? []), row]);
	const oldTrays = traysOfLoads(
		tx,
		before.map((row) => row.id)
	);
	const oldFingerprints = new Map(
		before.map((row) => [row.id, fingerprint({ ...row, trays: oldTrays.get(row.id) ?? [] })])
	);

	const taken = new Set<number>();
	for (const load of [...loads].sort((a, b) => a.ovenId - b.ovenId || a.startAt - b.startAt)) {
		const queue = old.get(load.ovenId) ?? [];
		const reuse = queue.shift();
		const values = {
			prepStartAt: load.prepStartAt,
			startAt: load.startAt,
			endAt: load.endAt,
			tempC: load.tempC,
			planVersion
		};
		let id: number;
		if (reuse) {
			const changed = oldFingerprints.get(reuse.id) !== fingerprint(load);
			tx.update(ovenLoads)
				.set({ ...values, version: changed ? reuse.version + 1 : reuse.version })
				.where(eq(ovenLoads.id, reuse.id))
				.run();
			tx.delete(loadTrays).where(eq(loadTrays.loadId, reuse.id)).run();
			id = reuse.id;
		} else {
			id = tx
				.insert(ovenLoads)
				.values({ ...values, ovenId: load.ovenId, status: 'planned' })
				.returning({ id: ovenLoads.id })
				.get().id;
		}
		taken.add(id);
		insertTrays(tx, id, load);
	}

	const gone = before.filter((row) => !taken.has(row.id)).map((row) => row.id);
	if (gone.length > 0) tx.delete(ovenLoads).where(inArray(ovenLoads.id, gone)).run();
}

function insertTrays(tx: Executor, loadId: number, load: PlannedLoad): void {
	load.trays.forEach((tray, position) => {
		const trayRow = tx
			.insert(loadTrays)
			.values({ loadId, position, productId: tray.productId, units: tray.units })
			.returning({ id: loadTrays.id })
			.get();
		for (const feed of tray.feeds) {
			tx.insert(trayFeeds)
				.values({
					trayId: trayRow.id,
					orderId: feed.orderId,
					orderLineId: feed.lineId,
					units: feed.units
				})
				.run();
		}
	});
}

interface LineState {
	id: number;
	orderId: number;
	route: string;
	lateMinutes: number;
	shortages: Shortage[];
}

function routeOf(shortages: Shortage[]): 'bake' | 'procure' {
	return shortages.length > 0 ? 'procure' : 'bake';
}

/** Writes the plan's outcome per line and order; answers the orders whose screens must change. */
function writeOutcomes(
	tx: Executor,
	plan: Plan
): { changed: Set<number>; slipped: SlippedOrder[] } {
	const lineIds = plan.lines.map((line) => line.lineId);
	const before = new Map<number, LineState>(
		lineIds.length === 0
			? []
			: tx
					.select({
						id: orderLines.id,
						orderId: orderLines.orderId,
						route: orderLines.route,
						lateMinutes: orderLines.lateMinutes,
						shortages: orderLines.shortages
					})
					.from(orderLines)
					.where(inArray(orderLines.id, lineIds))
					.all()
					.map((line) => [line.id, line])
	);

	const changed = new Set<number>();
	for (const outcome of plan.lines) {
		const previous = before.get(outcome.lineId);
		if (!previous) continue;
		const route = routeOf(outcome.shortages);
		const lateMinutes = storedLate(outcome.lateMinutes);
		if (previous.route !== route || (previous.lateMinutes === 0) !== (lateMinutes === 0))
			changed.add(previous.orderId);
		tx.update(orderLines)
			.set({
				route,
				readyAt: outcome.readyAt,
				lateMinutes,
				lateReason: outcome.reason satisfies LateReason | null,
				shortages: outcome.shortages
			})
			.where(eq(orderLines.id, outcome.lineId))
			.run();
	}

	const wasLate = new Map(
		plan.orders.length === 0
			? []
			: tx
					.select({ id: orders.id, lateMinutes: orders.lateMinutes })
					.from(orders)
					.where(
						inArray(
							orders.id,
							plan.orders.map((order) => order.orderId)
						)
					)
					.all()
					.map((row) => [row.id, row.lateMinutes])
	);
	const slipped: SlippedOrder[] = [];
	for (const order of plan.orders) {
		const lateMinutes = storedLate(order.lateMinutes);
		tx.update(orders)
			.set({ estimatedReadyAt: order.readyAt, lateMinutes })
			.where(eq(orders.id, order.orderId))
			.run();
		if (wasLate.get(order.orderId) === 0 && lateMinutes !== 0) {
			slipped.push({ orderId: order.orderId, lateMinutes, readyAt: order.readyAt });
		}
	}
	return { changed, slipped };
}

interface SlippedOrder {
	orderId: number;
	lateMinutes: number;
	readyAt: number | null;
}

/**
 * Tells a customer whose order the plan can no longer have ready on time (a burnt tray, a short
 * delivery): the new expected time, or that part of it cannot be made.
 */
function announceSlips(tx: Executor, slipped: SlippedOrder[], now: number, zone: string): void {
	for (const slip of slipped) {
		const order = findOrder(tx, slip.orderId, zone);
		if (!order || (order.status !== 'received' && order.status !== 'in_production')) continue;
		const promised = order.promisedAt ? Date.parse(order.promisedAt) : null;
		const expectedAt =
			slip.lateMinutes === CANNOT_MAKE || promised === null
				? null
				: promised + slip.lateMinutes * 60_000;
		enqueueNotices(
			tx,
			order,
			{
				kind: 'changed',
				discriminator: `late-${expectedAt ?? 'cannot-make'}`,
				expectedAt,
				reason:
					expectedAt === null
						? 'we cannot make part of your order in time, because an ingredient or oven time is short.'
						: 'something went wrong in the bakehouse and your order will be ready later than we promised.'
			},
			now
		);
	}
}
