import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';

import { formatMoney, type OrderView } from '../../domain/order';
import { orders, payments, sales } from '../db/schema';
import type { Deps } from '../deps';
import { AppError, conflict, invalid, notFound, refused } from '../errors';
import { appendEvent } from '../events/log';
import { problemsOf } from '../http';
import { writeSale } from './complete';
import { findOrder } from './queries';
import { expectedVersion } from './transition';

export const refundInput = z.strictObject(
	{
		expectedVersion: expectedVersion.optional(),
		/** Lines and how many of each to give back; left out, everything not yet refunded. */
		lines: z
			.array(
				z.strictObject({
					id: z.number({ error: 'must be the line id' }).int().positive(),
					quantity: z.number({ error: 'must be how many to refund' }).int().min(1).max(500)
				}),
				{ error: 'must be a list of {id, quantity}' }
			)
			.min(1, 'is empty; leave it out to refund the whole order')
			.max(100)
			.optional(),
		reason: z
			.string({ error: 'must be text: why the money goes back' })
			.trim()
			.min(3, 'say why, such as "burnt" or "wrong cake"')
			.max(200, 'keep it to 200 characters or fewer')
	},
	{ error: 'must be a JSON object such as {"reason": "burnt loaf"}' }
);

/** Units of each line already given back, from the refund rows. */
function refundedUnits(deps: Deps, orderId: number): Map<number, number> {
	const rows = deps.db
		.select({ line: sales.orderLineId, quantity: sales.quantity })
		.from(sales)
		.where(and(eq(sales.orderId, orderId), eq(sales.kind, 'refund')))
		.all();
	const units = new Map<number, number>();
	for (const row of rows) units.set(row.line, (units.get(row.line) ?? 0) - row.quantity);
	return units;
}

/**
 * Gives money back for a handed-over order, whole or by line. The sale rows stay; a refund adds
 * rows with negative amounts, and a payment row of its own, so the day's takings always add up.
 * A card is refunded through the provider before anything is written.
 */
export async function refundOrder(deps: Deps, id: number, body: unknown): Promise<OrderView> {
	const parsed = refundInput.safeParse(body ?? {});
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const input = parsed.data;
	const zone = deps.config.shopTimeZone;
	const order = findOrder(deps.db, id, zone);
	if (!order) throw notFound(`order ${id}`);
	if (input.expectedVersion !== undefined && input.expectedVersion !== order.version) {
		throw conflict(
			`order ${order.number} changed on another screen; check it and try again`,
			order
		);
	}
	if (order.status !== 'completed') {
		throw conflict(
			`order ${order.number} is ${order.status}; only a handed-over order is refunded (cancel it instead)`,
			order
		);
	}

	const done = refundedUnits(deps, id);
	const wanted =
		input.lines ??
		order.lines
			.map((line) => ({
				id: line.id,
				quantity: (line.packedQuantity ?? line.quantity) - (done.get(line.id) ?? 0)
			}))
			.filter((line) => line.quantity > 0);
	const problems = wanted.flatMap((want, index) => {
		const line = order.lines.find((entry) => entry.id === want.id);
		if (!line)
			return [
				{
					field: `lines[${index}].id`,
					message: `line ${want.id} is not part of order ${order.number}`
				}
			];
		const left = (line.packedQuantity ?? line.quantity) - (done.get(line.id) ?? 0);
		return want.quantity > left
			? [
					{
						field: `lines[${index}].quantity`,
						message: `only ${left} ${line.name} can still be refunded`
					}
				]
			: [];
	});
	if (problems.length > 0)
		throw new AppError(422, 'refused', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
			problems
		});
	if (wanted.length === 0)
		throw refused('lines', `order ${order.number} is already refunded in full`);

	const amountMinor = wanted.reduce(
		(sum, want) =>
			sum + want.quantity * order.lines.find((line) => line.id === want.id)!.unitPriceMinor,
		0
	);
	const taken = deps.db
		.select()
		.from(payments)
		.where(and(eq(payments.orderId, id), inArray(payments.state, ['captured', 'recorded'])))
		.get();
	if (!taken) throw refused('payment', `order ${order.number} has no payment to refund`);

	let providerRef: string | null = null;
	if (taken.state === 'captured' && taken.providerRef) {
		const client = deps.providers?.payments;
		if (!client)
			throw refused(
				'payment',
				'the payment provider is not set up; refund it on the card terminal'
			);
		try {
			const refund = await client.refund({
				paymentIntent: taken.providerRef,
				amountMinor,
				idempotencyKey: `refund-${taken.providerRef}-${order.payment.paidMinor}`
			});
			providerRef = refund.id;
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			throw new AppError(
				502,
				'payment_refused',
				`payment: the refund did not go through: ${reason}`,
				{
					problems: [{ field: 'payment', message: reason }]
				}
			);
		}
	}

	const now = deps.now();
	const { view, event } = deps.db.transaction(
		(tx) => {
			tx.insert(payments)
				.values({
					orderId: id,
					method: taken.method,
					state: 'refunded',
					amountMinor: -amountMinor,
					currency: order.currency,
					provider: providerRef ? 'payments' : null,
					providerRef,
					refundOf: taken.id,
					reason: input.reason,
					at: now
				})
				.run();
			for (const want of wanted) {
				const line = order.lines.find((entry) => entry.id === want.id)!;
				writeSale(
					tx,
					order,
					{ kind: 'refund', line, units: want.quantity, reason: input.reason },
					now,
					zone
				);
			}
			tx.update(orders)
				.set({ version: order.version + 1, updatedAt: now })
				.where(eq(orders.id, id))
				.run();
			const view = findOrder(tx, id, zone)!;
			return { view, event: appendEvent(tx, { type: 'order.updated', order: view }, now) };
		},
		{ behavior: 'immediate' }
	);
	deps.publish([event]);
	deps.log
		.child({ module: 'payments' })
		.info(
			{ orderId: id, amountMinor, reason: input.reason },
			`refunded ${formatMoney(amountMinor, order.currency)}`
		);
	return view;
}

/**
 * Releases a card held for an order that was cancelled, so the customer's money is free again.
 * Best effort: if the provider is down, the hold lapses on its own after some days, and staff
 * see the failure in the log.
 */
export async function releaseHold(deps: Deps, orderId: number): Promise<void> {
	const held = deps.db
		.select()
		.from(payments)
		.where(and(eq(payments.orderId, orderId), eq(payments.state, 'authorized')))
		.get();
	const client = deps.providers?.payments;
	if (!held?.providerRef || !client) return;
	try {
		await client.cancel(held.providerRef);
		deps.db
			.update(payments)
			.set({ state: 'voided', at: deps.now() })
			.where(eq(payments.id, held.id))
			.run();
	} catch (error) {
		deps.log
			.child({ module: 'payments' })
			.error({ error, orderId, intent: held.providerRef }, 'card hold not released');
	}
}
