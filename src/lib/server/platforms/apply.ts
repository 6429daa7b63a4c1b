import { eq, sql } from 'drizzle-orm';

import type { OrderView } from '../../domain/order';
import { wallClock } from '../../domain/shop-time';
import type { Executor } from '../db/client';
import { counters, orders } from '../db/schema';
import type { Deps } from '../deps';
import { appendEvent } from '../events/log';
import { pickupRules, requestedTime } from '../orders/pickup-time';
import { findOrder } from '../orders/queries';
import { replan } from '../production/replan';
import { readSettings } from '../settings';
import type { IntakeBody } from './common';

/** Statuses in which the platform may still move the time: nothing is in the oven yet. */
const TIME_MOVABLE = ['received'];
/** Statuses in which the note may still change: until the order is handed over. */
const NOTE_MOVABLE = ['received', 'in_production', 'ready'];

export interface UpdateOutcome {
	changed: string[];
	/** What the platform changed that we could not follow, for the log and the inbox row. */
	notApplied: string[];
	order: OrderView;
}

/**
 * Brings our order in line with a later version on the platform, where it still can: the note
 * until handover, the pickup time until baking starts (checked against opening hours and lead
 * time like a new order, then replanned). Lines are not changed: a changed basket after the
 * bake is planned is for staff to settle with the customer, so it is reported, not applied.
 */
export function updateFromPlatform(deps: Deps, orderId: number, body: IntakeBody): UpdateOutcome {
	const zone = deps.config.shopTimeZone;
	const now = deps.now();

	const outcome = deps.db.transaction(
		(tx) => {
			const current = findOrder(tx, orderId, zone)!;
			const changes: Partial<typeof orders.$inferInsert> = {};
			const changed: string[] = [];
			const notApplied = differentLines(current, body);

			if (body.note !== current.note) {
				if (NOTE_MOVABLE.includes(current.status)) {
					changes.note = body.note;
					changed.push('note');
				} else notApplied.push(`note (the order is ${current.status})`);
			}

			const times = tx
				.select({
					businessDate: orders.businessDate,
					requestedAt: orders.requestedAt,
					fulfillmentAt: orders.fulfillmentAt
				})
				.from(orders)
				.where(eq(orders.id, orderId))
				.get()!;
			const at = newTime(tx, deps, times, body, now);
			if (at !== null) {
				if (TIME_MOVABLE.includes(current.status)) {
					Object.assign(changes, movedTo(tx, times.businessDate, at, zone));
					changed.push('time');
				} else notApplied.push(`time (the order is ${current.status})`);
			}

			if (changed.length === 0) return { changed, notApplied, order: current, events: [] };
			tx.update(orders)
				.set({ ...changes, version: current.version + 1, updatedAt: now })
				.where(eq(orders.id, orderId))
				.run();
			const planEvents = changed.includes('time') ? replan(tx, now, zone) : [];
			const order = findOrder(tx, orderId, zone)!;
			const updated = appendEvent(tx, { type: 'order.updated', order }, now);
			const others = planEvents.filter(
				(event) => !('order' in event) || event.order.id !== orderId
			);
			return { changed, notApplied, order, events: [updated, ...others] };
		},
		{ behavior: 'immediate' }
	);

	deps.publish(outcome.events);
	return { changed: outcome.changed, notApplied: outcome.notApplied, order: outcome.order };
}

/** The new instant the platform asks for, or null when it asks for none or the same. */
function newTime(
	tx: Executor,
	deps: Deps,
	times: { requestedAt: number | null; fulfillmentAt: number },
	body: IntakeBody,
	now: number
): number | null {
	if (body.fulfillment.at === undefined) return null;
	const zone = deps.config.shopTimeZone;
	// The same time again must not be refused because it has come close since it was taken.
	const asked = times.requestedAt ?? times.fulfillmentAt;
	if (sameWallTime(body.fulfillment.at, asked, zone)) return null;

	const rules = pickupRules(tx, readSettings(tx), body.channel, now, zone);
	const requested = requestedTime(body.fulfillment.at, rules);
	return requested.at === times.fulfillmentAt ? null : requested.at;
}

function sameWallTime(text: string, instant: number, zone: string): boolean {
	if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(text)) return Date.parse(text) === instant;
	const wall = wallClock(instant, zone);
	const hh = String(Math.floor(wall.minuteOfDay / 60)).padStart(2, '0');
	const mm = String(wall.minuteOfDay % 60).padStart(2, '0');
	return text.slice(0, 16) === `${wall.date}T${hh}:${mm}`;
}

/** The columns for a new time; a new shop day takes a new number on that day's board. */
function movedTo(tx: Executor, fromDate: string, at: number, zone: string) {
	const businessDate = wallClock(at, zone).date;
	const changes: Partial<typeof orders.$inferInsert> = {
		fulfillmentAt: at,
		promisedAt: at,
		requestedAt: at
	};
	if (businessDate !== fromDate) {
		const row = tx
			.insert(counters)
			.values({ name: `order-number:${businessDate}`, value: 1 })
			.onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + 1` } })
			.returning({ value: counters.value })
			.get();
		changes.businessDate = businessDate;
		changes.number = String(row.value).padStart(3, '0');
	}
	return changes;
}

function differentLines(current: OrderView, body: IntakeBody): string[] {
	const ours = current.lines.map((line) => `${line.quantity}×${line.sku}`).sort();
	const theirs = body.lines.map((line) => `${line.quantity}×${line.sku}`).sort();
	if (ours.join(',') === theirs.join(',')) return [];
	return [`lines (now ${theirs.join(', ')}; ours stay ${ours.join(', ')})`];
}
