import { randomInt } from 'node:crypto';

import { asc, count, eq, gt, max } from 'drizzle-orm';

import type { LiveEvent } from '../../realtime/contract';

import type { Db, Executor } from '../db/client';
import { counters, events } from '../db/schema';

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

const DATABASE_ID = 'database-id';

/**
 * A number that names this database's event log. A restore gives the restored file a new one
 * (`newDatabaseId`), so a screen that was away during a restore learns that its sequence number
 * belongs to another history, even when the restored log has since grown past it.
 */
export function databaseId(db: Db): number {
	db.insert(counters)
		.values({ name: DATABASE_ID, value: newDatabaseId() })
		.onConflictDoNothing()
		.run();
	return db.select().from(counters).where(eq(counters.name, DATABASE_ID)).get()!.value;
}

export function newDatabaseId(): number {
	return randomInt(1, 2 ** 47);
}

/** The statement a restore runs on the restored copy (plain SQL: it has no drizzle handle). */
export const RENAME_DATABASE_SQL = `insert into counters (name, value) values ('${DATABASE_ID}', ?)
	on conflict (name) do update set value = excluded.value`;
