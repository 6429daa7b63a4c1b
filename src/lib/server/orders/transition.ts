import { eq } from 'drizzle-orm';
import { z } from 'zod';

import type { OrderStatus, OrderView } from '../../domain/order';
import type { Executor } from '../db/client';
import { orders, orderStatusHistory } from '../db/schema';

/** The version a screen saw, which every command names so two screens can never both win. */
export const expectedVersion = z
	.number({ error: 'must be the order version the screen shows, a whole number' })
	.int('must be a whole number')
	.positive('must be 1 or more');

export interface Transition {
	actor: string;
	reason: string;
	now: number;
	/** Other columns that change with the status. */
	changes?: Partial<typeof orders.$inferInsert>;
}

/**
 * Moves an order to another status in the caller's transaction: the next version, and a row of
 * its history saying who moved it and why.
 */
export function moveOrder(
	tx: Executor,
	order: Pick<OrderView, 'id' | 'status' | 'version'>,
	to: OrderStatus,
	transition: Transition
): void {
	const { actor, reason, now, changes = {} } = transition;
	tx.update(orders)
		.set({ ...changes, status: to, version: order.version + 1, updatedAt: now })
		.where(eq(orders.id, order.id))
		.run();
	tx.insert(orderStatusHistory)
		.values({ orderId: order.id, fromStatus: order.status, toStatus: to, actor, reason, at: now })
		.run();
}
