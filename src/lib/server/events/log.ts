import { asc, count, gt, max } from 'drizzle-orm';

import type { LiveEvent } from '../../realtime/contract';

import type { Db, Executor } from '../db/client';
import { events } from '../db/schema';

type EventBody = LiveEvent extends infer E
	? E extends LiveEvent
		? Omit<E, 'seq' | 'at'>
		: never
	: never;

/**
 * Appends an event in the caller's transaction and returns it with its sequence number. The
 * caller publishes it only after the transaction commits: a screen must never see a change that
 * could still roll back.
 */
export function appendEvent(tx: Executor, body: EventBody, at: number): LiveEvent {
	const orderId = 'order' in body ? body.order.id : null;
	const row = tx
		.insert(events)
		.values({ type: body.type, orderId, payload: body, at })
		.returning({ seq: events.seq })
		.get();
	return { ...body, seq: row.seq, at } as LiveEvent;
}

export function eventsSince(db: Db, since: number, limit: number): LiveEvent[] {
	const rows = db
		.select()
		.from(events)
		.where(gt(events.seq, since))
		.orderBy(asc(events.seq))
		.limit(limit)
		.all();
	return rows.map(
		(row) => ({ ...(row.payload as EventBody), seq: row.seq, at: row.at }) as LiveEvent
	);
}

export function countSince(db: Db, since: number): number {
	return db.select({ n: count() }).from(events).where(gt(events.seq, since)).get()?.n ?? 0;
}

export function headSeq(db: Db): number {
	return (
		db
			.select({ head: max(events.seq) })
			.from(events)
			.get()?.head ?? 0
	);
}
