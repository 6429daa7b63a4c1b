import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';

import type { OrderView } from '../../domain/order';
import type { Executor } from '../db/client';
import { orderLines, orderStatusHistory } from '../db/schema';
import type { Deps } from '../deps';
import { conflict, invalid, notFound } from '../errors';
import { appendEvent } from '../events/log';
import { enqueueNotices } from '../notices/outbox';
import { problemsOf } from '../http';
import { findOrder } from './queries';
import { expectedVersion, moveOrder } from './transition';

export const packInput = z.strictObject(
	{
		expectedVersion,
		/** What went into the box per line; lines left out went in as ordered. */
		lines: z
			.array(
				z.strictObject({
					id: z.number({ error: 'must be the line id' }).int().positive(),
					packed: z.number({ error: 'must be how many went into the box' }).int().min(0).max(500)
				}),
				{ error: 'must be a list of {id, packed}' }
			)
			.max(100)
			.default([])
	},
	{ error: 'must be a JSON object such as {"expectedVersion": 2}' }
);

export const recallInput = z.strictObject(
	{ expectedVersion },
	{ error: 'must be a JSON object such as {"expectedVersion": 3}' }
);

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
	const parsed = schema.safeParse(body);
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	return parsed.data;
}

/** The order at the version the screen saw, or a conflict carrying what it is now. */
function orderAt(tx: Executor, id: number, version: number, zone: string): OrderView {
	const order = findOrder(tx, id, zone);
	if (!order) throw notFound(`order ${id}`);
	if (order.version !== version) {
		throw conflict(
			`order ${order.number} is at version ${order.version}, not ${version}: it changed on another screen`,
			order
		);
	}
	return order;
}

function command(deps: Deps, run: (tx: Executor, now: number, zone: string) => number): OrderView {
	const zone = deps.config.shopTimeZone;
	const now = deps.now();
	const { order, event } = deps.db.transaction(
		(tx) => {
			const id = run(tx, now, zone);
			const changed = findOrder(tx, id, zone)!;
			return {
				order: changed,
				event: appendEvent(tx, { type: 'order.updated', order: changed }, now)
			};
		},
		{ behavior: 'immediate' }
	);
	deps.publish([event]);
	return order;
}

/**
 * The packer closes the box: the order is ready, for the pickup board or the courier. A count
 * that differs from the order is kept, and the packing is not first-time right.
 */
export function packOrder(deps: Deps, id: number, body: unknown): OrderView {
	const input = parse(packInput, body);
	return command(deps, (tx, now, zone) => {
		const order = orderAt(tx, id, input.expectedVersion, zone);
		if (order.status === 'ready' || order.packedAt)
			throw conflict(`order ${order.number} is already packed`, order);
		if (order.status !== 'received' && order.status !== 'in_production') {
			throw conflict(`order ${order.number} is ${order.status}; it cannot be packed`, order);
		}
		const waiting = order.lines.filter(
			(line) => line.route !== 'counter' && line.reservedUnits < line.quantity
		);
		if (waiting.length > 0) {
			const list = waiting
				.map((line) => `${line.quantity - line.reservedUnits} ${line.name}`)
				.join(', ');
			throw conflict(
				`order ${order.number} is not all here yet: ${list} still to come from the ovens`,
				order
			);
		}

		const counts = new Map(input.lines.map((line) => [line.id, line.packed]));
		const unknown = input.lines.find((line) => !order.lines.some((entry) => entry.id === line.id));
		if (unknown)
			throw invalid([
				{ field: 'lines', message: `line ${unknown.id} is not part of order ${order.number}` }
			]);
		// More in the box than was ordered would be charged for and sold, yet never held from stock.
		const over = input.lines.flatMap((entry, index) => {
			const line = order.lines.find((candidate) => candidate.id === entry.id)!;
			if (entry.packed <= line.quantity) return [];
			return [
				{
					field: `lines[${index}].packed`,
					message: `${entry.packed} is more than the ${line.quantity} ${line.name} ordered; a box holds at most what was ordered`
				}
			];
		});
		if (over.length > 0) throw invalid(over);
		let right = true;
		for (const line of order.lines) {
			const packed = counts.get(line.id) ?? line.quantity;
			if (packed !== line.quantity) right = false;
			tx.update(orderLines).set({ packedQuantity: packed }).where(eq(orderLines.id, line.id)).run();
		}
		moveOrder(tx, order, 'ready', {
			actor: 'packing',
			reason: right ? 'packed' : 'packed with a count that differs',
			now,
			changes: { packedAt: now, packedRight: right }
		});
		const packed = findOrder(tx, order.id, zone)!;
		// Short in the box: the customer hears it before they come, not at the counter.
		const short = order.lines
			.filter((line) => (counts.get(line.id) ?? line.quantity) < line.quantity)
			.map((line) => `${counts.get(line.id)} of the ${line.quantity} ${line.name}`);
		if (short.length > 0) {
			enqueueNotices(
				tx,
				packed,
				{
					kind: 'changed',
					discriminator: `short-${packed.version}`,
					reason: `we could only pack ${short.join(', ')}; you pay only for what you get.`
				},
				now
			);
		}
		// A delivery is announced when the courier has it, not when it waits for them.
		if (order.fulfillment.type === 'pickup') enqueueNotices(tx, packed, { kind: 'ready' }, now);
		return order.id;
	});
}

/**
 * Brings back a ticket bumped by mistake, to where it was before packing. An order already
 * collected or sent off stays where it is: a late bump cannot bring it back.
 */
export function recallOrder(deps: Deps, id: number, body: unknown): OrderView {
	const input = parse(recallInput, body);
	return command(deps, (tx, now, zone) => {
		const order = orderAt(tx, id, input.expectedVersion, zone);
		if (order.status !== 'ready') {
			throw conflict(
				`order ${order.number} is ${order.status}; only a packed order waiting for collection can be recalled`,
				order
			);
		}
		const before = tx
			.select({ from: orderStatusHistory.fromStatus })
			.from(orderStatusHistory)
			.where(and(eq(orderStatusHistory.orderId, id), eq(orderStatusHistory.toStatus, 'ready')))
			.orderBy(desc(orderStatusHistory.id))
			.get();
		const back = before?.from === 'in_production' ? 'in_production' : 'received';
		tx.update(orderLines).set({ packedQuantity: null }).where(eq(orderLines.orderId, id)).run();
		moveOrder(tx, order, back, {
			actor: 'packing',
			reason: 'recalled from the pickup board',
			now,
			changes: { packedAt: null, packedRight: null }
		});
		return order.id;
	});
}
