import { and, eq, gt, sql } from 'drizzle-orm';

import type { Executor } from '../db/client';
import { orderLines, productStock, stockMovements } from '../db/schema';

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
