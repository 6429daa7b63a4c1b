import { and, desc, eq, inArray, max, sql } from 'drizzle-orm';

import type { Db } from '../db/client';
import {
	orders,
	payments,
	platformInbox,
	products,
	type InboxPlatform,
	type InboxState
} from '../db/schema';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { cancelOrder } from '../orders/cancel';
import { takeOrder } from '../orders/pay-ahead';
import { findOrderId } from '../orders/queries';
import { ProviderError } from '../providers/errors';
import type { SquareClient } from '../providers/square';
import { readSettings } from '../settings';
import { updateFromPlatform } from './apply';
import { MappingError, type MappingContext, type PlatformOrder } from './common';
import { mapShopifyOrder } from './shopify';
import { mapSquareOrder, squareEnvelope } from './square';
import { mapWooOrder } from './woocommerce';

/**
 * The platform inbox: a verified delivery is stored in one insert and answered at once; the
 * background loop turns it into an order after. A failure that may pass later (Square not
 * answering, the database busy) is tried again with backoff; one that will not (an item not on
 * the menu, a time the shop is closed) is kept as `failed` with its reason for a person to see.
 */

export interface Delivery {
	platform: InboxPlatform;
	deliveryId: string;
	topic: string;
	platformOrderId: string | null;
	version: number | null;
	rawBody: string;
}

/** Stores a delivery once: the same delivery id again, even at the same moment, is one row. */
export function receiveDelivery(db: Db, delivery: Delivery, now: number): { stored: boolean } {
	const row = db
		.insert(platformInbox)
		.values({ ...delivery, state: 'pending', nextAttemptAt: now, receivedAt: now })
		.onConflictDoNothing({ target: [platformInbox.platform, platformInbox.deliveryId] })
		.returning({ id: platformInbox.id })
		.get();
	return { stored: row !== undefined };
}

type InboxRow = typeof platformInbox.$inferSelect;

/** A process holds a row this long while working on it; a crashed one lets it go after. */
const LEASE_MS = 2 * 60_000;
const MAX_ATTEMPTS = 8;
const FIRST_RETRY_MS = 5_000;
const LAST_RETRY_MS = 30 * 60_000;

/** 5 s, 10 s, 20 s … up to half an hour. */
export function retryDelay(attempts: number): number {
	return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LAST_RETRY_MS);
}

/** Takes the oldest due row in one statement, so two processes never take the same one. */
function claimNext(db: Db, now: number): InboxRow | undefined {
	return db.get<InboxRow>(sql`
		UPDATE platform_inbox SET lease_until = ${now + LEASE_MS}
		WHERE id = (
			SELECT id FROM platform_inbox
			WHERE state = 'pending' AND next_attempt_at <= ${now}
				AND (lease_until IS NULL OR lease_until < ${now})
			ORDER BY id LIMIT 1
		)
		RETURNING id, platform, delivery_id AS deliveryId, topic,
			platform_order_id AS platformOrderId, version, raw_body AS rawBody, attempts`);
}

export interface InboxDeps extends Deps {
	square?: SquareClient;
}

/** Works through every due row, one at a time; answers how many it finished. */
export async function processInbox(deps: InboxDeps): Promise<number> {
	let finished = 0;
	for (let row = claimNext(deps.db, deps.now()); row; row = claimNext(deps.db, deps.now())) {
		await processRow(deps, row);
		finished++;
	}
	return finished;
}

type Outcome =
	| { state: 'done'; orderId: number; version: number | null; note?: string }
	| { state: 'ignored'; reason: string; orderId?: number };

async function processRow(deps: InboxDeps, row: InboxRow): Promise<void> {
	const log = deps.log.child({ module: 'platforms', platform: row.platform, inboxId: row.id });
	const now = deps.now();
	try {
		const outcome = await apply(deps, row);
		deps.db
			.update(platformInbox)
			.set({
				state: outcome.state,
				orderId: outcome.orderId ?? null,
				appliedVersion: outcome.state === 'done' ? outcome.version : null,
				lastError: outcome.state === 'ignored' ? outcome.reason : (outcome.note ?? null),
				attempts: row.attempts + 1,
				leaseUntil: null,
				processedAt: now
			})
			.where(eq(platformInbox.id, row.id))
			.run();
		log.info({ topic: row.topic, order: row.platformOrderId, ...outcome }, 'platform delivery');
	} catch (error) {
		recordFailure(deps, row, error, log);
	}
}

function recordFailure(deps: InboxDeps, row: InboxRow, error: unknown, log: Deps['log']): void {
	const attempts = row.attempts + 1;
	const permanent = !isRetryable(error) || attempts >= MAX_ATTEMPTS;
	const message = error instanceof Error ? error.message : String(error);
	deps.db
		.update(platformInbox)
		.set({
			state: permanent ? 'failed' : 'pending',
			attempts,
			lastError: message,
			nextAttemptAt: deps.now() + retryDelay(attempts),
			leaseUntil: null,
			processedAt: permanent ? deps.now() : null
		})
		.where(eq(platformInbox.id, row.id))
		.run();
	const fields = { topic: row.topic, order: row.platformOrderId, attempts, err: message };
	if (permanent) log.error(fields, 'platform order not taken: see the inbox row for why');
	else
		log.warn({ ...fields, retryInMs: retryDelay(attempts) }, 'platform delivery will be retried');
}

/** Refusals and unreadable payloads will be the same next time; the rest may pass. */
function isRetryable(error: unknown): boolean {
	if (error instanceof MappingError) return false;
	if (error instanceof AppError) return error.status >= 500;
	if (error instanceof ProviderError) return error.retryable;
	return true;
}

async function apply(deps: InboxDeps, row: InboxRow): Promise<Outcome> {
	const applied = appliedVersion(deps.db, row);
	if (row.version !== null && applied !== null && row.version <= applied) {
		return { state: 'ignored', reason: `version ${row.version} is not newer than ${applied}` };
	}

	const order = await readOrder(deps, row);
	if (order.version !== null && applied !== null && order.version <= applied) {
		return { state: 'ignored', reason: `order version ${order.version} already applied` };
	}
	const version = order.version ?? row.version;
	const ours = findOrderId(deps.db, { channel: row.platform, externalId: order.externalId });

	if (order.state === 'cancelled') {
		if (!ours) return { state: 'ignored', reason: 'cancelled before we took it' };
		const handed = deps.db
			.select({ number: orders.number, status: orders.status })
			.from(orders)
			.where(eq(orders.id, ours.id))
			.get()!;
		// A refund after the customer had the order is money the platform gives back, not ours.
		if (handed.status === 'completed') {
			return {
				state: 'ignored',
				orderId: ours.id,
				reason: `${order.cancelReason} after order ${handed.number} was handed over; any refund is made on the platform`
			};
		}
		const actor = row.platform;
		const result = cancelOrder(deps, ours.id, { reason: order.cancelReason }, actor);
		if (order.refunded) recordPlatformRefund(deps, ours.id, row.platform);
		return { state: 'done', orderId: result.order.id, version };
	}
	if (order.state === 'waiting') {
		return { state: 'ignored', reason: 'not paid yet on the platform' };
	}
	if (ours) {
		const update = updateFromPlatform(deps, ours.id, order.body);
		const note = update.notApplied.length
			? `not applied: ${update.notApplied.join('; ')}`
			: undefined;
		if (note)
			deps.log
				.child({ module: 'platforms' })
				.warn({ orderId: ours.id, note }, 'platform change not applied');
		return { state: 'done', orderId: ours.id, version, note };
	}

	const placed = await takeOrder(
		deps,
		order.body,
		order.paid ? { paidOn: { platform: row.platform, ref: order.externalId, ...order.paid } } : {}
	);
	deps.log
		.child({ module: 'platforms' })
		.info(
			{ orderId: placed.order.id, platform: row.platform, paid: order.paid },
			'platform order taken'
		);
	return { state: 'done', orderId: placed.order.id, version };
}

function appliedVersion(db: Db, row: InboxRow): number | null {
	if (row.platformOrderId === null) return null;
	const found = db
		.select({ version: max(platformInbox.appliedVersion) })
		.from(platformInbox)
		.where(
			and(
				eq(platformInbox.platform, row.platform),
				eq(platformInbox.platformOrderId, row.platformOrderId),
				inArray(platformInbox.state, ['done'])
			)
		)
		.get();
	return found?.version ?? null;
}

function mappingContext(deps: Deps): MappingContext {
	const settings = readSettings(deps.db);
	return {
		zone: deps.config.shopTimeZone,
		catalogue: deps.db.select({ sku: products.sku, name: products.name }).from(products).all(),
		itemSkus: settings.platformItemSkus,
		shopifyAttributes: settings.shopifyAttributes
	};
}

async function readOrder(deps: InboxDeps, row: InboxRow): Promise<PlatformOrder> {
	const json: unknown = JSON.parse(row.rawBody);
	const context = mappingContext(deps);
	switch (row.platform) {
		case 'shopify':
			return mapShopifyOrder(json, context);
		case 'woocommerce':
			return mapWooOrder(json, context);
		case 'square': {
			if (!deps.square) throw new MappingError('Square is not set up (SQUARE_ACCESS_TOKEN)');
			const { orderId } = squareEnvelope(json);
			if (!orderId) throw new MappingError('Square event: data.object has no order_id');
			const fetched = await deps.square.retrieveOrder(orderId);
			return mapSquareOrder(fetched.raw, context);
		}
	}
}

export interface InboxEntry {
	id: number;
	platform: InboxPlatform;
	deliveryId: string;
	topic: string;
	platformOrderId: string | null;
	version: number | null;
	state: InboxState;
	attempts: number;
	lastError: string | null;
	orderId: number | null;
	receivedAt: string;
	processedAt: string | null;
}

/** The newest deliveries first, without their bodies, for the manager to see what failed. */
export function listInbox(db: Db, filter: { state?: InboxState; limit: number }): InboxEntry[] {
	const rows = db
		.select()
		.from(platformInbox)
		.where(filter.state ? eq(platformInbox.state, filter.state) : undefined)
		.orderBy(desc(platformInbox.id))
		.limit(filter.limit)
		.all();
	return rows.map(({ rawBody: _body, leaseUntil: _lease, nextAttemptAt: _next, ...row }) => ({
		...row,
		receivedAt: new Date(row.receivedAt).toISOString(),
		processedAt: row.processedAt === null ? null : new Date(row.processedAt).toISOString()
	}));
}

/**
 * Puts a failed delivery back in line, once its cause is fixed (the item mapped to a SKU, the
 * product made available). Answers false when there is no such failed row.
 */
export function retryDelivery(db: Db, id: number, now: number): boolean {
	const row = db
		.update(platformInbox)
		.set({ state: 'pending', nextAttemptAt: now, leaseUntil: null, processedAt: null })
		.where(and(eq(platformInbox.id, id), eq(platformInbox.state, 'failed')))
		.returning({ id: platformInbox.id })
		.get();
	return row !== undefined;
}

/**
 * Marks a problem row as settled by a person: a failed delivery (with every other failed one of
 * the same platform order, so no older one raises the alert again) becomes ignored, and a
 * change that was not followed keeps its note under "settled". Answers false when the row has
 * no such problem.
 */
export function settleDelivery(db: Db, id: number, by: string, now: number): boolean {
	return db.transaction(
		(tx) => {
			const row = tx.select().from(platformInbox).where(eq(platformInbox.id, id)).get();
			if (!row) return false;
			const settled = (text: string | null) => `settled by ${by}: ${text ?? 'refused'}`;
			if (row.state === 'failed') {
				const same =
					row.platformOrderId === null
						? eq(platformInbox.id, id)
						: and(
								eq(platformInbox.platform, row.platform),
								eq(platformInbox.platformOrderId, row.platformOrderId)
							);
				for (const failed of tx
					.select()
					.from(platformInbox)
					.where(and(same, eq(platformInbox.state, 'failed')))
					.all()) {
					tx.update(platformInbox)
						.set({ state: 'ignored', lastError: settled(failed.lastError), processedAt: now })
						.where(eq(platformInbox.id, failed.id))
						.run();
				}
				return true;
			}
			if (row.state === 'done' && row.lastError?.startsWith('not applied')) {
				tx.update(platformInbox)
					.set({ lastError: settled(row.lastError) })
					.where(eq(platformInbox.id, id))
					.run();
				return true;
			}
			return false;
		},
		{ behavior: 'immediate' }
	);
}

/**
 * The platform gave back what it took for an order it cancelled: a refund row against its
 * payment, so the order no longer reads as paid. Once only, however often the platform says so.
 */
function recordPlatformRefund(deps: Deps, orderId: number, platform: InboxPlatform): void {
	deps.db.transaction(
		(tx) => {
			const taken = tx
				.select()
				.from(payments)
				.where(
					and(
						eq(payments.orderId, orderId),
						eq(payments.provider, platform),
						eq(payments.state, 'recorded')
					)
				)
				.get();
			if (!taken) return;
			const already = tx
				.select({ id: payments.id })
				.from(payments)
				.where(and(eq(payments.refundOf, taken.id), eq(payments.state, 'refunded')))
				.get();
			if (already) return;
			tx.insert(payments)
				.values({
					orderId,
					method: taken.method,
					state: 'refunded',
					amountMinor: -taken.amountMinor,
					currency: taken.currency,
					provider: platform,
					providerRef: taken.providerRef,
					refundOf: taken.id,
					reason: `refunded on ${platform} with the cancellation`,
					at: deps.now()
				})
				.run();
		},
		{ behavior: 'immediate' }
	);
}
