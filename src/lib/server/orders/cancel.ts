import { z } from 'zod';

import { canMove, type OrderView } from '../../domain/order';

import type { Deps } from '../deps';
import { conflict, invalid, notFound } from '../errors';
import { appendEvent } from '../events/log';
import { enqueueNotices } from '../notices/outbox';
import { problemsOf } from '../http';
import { releaseReservations } from '../inventory/stock';
import { replan } from '../production/replan';
import { findOrder } from './queries';
import { expectedVersion, moveOrder } from './transition';

export const cancelInput = z.strictObject(
	{
		expectedVersion: expectedVersion.optional(),
		reason: z
			.string({ error: 'must be text' })
			.trim()
			.max(200, 'keep it to 200 characters or fewer')
			.default('')
	},
	{ error: 'must be a JSON object, such as {"expectedVersion": 3, "reason": "customer called"}' }
);

/**
 * Cancels an order. A screen names the version it saw: if the order changed since, the answer
 * is a conflict with the current order, so two screens can never both win.
 */
export function cancelOrder(
	deps: Deps,
	id: number,
	body: unknown,
	/** Who cancels: the signed-in person or screen, kept in the order's history. */
	actor = 'staff'
): { changed: boolean; order: OrderView } {
	const parsed = cancelInput.safeParse(body ?? {});
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const { expectedVersion, reason } = parsed.data;
	const zone = deps.config.shopTimeZone;
	const now = deps.now();

	const outcome = deps.db.transaction(
		(tx) => {
			const current = findOrder(tx, id, zone);
			if (!current) throw notFound(`order ${id}`);
			if (expectedVersion !== undefined && expectedVersion !== current.version) {
				throw conflict(
					`order ${current.number} is at version ${current.version}, not ${expectedVersion}: it changed on another screen`,
					current
				);
			}
			if (current.status === 'cancelled') return { changed: false as const, order: current };
			if (!canMove(current.status, 'cancelled')) {
				throw conflict(
					`order ${current.number} is ${current.status}; it can no longer be cancelled`,
					current
				);
			}

			moveOrder(tx, current, 'cancelled', {
				actor,
				reason,
				now,
				changes: { cancelledAt: now, cancelReason: reason }
			});

			releaseReservations(tx, id, now, reason);
			const order = findOrder(tx, id, zone)!;
			enqueueNotices(tx, order, { kind: 'cancelled', reason }, now);
			const cancelled = appendEvent(tx, { type: 'order.cancelled', order }, now);
			const planEvents = replan(tx, now, zone).filter(
				(event) => !('order' in event) || event.order.id !== id
			);
			return { changed: true as const, order, events: [cancelled, ...planEvents] };
		},
		{ behavior: 'immediate' }
	);

	if (outcome.changed) {
		deps.publish(outcome.events);
		deps.log.child({ module: 'orders' }).info({ orderId: id, actor }, 'order cancelled');
	}
	return { changed: outcome.changed, order: outcome.order };
}
