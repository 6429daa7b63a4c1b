import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';

import { formatMoney, type OrderView } from '../../domain/order';
import { wallClock } from '../../domain/shop-time';
import type { Executor } from '../db/client';
import {
	orderLines,
	orders,
	payments,
	products,
	productStock,
	sales,
	stockMovements
} from '../db/schema';
import type { Deps } from '../deps';
import { AppError, conflict, invalid, notFound, refused } from '../errors';
import { appendEvent } from '../events/log';
import { problemsOf } from '../http';
import { enqueueNotices } from '../notices/outbox';
import { PaymentDeclined } from '../providers/payments';
import { findOrder } from './queries';
import { expectedVersion, moveOrder } from './transition';

const paymentInput = z.discriminatedUnion(
	'method',
	[
		z.strictObject({
			method: z.literal('cash'),
			/** What the customer handed over, for the change; the order total when left out. */
			tenderedMinor: z
				.number({ error: 'must be the cash handed over in minor units, such as 1000 for £10' })
				.int('must be a whole number of minor units (pence)')
				.min(0)
				.optional()
		}),
		z.strictObject({
			method: z.literal('card'),
			/**
			 * A payment method from the card reader or form, charged through the payment provider;
			 * left out, the card was taken on the shop's own terminal and is only recorded.
			 */
			token: z
				.string({ error: 'must be the card token from the reader, such as pm_…' })
				.trim()
				.min(1, 'is empty; leave it out for a card taken on the shop terminal')
				.max(255)
				.optional()
		})
	],
	{ error: 'must be {"method": "cash"} or {"method": "card"}' }
);

export const completeInput = z.strictObject(
	{ expectedVersion: expectedVersion.optional(), payment: paymentInput.optional() },
	{ error: 'must be a JSON object such as {"expectedVersion": 3, "payment": {"method": "cash"}}' }
);

export type CompleteInput = z.infer<typeof completeInput>;

export interface Completion {
	order: OrderView;
	/** Cash to hand back, when cash was tendered. */
	changeMinor: number | null;
}

type PaymentInput = z.infer<typeof paymentInput>;

/** Units that went into the box: what was packed, or what was ordered if not counted. */
const handedUnits = (line: OrderView['lines'][number]) => line.packedQuantity ?? line.quantity;

/** The customer pays for what they get: a line packed short is charged for what is in the box. */
export function amountDue(order: OrderView): number {
	return order.lines.reduce((sum, line) => sum + handedUnits(line) * line.unitPriceMinor, 0);
}

function parse(body: unknown): CompleteInput {
	const parsed = completeInput.safeParse(body ?? {});
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	return parsed.data;
}

function current(deps: Deps, id: number, version: number | undefined): OrderView {
	const order = findOrder(deps.db, id, deps.config.shopTimeZone);
	if (!order) throw notFound(`order ${id}`);
	if (version !== undefined && order.version !== version) {
		throw conflict(
			`order ${order.number} is at version ${order.version}, not ${version}: it changed on another screen`,
			order
		);
	}
	return order;
}

/** Who may hand an order over, and from where. */
function checkHandover(order: OrderView, actor: 'counter' | 'courier'): void {
	if (order.status === 'completed')
		throw conflict(`order ${order.number} is already completed`, order);
	if (order.status === 'cancelled') throw conflict(`order ${order.number} is cancelled`, order);
	const from =
		actor === 'courier'
			? ['ready', 'out_for_delivery']
			: order.fulfillment.type === 'delivery'
				? ['ready', 'out_for_delivery']
				: ['ready'];
	if (!from.includes(order.status)) {
		throw conflict(
			`order ${order.number} is ${order.status.replace(/_/g, ' ')}; it can be handed over once it is packed`,
			order
		);
	}
}

const paymentRequired = (order: OrderView) =>
	refused(
		'payment',
		`order ${order.number} is not paid: ${formatMoney(amountDue(order), order.currency)} is due; send {"method": "cash"} or {"method": "card"}`
	);

/** The one authorisation an online order carries, if it has one. */
function heldPayment(tx: Executor, orderId: number) {
	return tx
		.select()
		.from(payments)
		.where(and(eq(payments.orderId, orderId), eq(payments.state, 'authorized')))
		.get();
}

/**
 * A refusal from the payment side is kept on the order, so every screen shows why it is still
 * uncollected, and answered as 402 with the provider's words.
 */
function paymentRefused(deps: Deps, order: OrderView, error: unknown, method: 'card'): AppError {
	const reason =
		error instanceof PaymentDeclined
			? `card declined (${error.declineCode}): ${error.message}`
			: `the payment service did not answer: ${error instanceof Error ? error.message : String(error)}`;
	const now = deps.now();
	const zone = deps.config.shopTimeZone;
	const event = deps.db.transaction(
		(tx) => {
			if (error instanceof PaymentDeclined) {
				tx.insert(payments)
					.values({
						orderId: order.id,
						method,
						state: 'declined',
						amountMinor: amountDue(order),
						currency: order.currency,
						provider: 'payments',
						reason,
						at: now
					})
					.run();
			}
			tx.update(orders)
				.set({ paymentProblem: reason, version: order.version + 1, updatedAt: now })
				.where(eq(orders.id, order.id))
				.run();
			return appendEvent(tx, { type: 'order.updated', order: findOrder(tx, order.id, zone)! }, now);
		},
		{ behavior: 'immediate' }
	);
	deps.publish([event]);
	deps.log.child({ module: 'payments' }).warn({ orderId: order.id, reason }, 'payment refused');
	return new AppError(402, 'payment_refused', `payment: ${reason}`, {
		problems: [{ field: 'payment', message: reason }],
		current: findOrder(deps.db, order.id, zone)
	});
}

function requirePayments(deps: Deps) {
	const client = deps.providers?.payments;
	if (!client) {
		throw refused(
			'payment.token',
			'card payments through the provider are not set up (PAYMENTS_BASE_URL); take the card on the shop terminal and leave the token out'
		);
	}
	return client;
}

/**
 * Takes the money the order still needs, before the order is closed: the provider is called
 * outside any transaction, and what it did is written at once, so a completion that then fails
 * (another screen won) can be retried without charging twice.
 */
async function settle(
	deps: Deps,
	order: OrderView,
	input: PaymentInput | undefined
): Promise<{ cash: PaymentInput | null }> {
	const due = amountDue(order);
	// Paid on the platform it came from: its price there stands, whatever ours says.
	if (order.payment.state === 'paid' && (order.payment.paidMinor >= due || order.payment.paidOn)) {
		return { cash: null };
	}
	const held = heldPayment(deps.db, order.id);
	if (held) {
		const client = requirePayments(deps);
		// Only what was handed over is taken; the rest of the hold is released by the capture.
		const amountMinor = Math.min(due, held.amountMinor);
		try {
			await client.capture(held.providerRef!, {
				idempotencyKey: `capture-${held.providerRef}`,
				amountMinor
			});
		} catch (error) {
			throw paymentRefused(deps, order, error, 'card');
		}
		deps.db
			.update(payments)
			.set({ state: 'captured', amountMinor, at: deps.now() })
			.where(eq(payments.id, held.id))
			.run();
		return { cash: null };
	}

	if (!input) throw paymentRequired(order);
	if (input.method === 'cash') {
		if (input.tenderedMinor !== undefined && input.tenderedMinor < due) {
			throw refused(
				'payment.tenderedMinor',
				`${formatMoney(input.tenderedMinor, order.currency)} is less than the ${formatMoney(due, order.currency)} due`
			);
		}
		return { cash: input };
	}
	if (input.token === undefined) return { cash: input };

	const client = requirePayments(deps);
	let intent;
	try {
		intent = await client.charge({
			amountMinor: due,
			currency: order.currency,
			paymentMethod: input.token,
			idempotencyKey: `charge-${order.trackingToken}-${order.version}`,
			description: `Order ${order.number}`
		});
	} catch (error) {
		throw paymentRefused(deps, order, error, 'card');
	}
	deps.db
		.insert(payments)
		.values({
			orderId: order.id,
			method: 'card',
			state: 'captured',
			amountMinor: due,
			currency: order.currency,
			provider: 'payments',
			providerRef: intent.id,
			at: deps.now()
		})
		.run();
	return { cash: null };
}

/** Tax inside a tax-inclusive price, rounded to the nearest minor unit. */
export function taxInside(grossMinor: number, rateBp: number): number {
	return Math.round((grossMinor * rateBp) / (10_000 + rateBp));
}

/**
 * What the shelf held for the order leaves the shop: reserved and on hand both drop by what went
 * into the box; anything held but not packed goes back on the shelf.
 */
function consumeStock(tx: Executor, order: OrderView, now: number): void {
	for (const line of order.lines) {
		if (line.reservedUnits === 0) continue;
		const productId = tx
			.select({ productId: orderLines.productId })
			.from(orderLines)
			.where(eq(orderLines.id, line.id))
			.get()!.productId;
		const gone = Math.min(line.reservedUnits, handedUnits(line));
		const back = line.reservedUnits - gone;
		tx.update(productStock)
			.set({
				onHand: sql`${productStock.onHand} - ${gone}`,
				reserved: sql`${productStock.reserved} - ${line.reservedUnits}`
			})
			.where(eq(productStock.productId, productId))
			.run();
		tx.insert(stockMovements)
			.values({
				productId,
				reason: 'consume',
				onHandDelta: -gone,
				reservedDelta: -gone,
				orderId: order.id,
				note: `order ${order.number} handed over`,
				at: now
			})
			.run();
		if (back > 0) {
			tx.insert(stockMovements)
				.values({
					productId,
					reason: 'release',
					reservedDelta: -back,
					orderId: order.id,
					note: `order ${order.number}: not packed, back on the shelf`,
					at: now
				})
				.run();
		}
		tx.update(orderLines).set({ reservedUnits: 0 }).where(eq(orderLines.id, line.id)).run();
	}
}

export interface SaleEntry {
	kind: 'sale' | 'refund';
	line: OrderView['lines'][number];
	/** Units sold, or given back for a refund (written as a negative). */
	units: number;
	reason?: string;
	/** What the line brought in when it is not units × our price (an order paid on a platform). */
	grossMinor?: number;
}

/**
 * Writes one line of the sales ledger. A refund is the same row with negative units and amounts,
 * so a day's sales sum to its takings whatever was given back.
 */
export function writeSale(
	tx: Executor,
	order: OrderView,
	entry: SaleEntry,
	now: number,
	zone: string
): void {
	const product = tx
		.select({ id: products.id, taxRateBp: products.taxRateBp })
		.from(orderLines)
		.innerJoin(products, eq(products.id, orderLines.productId))
		.where(eq(orderLines.id, entry.line.id))
		.get()!;
	const sign = entry.kind === 'refund' ? -1 : 1;
	const gross = entry.grossMinor ?? entry.units * entry.line.unitPriceMinor;
	tx.insert(sales)
		.values({
			kind: entry.kind,
			orderId: order.id,
			orderLineId: entry.line.id,
			productId: product.id,
			sku: entry.line.sku,
			channel: order.channel,
			quantity: sign * entry.units,
			unitPriceMinor:
				entry.grossMinor === undefined
					? entry.line.unitPriceMinor
					: Math.round(entry.grossMinor / entry.units),
			grossMinor: sign * gross,
			taxMinor: sign * taxInside(gross, product.taxRateBp),
			taxRateBp: product.taxRateBp,
			currency: order.currency,
			businessDate: wallClock(now, zone).date,
			reason: entry.reason ?? '',
			at: now
		})
		.run();
}

/**
 * For an order paid on its platform, what each line brought in: the platform's total (its prices,
 * discounts and whatever it added) shared over the lines in proportion to our prices, the
 * rounding on the last line, so the day's sales add up to the money taken. Null otherwise, or
 * when the platform was paid in another currency than our prices.
 */
function platformTakings(tx: Executor, order: OrderView): Map<number, number> | null {
	if (!order.payment.paidOn) return null;
	const paid = tx
		.select({ amountMinor: payments.amountMinor, currency: payments.currency })
		.from(payments)
		.where(and(eq(payments.orderId, order.id), eq(payments.state, 'recorded')))
		.all();
	if (paid.length === 0 || paid.some((row) => row.currency !== order.currency)) return null;
	const total = order.payment.paidMinor;
	const handed = order.lines.filter((line) => handedUnits(line) > 0);
	const ours = handed.reduce((sum, line) => sum + handedUnits(line) * line.unitPriceMinor, 0);
	if (ours === 0 || handed.length === 0) return null;
	const shares = new Map<number, number>();
	let given = 0;
	handed.forEach((line, index) => {
		const share =
			index === handed.length - 1
				? total - given
				: Math.round((total * handedUnits(line) * line.unitPriceMinor) / ours);
		shares.set(line.id, share);
		given += share;
	});
	return shares;
}

/**
 * Hands an order over: at the counter (collected) or at the door (the courier's "delivered").
 * Payment is taken or captured first; then, in one transaction, the reserved goods are consumed,
 * each line becomes a sale, the order closes and the customer is thanked with a rating link.
 */
export async function completeOrder(
	deps: Deps,
	id: number,
	body: unknown,
	actor: 'counter' | 'courier' = 'counter'
): Promise<Completion> {
	const input = parse(body);
	const before = current(deps, id, input.expectedVersion);
	checkHandover(before, actor);
	const { cash } = await settle(deps, before, input.payment);

	const zone = deps.config.shopTimeZone;
	const now = deps.now();
	const { order, event } = deps.db.transaction(
		(tx) => {
			// Read again under the write lock: another screen may have closed it while we charged.
			const order = findOrder(tx, id, zone)!;
			checkHandover(order, actor);
			if (cash) {
				tx.insert(payments)
					.values({
						orderId: id,
						method: cash.method,
						state: 'recorded',
						amountMinor: amountDue(order),
						currency: order.currency,
						reason: cash.method === 'card' ? 'taken on the shop terminal' : '',
						at: now
					})
					.run();
			}
			consumeStock(tx, order, now);
			const takings = platformTakings(tx, order);
			for (const line of order.lines) {
				const units = handedUnits(line);
				if (units > 0) {
					writeSale(
						tx,
						order,
						{ kind: 'sale', line, units, grossMinor: takings?.get(line.id) },
						now,
						zone
					);
				}
			}
			moveOrder(tx, order, 'completed', {
				actor,
				reason: actor === 'courier' ? 'delivered by the courier' : 'collected',
				now,
				changes: { completedAt: now, paymentProblem: null }
			});
			const done = findOrder(tx, id, zone)!;
			enqueueNotices(tx, done, { kind: 'completed' }, now);
			return { order: done, event: appendEvent(tx, { type: 'order.updated', order: done }, now) };
		},
		{ behavior: 'immediate' }
	);
	deps.publish([event]);
	deps.log
		.child({ module: 'orders' })
		.info({ orderId: id, number: order.number, actor }, 'order completed');
	const tendered = cash?.method === 'cash' ? cash.tenderedMinor : undefined;
	return {
		order,
		changeMinor: tendered === undefined ? null : tendered - amountDue(order)
	};
}
