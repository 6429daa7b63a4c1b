import { and, asc, desc, eq, gte, inArray, or } from 'drizzle-orm';

import { ORDER_STATUSES, isOpen, type OrderStatus, type OrderView } from '../../domain/order';
import { formatShopTime, instantAt, wallClock } from '../../domain/shop-time';

import type { Executor } from '../db/client';
import { CANNOT_MAKE, ingredients, orderLines, orders } from '../db/schema';

type OrderRow = typeof orders.$inferSelect;
type LineRow = typeof orderLines.$inferSelect;

const OPEN_STATUSES = ORDER_STATUSES.filter(isOpen);

const iso = (instant: number) => new Date(instant).toISOString();

type IngredientNames = Map<number, { name: string; unit: string }>;

const lateness = (minutes: number) => (minutes === CANNOT_MAKE ? null : minutes);

export function toOrderView(
	order: OrderRow,
	lines: LineRow[],
	zone: string,
	ingredientNames: IngredientNames = new Map()
): OrderView {
	return {
		id: order.id,
		number: order.number,
		status: order.status,
		version: order.version,
		channel: order.channel,
		externalId: order.externalId,
		customer: { name: order.customerName, email: order.customerEmail, phone: order.customerPhone },
		fulfillment: {
			type: order.fulfillmentType,
			at: iso(order.fulfillmentAt),
			atShopTime: formatShopTime(order.fulfillmentAt, zone),
			address: order.deliveryAddress ?? null
		},
		note: order.note,
		lines: lines
			.sort((a, b) => a.position - b.position)
			.map((line) => ({
				id: line.id,
				sku: line.sku,
				name: line.name,
				quantity: line.quantity,
				unitPriceMinor: line.unitPriceMinor,
				modifiers: line.modifiers,
				note: line.note,
				route: line.route,
				reservedUnits: line.reservedUnits,
				readyAt: line.readyAt === null ? null : iso(line.readyAt),
				lateMinutes: lateness(line.lateMinutes),
				shortages: line.shortages.map((shortage) => ({
					ingredient:
						ingredientNames.get(shortage.ingredientId)?.name ??
						`ingredient ${shortage.ingredientId}`,
					unit: ingredientNames.get(shortage.ingredientId)?.unit ?? '',
					missing: Math.ceil(shortage.missing),
					neededBy: shortage.neededBy === null ? null : iso(shortage.neededBy)
				})),
				packedQuantity: line.packedQuantity
			})),
		totalMinor: order.totalMinor,
		currency: order.currency,
		trackingToken: order.trackingToken,
		promisedAt: order.promisedAt === null ? null : iso(order.promisedAt),
		estimatedReadyAt: order.estimatedReadyAt === null ? null : iso(order.estimatedReadyAt),
		lateMinutes: lateness(order.lateMinutes),
		goodsReady: lines.every(
			(line) => line.route === 'counter' || line.reservedUnits >= line.quantity
		),
		packedAt: order.packedAt === null ? null : iso(order.packedAt),
		packedRight: order.packedRight,
		createdAt: iso(order.createdAt),
		updatedAt: iso(order.updatedAt),
		cancelReason: order.cancelReason
	};
}

function withLines(db: Executor, rows: OrderRow[], zone: string): OrderView[] {
	if (rows.length === 0) return [];
	const lines = db
		.select()
		.from(orderLines)
		.where(
			inArray(
				orderLines.orderId,
				rows.map((row) => row.id)
			)
		)
		.all();
	const names: IngredientNames = lines.some((line) => line.shortages.length > 0)
		? new Map(
				db
					.select()
					.from(ingredients)
					.all()
					.map((row) => [row.id, { name: row.name, unit: row.unit }])
			)
		: new Map();
	const byOrder = new Map<number, LineRow[]>();
	for (const line of lines) byOrder.set(line.orderId, [...(byOrder.get(line.orderId) ?? []), line]);
	return rows.map((row) => toOrderView(row, byOrder.get(row.id) ?? [], zone, names));
}

export function findOrder(db: Executor, id: number, zone: string): OrderView | null {
	const row = db.select().from(orders).where(eq(orders.id, id)).get();
	return row ? (withLines(db, [row], zone)[0] ?? null) : null;
}

export function findOrderByToken(db: Executor, token: string, zone: string): OrderView | null {
	const row = db.select().from(orders).where(eq(orders.trackingToken, token)).get();
	return row ? (withLines(db, [row], zone)[0] ?? null) : null;
}

export function findOrderId(
	db: Executor,
	key: { idempotencyKey?: string | undefined; channel: string; externalId?: string | undefined }
): { id: number; requestHash: string; idempotencyKey: string | null } | null {
	const conditions = [];
	if (key.idempotencyKey) conditions.push(eq(orders.idempotencyKey, key.idempotencyKey));
	if (key.externalId) {
		conditions.push(and(eq(orders.channel, key.channel), eq(orders.externalId, key.externalId)));
	}
	if (conditions.length === 0) return null;
	const row = db
		.select({
			id: orders.id,
			requestHash: orders.requestHash,
			idempotencyKey: orders.idempotencyKey
		})
		.from(orders)
		.where(or(...conditions))
		.get();
	return row ?? null;
}

export interface OrderFilter {
	statuses?: OrderStatus[];
	/** Only orders due at or after this instant. */
	dueFrom?: number;
	limit?: number;
}

export function listOrders(db: Executor, filter: OrderFilter, zone: string): OrderView[] {
	const conditions = [];
	if (filter.statuses?.length) conditions.push(inArray(orders.status, filter.statuses));
	if (filter.dueFrom !== undefined) conditions.push(gte(orders.fulfillmentAt, filter.dueFrom));

	const rows = db
		.select()
		.from(orders)
		.where(and(...conditions))
		.orderBy(asc(orders.fulfillmentAt), desc(orders.id))
		.limit(filter.limit ?? 500)
		.all();
	return withLines(db, rows, zone);
}

/** What a live order screen starts from: every open order, and today's finished ones. */
export function boardOrders(db: Executor, now: number, zone: string): OrderView[] {
	const startOfDay = instantAt(wallClock(now, zone).date, 0, zone);
	const rows = db
		.select()
		.from(orders)
		.where(or(inArray(orders.status, OPEN_STATUSES), gte(orders.fulfillmentAt, startOfDay)))
		.orderBy(asc(orders.fulfillmentAt), desc(orders.id))
		.limit(2000)
		.all();
	return withLines(db, rows, zone);
}
