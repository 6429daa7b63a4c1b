import { randomBytes } from 'node:crypto';

import { and, eq, lte } from 'drizzle-orm';

import type { DeliveryState, OrderView } from '../../domain/order';
import type { LiveEvent } from '../../realtime/contract';
import type { Executor } from '../db/client';
import { deliveries, orders } from '../db/schema';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { appendEvent } from '../events/log';
import { enqueueNotices } from '../notices/outbox';
import { completeOrder } from '../orders/complete';
import { findOrder } from '../orders/queries';
import { moveOrder } from '../orders/transition';
import type { CourierClient, CourierEvent } from '../providers/courier';
import { ProviderError } from '../providers/errors';
import { readSettings } from '../settings';

/** How far along a delivery is; a webhook never moves it back. */
const RANK: Record<DeliveryState, number> = {
	requested: 0,
	created: 1,
	assigned: 2,
	picked_up: 3,
	delivered: 4,
	failed: 4,
	cancelled: 4
};

/**
 * Books the courier for a delivery order, in the order's own transaction: the row says what to
 * ask for, and the booking loop asks. Our id for it is unguessable and fixed, so the courier
 * refuses a second booking of the same order however often the loop retries.
 */
export function requestDelivery(tx: Executor, orderId: number, now: number): void {
	tx.insert(deliveries)
		.values({
			orderId,
			provider: 'courier',
			externalId: `bf-${randomBytes(12).toString('base64url')}`,
			state: 'requested',
			createdAt: now,
			updatedAt: now
		})
		.onConflictDoNothing()
		.run();
}

function addressText(order: OrderView): string {
	const address = order.fulfillment.address!;
	return [address.line1, address.line2, address.city, address.postcode].filter(Boolean).join(', ');
}

function publishOrder(deps: Deps, orderId: number, write: (tx: Executor) => void): void {
	const zone = deps.config.shopTimeZone;
	const now = deps.now();
	const event = deps.db.transaction(
		(tx) => {
			write(tx);
			const order = findOrder(tx, orderId, zone)!;
			tx.update(orders)
				.set({ version: order.version + 1, updatedAt: now })
				.where(eq(orders.id, orderId))
				.run();
			return appendEvent(tx, { type: 'order.updated', order: findOrder(tx, orderId, zone)! }, now);
		},
		{ behavior: 'immediate' }
	);
	deps.publish([event]);
}

/**
 * Asks the courier for every delivery still waiting to be booked. A failure that may pass (the
 * service is down) is kept for the next round; a refusal is shown to staff as failed.
 */
export async function bookDeliveries(deps: Deps, courier: CourierClient): Promise<number> {
	// A row whose updatedAt is ahead of now is being booked (claimBooking); it is left alone.
	const waiting = deps.db
		.select()
		.from(deliveries)
		.where(and(eq(deliveries.state, 'requested'), lte(deliveries.updatedAt, deps.now())))
		.all();
	if (waiting.length === 0) return 0;
	const settings = readSettings(deps.db);
	const log = deps.log.child({ module: 'courier' });
	let booked = 0;
	for (const row of waiting) {
		const order = findOrder(deps.db, row.orderId, deps.config.shopTimeZone);
		if (!order || order.status === 'cancelled' || order.status === 'completed') {
			deps.db
				.update(deliveries)
				.set({ state: 'cancelled', updatedAt: deps.now() })
				.where(eq(deliveries.id, row.id))
				.run();
			continue;
		}
		if (!claimBooking(deps, row.id, row.updatedAt)) continue;
		try {
			const answer = await courier.createDelivery({
				externalId: row.externalId,
				pickup: {
					businessName: settings.shopName,
					address: settings.shopAddress,
					phone: settings.shopPhone
				},
				dropoff: {
					name: order.customer.name,
					address: addressText(order),
					phone: order.customer.phone ?? settings.shopPhone
				},
				pickupTime: Date.parse(order.promisedAt ?? order.fulfillment.at),
				orderValueMinor: order.totalMinor
			});
			publishOrder(deps, order.id, (tx) =>
				tx
					.update(deliveries)
					.set({
						state: 'created',
						trackingUrl: answer.trackingUrl,
						pickupEta: answer.pickupEta,
						dropoffEta: answer.dropoffEta,
						failureReason: null,
						updatedAt: deps.now()
					})
					.where(eq(deliveries.id, row.id))
					.run()
			);
			booked += 1;
			log.info({ orderId: order.id, delivery: row.externalId }, 'courier booked');
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			const duplicate = error instanceof ProviderError && error.code === 'duplicate_delivery_id';
			const retry = !duplicate && error instanceof ProviderError && error.retryable;
			log.warn({ orderId: order.id, error: message, retry }, 'courier booking failed');
			publishOrder(deps, order.id, (tx) =>
				tx
					.update(deliveries)
					.set(
						duplicate
							? { state: 'created', updatedAt: deps.now() }
							: retry
								? { failureReason: `not booked yet: ${message}`, updatedAt: deps.now() }
								: { state: 'failed', failureReason: message, updatedAt: deps.now() }
					)
					.where(eq(deliveries.id, row.id))
					.run()
			);
		}
	}
	return booked;
}

/** How long a process that took a delivery to book has before another may take it over. */
const BOOKING_LEASE_MS = 60_000;

/**
 * Takes one delivery to book, so that of several server processes on one database (or two passes
 * of one) only one calls the courier for it. The row's `updatedAt` moves a lease ahead, and only
 * if no one moved it since it was read; the booking's outcome sets it back to now. A process that
 * dies holding it leaves the booking to another once the lease has run out.
 */
function claimBooking(deps: Deps, id: number, seenUpdatedAt: number): boolean {
	const claimed = deps.db
		.update(deliveries)
		.set({ updatedAt: deps.now() + BOOKING_LEASE_MS })
		.where(
			and(
				eq(deliveries.id, id),
				eq(deliveries.state, 'requested'),
				eq(deliveries.updatedAt, seenUpdatedAt)
			)
		)
		.run();
	return claimed.changes === 1;
}

export interface CourierEventOutcome {
	applied: boolean;
	reason?: string;
}

/**
 * Applies one status webhook. Repeats and events that arrive after a later one change nothing.
 * Picked up sends the order out with a notice carrying the courier's tracking link; delivered
 * completes it (capturing a card held at ordering); failed tells staff and the customer.
 */
export async function applyCourierEvent(
	deps: Deps,
	event: CourierEvent
): Promise<CourierEventOutcome> {
	const log = deps.log.child({ module: 'courier' });
	const zone = deps.config.shopTimeZone;
	const now = deps.now();
	const outcome = deps.db.transaction(
		(tx) => {
			const row = tx
				.select()
				.from(deliveries)
				.where(eq(deliveries.externalId, event.externalId))
				.get();
			if (!row) return { applied: false, reason: 'no such delivery' } as const;
			const stale =
				RANK[event.state] < RANK[row.state] ||
				(event.state === row.state && row.lastEventAt !== null && event.at <= row.lastEventAt);
			if (stale) return { applied: false, reason: `already ${row.state}` } as const;

			tx.update(deliveries)
				.set({
					state: event.state,
					courierName: event.courierName ?? row.courierName,
					pickupEta: event.pickupEta ?? row.pickupEta,
					dropoffEta: event.dropoffEta ?? row.dropoffEta,
					failureReason: event.reason ?? (RANK[event.state] === 4 ? null : row.failureReason),
					lastEventAt: event.at,
					updatedAt: now
				})
				.where(eq(deliveries.id, row.id))
				.run();

			const order = findOrder(tx, row.orderId, zone)!;
			const events: LiveEvent[] = [];
			if (event.state === 'picked_up' && order.status === 'ready') {
				moveOrder(tx, order, 'out_for_delivery', {
					actor: 'courier',
					reason: `picked up by ${event.courierName ?? 'the courier'}`,
					now
				});
				enqueueNotices(
					tx,
					findOrder(tx, order.id, zone)!,
					{ kind: 'out_for_delivery', courierTrackingUrl: row.trackingUrl },
					now
				);
			} else {
				tx.update(orders)
					.set({ version: order.version + 1, updatedAt: now })
					.where(eq(orders.id, order.id))
					.run();
				if (event.state === 'failed' || event.state === 'cancelled') {
					enqueueNotices(
						tx,
						order,
						{
							kind: 'changed',
							discriminator: `courier-${event.state}`,
							reason: `the courier could not deliver your order${event.reason ? ` (${event.reason})` : ''}. We will call you to arrange it.`
						},
						now
					);
				}
			}
			events.push(
				appendEvent(tx, { type: 'order.updated', order: findOrder(tx, order.id, zone)! }, now)
			);
			return { applied: true, orderId: order.id, events } as const;
		},
		{ behavior: 'immediate' }
	);
	if (!outcome.applied) {
		log.info(
			{ delivery: event.externalId, state: event.state, why: outcome.reason },
			'courier event ignored'
		);
		return outcome;
	}
	deps.publish(outcome.events);
	log.info({ orderId: outcome.orderId, state: event.state }, 'courier event applied');

	if (event.state === 'delivered') await completeDelivered(deps, outcome.orderId);
	return { applied: true };
}

/** A delivered order is handed over; if its money is still due, staff see why it stays open. */
async function completeDelivered(deps: Deps, orderId: number): Promise<void> {
	try {
		await completeOrder(deps, orderId, {}, 'courier');
	} catch (error) {
		if (!(error instanceof AppError)) throw error;
		const problem = `delivered, but not closed: ${error.message}`;
		deps.log.child({ module: 'courier' }).warn({ orderId, problem }, 'delivered order left open');
		publishOrder(deps, orderId, (tx) =>
			tx.update(orders).set({ paymentProblem: problem }).where(eq(orders.id, orderId)).run()
		);
	}
}
