import { eq, inArray } from 'drizzle-orm';

import { wallClock } from '../../domain/shop-time';
import type { Executor } from '../db/client';
import { ingredients, orderLines, orders } from '../db/schema';
import { PLANNED_ORDER_STATUSES } from './planner-input';

export interface ProcurementItem {
	ingredient: string;
	unit: string;
	supplier: string;
	/** The shop day it must arrive by. */
	neededByShopDate: string | null;
	/** ISO-8601: the earliest moment a bake needs it. */
	neededBy: string | null;
	/** ISO-8601: the last moment to order it, given the supplier's lead time. */
	orderBy: string | null;
	/** Sum of what the lines miss, in the ingredient's unit, rounded up. */
	missing: number;
	orders: string[];
}

/** Every shortage of open orders, summed per ingredient and the day it must arrive. */
export function procurementList(db: Executor, zone: string): ProcurementItem[] {
	const lines = db
		.select({ shortages: orderLines.shortages, number: orders.number })
		.from(orderLines)
		.innerJoin(orders, eq(orders.id, orderLines.orderId))
		.where(inArray(orders.status, PLANNED_ORDER_STATUSES))
		.all()
		.filter((line) => line.shortages.length > 0);
	const names = new Map(
		db
			.select()
			.from(ingredients)
			.all()
			.map((row) => [row.id, row])
	);

	const items = new Map<string, ProcurementItem & { first: number; leadMs: number }>();
	for (const line of lines) {
		for (const shortage of line.shortages) {
			const ingredient = names.get(shortage.ingredientId);
			const day = shortage.neededBy === null ? null : wallClock(shortage.neededBy, zone).date;
			const key = `${shortage.ingredientId}:${day}`;
			const item = items.get(key) ?? {
				ingredient: ingredient?.name ?? `ingredient ${shortage.ingredientId}`,
				unit: ingredient?.unit ?? '',
				supplier: ingredient?.supplier ?? '',
				neededByShopDate: day,
				neededBy: null,
				orderBy: null,
				leadMs: (ingredient?.leadDays ?? 0) * 24 * 3_600_000,
				missing: 0,
				orders: [],
				first: Infinity
			};
			item.missing += shortage.missing;
			if (shortage.neededBy !== null && shortage.neededBy < item.first)
				item.first = shortage.neededBy;
			if (!item.orders.includes(line.number)) item.orders.push(line.number);
			items.set(key, item);
		}
	}

	return [...items.values()]
		.map(({ first, leadMs, ...item }) => ({
			...item,
			missing: Math.ceil(item.missing),
			neededBy: Number.isFinite(first) ? new Date(first).toISOString() : null,
			orderBy: Number.isFinite(first) ? new Date(first - leadMs).toISOString() : null
		}))
		.sort(
			(a, b) =>
				(a.neededBy ?? '~').localeCompare(b.neededBy ?? '~') ||
				a.ingredient.localeCompare(b.ingredient)
		);
}
