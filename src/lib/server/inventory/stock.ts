import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';

import type { Executor } from '../db/client';
import { orderLines, orders, products, productStock, stockMovements } from '../db/schema';
import { PLANNED_ORDER_STATUSES } from '../production/planner-input';

/** Gives back to the shelf everything an order holds, with a ledger row per line. */
export function releaseReservations(tx: Executor, orderId: number, now: number, note = ''): void {
	const held = tx
		.select({ id: orderLines.id, productId: orderLines.productId, units: orderLines.reservedUnits })
		.from(orderLines)
		.where(and(eq(orderLines.orderId, orderId), gt(orderLines.reservedUnits, 0)))
		.all();

	for (const line of held) {
		tx.update(productStock)
			.set({ reserved: sql`${productStock.reserved} - ${line.units}` })
			.where(eq(productStock.productId, line.productId))
			.run();
		tx.insert(stockMovements)
			.values({
				productId: line.productId,
				reason: 'release',
				reservedDelta: -line.units,
				orderId,
				note,
				at: now
			})
			.run();
		tx.update(orderLines).set({ reservedUnits: 0 }).where(eq(orderLines.id, line.id)).run();
	}
}

/**
 * Gives units that came onto the shelf (a delivery, a recount up) to open orders still waiting
 * for that product to be baked, the soonest due first, so a later order cannot take what an
 * earlier one is waiting for. Only where the shelf's goods keep until the order is due. Answers
 * the orders that now hold more; the plan then bakes only what is still missing.
 */
export function holdShelfForOpenOrders(tx: Executor, productId: number, now: number): number[] {
	const stock = tx
		.select({ onHand: productStock.onHand, reserved: productStock.reserved })
		.from(productStock)
		.where(eq(productStock.productId, productId))
		.get();
	const product = tx.select().from(products).where(eq(products.id, productId)).get();
	let free = stock ? stock.onHand - stock.reserved : 0;
	if (!product?.baked || free <= 0) return [];

	const waiting = tx
		.select({
			lineId: orderLines.id,
			orderId: orders.id,
			missing: sql<number>`${orderLines.quantity} - ${orderLines.reservedUnits}`,
			dueAt: orders.fulfillmentAt
		})
		.from(orderLines)
		.innerJoin(orders, eq(orders.id, orderLines.orderId))
		.where(
			and(
				eq(orderLines.productId, productId),
				inArray(orders.status, PLANNED_ORDER_STATUSES),
				inArray(orderLines.route, ['bake', 'procure']),
				sql`${orderLines.reservedUnits} < ${orderLines.quantity}`
			)
		)
		.orderBy(asc(orders.fulfillmentAt), asc(orderLines.id))
		.all();

	const touched: number[] = [];
	for (const line of waiting) {
		if (free <= 0) break;
		// Bread on the shelf now will not keep until a day far off: that order is baked fresh.
		if (line.dueAt - now > product.shelfLifeHours * 3_600_000) continue;
		const units = Math.min(free, line.missing);
		free -= units;
		const whole = units === line.missing;
		tx.update(orderLines)
			.set({
				reservedUnits: sql`${orderLines.reservedUnits} + ${units}`,
				// All of it from the shelf: nothing left to bake or to buy for this line.
				...(whole
					? { route: 'stock' as const, shortages: [], lateMinutes: 0, lateReason: null }
					: {})
			})
			.where(eq(orderLines.id, line.lineId))
			.run();
		tx.update(productStock)
			.set({ reserved: sql`${productStock.reserved} + ${units}` })
			.where(eq(productStock.productId, productId))
			.run();
		tx.insert(stockMovements)
			.values({
				productId,
				reason: 'reserve',
				reservedDelta: units,
				orderId: line.orderId,
				note: 'from the shelf for an order waiting on a bake',
				at: now
			})
			.run();
		if (!touched.includes(line.orderId)) touched.push(line.orderId);
	}
	// An order with nothing left to bake drops out of the plan, so its lateness is cleared here.
	for (const orderId of touched) {
		const stillToBake = tx
			.select({ id: orderLines.id })
			.from(orderLines)
			.where(
				and(
					eq(orderLines.orderId, orderId),
					inArray(orderLines.route, ['bake', 'procure']),
					sql`${orderLines.reservedUnits} < ${orderLines.quantity}`
				)
			)
			.get();
		if (!stillToBake) {
			tx.update(orders)
				.set({ lateMinutes: 0, estimatedReadyAt: now, updatedAt: now })
				.where(eq(orders.id, orderId))
				.run();
		}
	}
	return touched;
}
