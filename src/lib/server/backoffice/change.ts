import { eq } from 'drizzle-orm';
import type { z } from 'zod';

import type { LiveEvent } from '../../realtime/contract';

import type { Executor } from '../db/client';
import { openingHours, ovens, products } from '../db/schema';
import type { Deps } from '../deps';
import { invalid, refused } from '../errors';
import { problemsOf } from '../http';
import { catalogueProblems } from '../catalogue/validate';
import { appendEvent } from '../events/log';
import { findOrder } from '../orders/queries';
import { replan } from '../production/replan';

/** Parses a back-office body, answering 400 with every field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
	const parsed = schema.safeParse(body);
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	return parsed.data;
}

/** The keys of a stored row that a write sets: the rest (id, created at) are left alone. */
export function pick<T extends object, K extends keyof T>(row: T, keys: readonly K[]): Pick<T, K> {
	return Object.fromEntries(keys.map((key) => [key, row[key]])) as Pick<T, K>;
}

/** Optional keys that may be left out; the ones a schema requires stay required. */
type Sent<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
	[K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/**
 * The fields a request did send. A key left out (or read as `undefined` from a blank CSV cell)
 * is no change, so spreading this over the stored row keeps what was there; `null` is sent and
 * clears.
 */
export function withoutUnsent<T extends object>(sent: T): Sent<T> {
	return Object.fromEntries(
		Object.entries(sent).filter(([, value]) => value !== undefined)
	) as Sent<T>;
}

/** Each field whose value moves, as `taxRateBp 2000 → 0`, for a dry run to show. */
export function differences<T extends object>(
	before: T,
	after: T,
	keys: readonly (keyof T & string)[]
): string[] {
	return keys
		.filter((key) => before[key] !== after[key])
		.map((key) => `${key} ${JSON.stringify(before[key])} → ${JSON.stringify(after[key])}`);
}

/** Refuses a catalogue the planner could not plan with, naming each item and the fix. */
export function checkCatalogue(tx: Executor): void {
	const rows = tx.select().from(products).all();
	const active = tx.select().from(ovens).where(eq(ovens.active, true)).all();
	const days = tx
		.selectDistinct({ weekday: openingHours.weekday })
		.from(openingHours)
		.where(eq(openingHours.scope, 'bakehouse'))
		.all()
		.map((row) => row.weekday);
	const problems = catalogueProblems(
		rows.filter((row) => row.available),
		active,
		days
	);
	if (problems.length > 0) {
		throw refused('catalogue', problems.join('; '), {
			problems: problems.map((message) => ({ field: 'catalogue', message }))
		});
	}
}

/** The plan's events, and an update for each order a change moved that the plan did not name. */
export function withTouched(
	tx: Executor,
	events: LiveEvent[],
	touched: Set<number>,
	now: number,
	zone: string
): LiveEvent[] {
	const named = new Set(events.flatMap((event) => ('order' in event ? [event.order.id] : [])));
	const more = [...touched]
		.filter((orderId) => !named.has(orderId))
		.flatMap((orderId) => {
			const order = findOrder(tx, orderId, zone);
			return order ? [appendEvent(tx, { type: 'order.updated', order }, now)] : [];
		});
	return [...events, ...more];
}

/**
 * Runs one back-office change: the write, the catalogue check and a fresh oven plan in one
 * `BEGIN IMMEDIATE` transaction, so a refused change leaves nothing behind; the plan's events
 * reach the screens only after the commit. The plan is made in the zone as the change leaves it.
 */
export function commitChange<T>(
	deps: Deps,
	what: string,
	/** `touch` names an order the change moved itself (stock given to it), for its screens. */
	work: (tx: Executor, now: number, touch: (orderId: number) => void) => T,
	options: { replan?: boolean } = {}
): T {
	const now = deps.now();
	const outcome = deps.db.transaction(
		(tx) => {
			const touched = new Set<number>();
			const result = work(tx, now, (orderId) => touched.add(orderId));
			checkCatalogue(tx);
			const zone = deps.config.shopTimeZone;
			const events = options.replan === false ? [] : replan(tx, now, zone);
			return { result, events: withTouched(tx, events, touched, now, zone) };
		},
		{ behavior: 'immediate' }
	);
	deps.publish(outcome.events);
	deps.log.child({ module: 'backoffice' }).info({ what }, 'back office change');
	return outcome.result;
}
