import { and, asc, desc, eq, gte, inArray, or } from 'drizzle-orm';

import {
	ORDER_STATUSES,
	isOpen,
	platformName,
	type DeliveryView,
	type OrderStatus,
	type OrderView,
	type PaymentView
} from '../../domain/order';
import { formatShopTime, instantAt, wallClock } from '../../domain/shop-time';

import type { Executor } from '../db/client';
import { CANNOT_MAKE, deliveries, ingredients, orderLines, orders, payments } from '../db/schema';

type OrderRow = typeof orders.$inferSelect;
type LineRow = typeof orderLines.$inferSelect;
type PaymentRow = typeof payments.$inferSelect;
type DeliveryRow = typeof deliveries.$inferSelect;

/** What the money side of an order adds up to, from its ledger of payment rows. */
export function paymentOf(
	order: Pick<OrderRow, 'paymentProblem'>,
	rows: PaymentRow[]
): PaymentView {
	let paid = 0;
	let refunded = 0;
	let authorized = 0;
	for (const row of rows) {
		if (row.state === 'captured' || row.state === 'recorded') paid += row.amountMinor;
		if (row.state === 'refunded') refunded += -row.amountMinor;
		if (row.state === 'authorized') authorized += row.amountMinor;
	}
	const taken = rows.find((row) => row.state === 'captured' || row.state === 'recorded');
	const state =
		paid > 0 && refunded >= paid
			? 'refunded'
			: paid > 0
				? 'paid'
				: authorized > 0
					? 'authorized'
					: 'unpaid';
	return {
		state,
		paidMinor: paid - refunded,
		authorizedMinor: authorized,
		method: taken?.method ?? rows.find((row) => row.state === 'authorized')?.method ?? null,
		paidOn: state === 'paid' ? platformName(taken?.provider) : null,
		problem: state === 'paid' ? null : order.paymentProblem
	};
}

function deliveryOf(row: DeliveryRow | undefined): DeliveryView | null {
	if (!row) return null;
	const time = (instant: number | null) => (instant === null ? null : iso(instant));
	return {
		state: row.state,
		trackingUrl: row.trackingUrl,
		courierName: row.courierName,
		pickupEta: time(row.pickupEta),
		dropoffEta: time(row.dropoffEta),
		failureReason: row.failureReason
	};
}

interface OrderExtras {
	payments: PaymentRow[];
	delivery: DeliveryRow | undefined;
}

const OPEN_STATUSES = ORDER_STATUSES.filter(isOpen);

const iso = (instant: number) => new Date(instant).toISOString();

type IngredientNames = Map<number, { name: string; unit: string }>;

const lateness = (minutes: number) => (minutes === CANNOT_MAKE ? null : minutes);

export function toOrderView(
	order: OrderRow,
	lines: LineRow[],
	zone: string,
	ingredientNames: IngredientNames = new Map(),
	extras: OrderExtras = { payments: [], delivery: undefined }
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
		cancelReason: order.cancelReason,
		notifyChannels: order.notifyChannels ?? null,
		completedAt: order.completedAt === null ? null : iso(order.completedAt),
		payment: paymentOf(order, extras.payments),
		delivery: deliveryOf(extras.delivery),
		rating: order.rating
	};
}

function withLines(db: Executor, rows: OrderRow[], zone: string): OrderView[] {
	if (rows.length === 0) return [];
	const ids = rows.map((row) => row.id);
	const lines = db.select().from(orderLines).where(inArray(orderLines.orderId, ids)).all();
	const paymentRows = db.select().from(payments).where(inArray(payments.orderId, ids)).all();
	const deliveryRows = rows.some((row) => row.fulfillmentType === 'delivery')
		? db.select().from(deliveries).where(inArray(deliveries.orderId, ids)).all()
		: [];
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
	const paymentsByOrder = new Map<number, PaymentRow[]>();
	for (const row of paymentRows) {
		paymentsByOrder.set(row.orderId, [...(paymentsByOrder.get(row.orderId) ?? []), row]);
	}
	const deliveryByOrder = new Map(deliveryRows.map((row) => [row.orderId, row]));
	return rows.map((row) =>
		toOrderView(row, byOrder.get(row.id) ?? [], zone, names, {
			payments: paymentsByOrder.get(row.id) ?? [],
			delivery: deliveryByOrder.get(row.id)
		})
	);
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
