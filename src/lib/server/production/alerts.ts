import { and, eq, gte, inArray, isNotNull, lt, ne, or } from 'drizzle-orm';

import { PLATFORM_NAMES } from '../../domain/order';
import { formatShopTime, instantAt, wallClock } from '../../domain/shop-time';
import type { Executor } from '../db/client';
import {
	deliveries,
	notifications,
	orderLines,
	orders,
	ovenLoads,
	ovens,
	platformInbox
} from '../db/schema';
import { procurementList } from './procurement';

/** Something the bakehouse should act on now, shown on every staff screen. */
export interface StaffAlert {
	kind: 'load-late' | 'order-late' | 'shortage' | 'payment' | 'courier' | 'notice' | 'platform';
	severity: 'warn' | 'danger';
	message: string;
}

/** A load this far past its planned start (or end) counts as running late. */
const GRACE_MS = 5 * 60_000;

function lateLoads(db: Executor, now: number, zone: string): StaffAlert[] {
	const rows = db
		.select({
			oven: ovens.name,
			status: ovenLoads.status,
			startAt: ovenLoads.startAt,
			endAt: ovenLoads.endAt,
			tempC: ovenLoads.tempC
		})
		.from(ovenLoads)
		.innerJoin(ovens, eq(ovens.id, ovenLoads.ovenId))
		.where(
			or(
				and(
					inArray(ovenLoads.status, ['planned', 'prepping']),
					lt(ovenLoads.startAt, now - GRACE_MS)
				),
				and(eq(ovenLoads.status, 'baking'), lt(ovenLoads.endAt, now - GRACE_MS))
			)
		)
		.all();
	const clock = (instant: number) => formatShopTime(instant, zone, 'HH:mm');
	return rows.map((load) => ({
		kind: 'load-late',
		severity: 'danger',
		message:
			load.status === 'baking'
				? `${load.oven}: the ${load.tempC}°C load should have come out at ${clock(load.endAt)}`
				: `${load.oven}: the ${load.tempC}°C load should have gone in at ${clock(load.startAt)}`
	}));
}

function lateOrders(db: Executor): StaffAlert[] {
	return db
		.select({ number: orders.number, lateMinutes: orders.lateMinutes })
		.from(orders)
		.where(and(inArray(orders.status, ['received', 'in_production']), ne(orders.lateMinutes, 0)))
		.all()
		.map((order) => ({
			kind: 'order-late',
			severity: 'danger',
			message:
				order.lateMinutes < 0
					? `Order ${order.number} cannot be made as promised: call the customer`
					: `Order ${order.number} will be ${order.lateMinutes} min late`
		}));
}

/**
 * Shortages the supplier cannot fill in time: its lead time runs past the bake that needs it.
 * The plan still counts on the delivery; people must buy it elsewhere or call the customer.
 */
function tooLateToOrder(db: Executor, now: number, zone: string): StaffAlert[] {
	return procurementList(db, zone)
		.filter((item) => item.orderBy !== null && Date.parse(item.orderBy) < now)
		.map((item) => ({
			kind: 'shortage',
			severity: 'danger',
			message: `${item.missing} ${item.unit} ${item.ingredient} for order ${item.orders.join(', ')} is needed by ${formatShopTime(Date.parse(item.neededBy!), zone, 'EEE HH:mm')}, too soon to order${item.supplier ? ` from ${item.supplier}` : ''}: buy it elsewhere or call the customer`
		}));
}

function shortages(db: Executor): StaffAlert[] {
	const waiting = db
		.selectDistinct({ number: orders.number })
		.from(orderLines)
		.innerJoin(orders, eq(orders.id, orderLines.orderId))
		.where(
			and(eq(orderLines.route, 'procure'), inArray(orders.status, ['received', 'in_production']))
		)
		.all();
	if (waiting.length === 0) return [];
	return [
		{
			kind: 'shortage',
			severity: 'warn',
			message: `Ingredients short for order ${waiting.map((order) => order.number).join(', ')}: see What to buy`
		}
	];
}

function paymentProblems(db: Executor): StaffAlert[] {
	return db
		.select({ number: orders.number, problem: orders.paymentProblem })
		.from(orders)
		.where(and(isNotNull(orders.paymentProblem), ne(orders.status, 'cancelled')))
		.all()
		.map((order) => ({
			kind: 'payment',
			severity: 'warn',
			message: `Order ${order.number}: ${order.problem}`
		}));
}

function courierProblems(db: Executor): StaffAlert[] {
	return db
		.select({ number: orders.number, state: deliveries.state, reason: deliveries.failureReason })
		.from(deliveries)
		.innerJoin(orders, eq(orders.id, deliveries.orderId))
		.where(
			and(
				inArray(orders.status, ['received', 'in_production', 'ready', 'out_for_delivery']),
				or(inArray(deliveries.state, ['failed', 'cancelled']), isNotNull(deliveries.failureReason))
			)
		)
		.all()
		.map((row) => ({
			kind: 'courier',
			severity: row.state === 'failed' || row.state === 'cancelled' ? 'danger' : 'warn',
			message: `Order ${row.number}: courier ${row.state === 'requested' ? 'not booked yet' : row.state}${row.reason ? ` (${row.reason})` : ''}`
		}));
}

function failedNotices(db: Executor, now: number, zone: string): StaffAlert[] {
	const today = instantAt(wallClock(now, zone).date, 0, zone);
	const failed = db
		.select({ id: notifications.id })
		.from(notifications)
		.where(and(eq(notifications.state, 'failed'), gte(notifications.createdAt, today)))
		.all().length;
	return failed === 0
		? []
		: [
				{
					kind: 'notice',
					severity: 'warn',
					message: `${failed} notice${failed === 1 ? '' : 's'} to customers failed today: see Notices`
				}
			];
}

/** Deliveries older than this are the back office's business, not the screens'. */
const PLATFORM_ALERT_DAYS = 14;

/**
 * Platform orders a customer expects and the shop does not have: the latest delivery for the
 * platform's order was refused (an item not on the menu, a time the shop is closed). And changes
 * a platform made to an order that could not be followed (new lines after the bake was planned).
 */
function platformProblems(db: Executor, now: number): StaffAlert[] {
	const rows = db
		.select({
			id: platformInbox.id,
			platform: platformInbox.platform,
			platformOrderId: platformInbox.platformOrderId,
			state: platformInbox.state,
			lastError: platformInbox.lastError,
			orderNumber: orders.number,
			orderStatus: orders.status
		})
		.from(platformInbox)
		.leftJoin(orders, eq(orders.id, platformInbox.orderId))
		.where(
			and(
				inArray(platformInbox.state, ['done', 'failed']),
				gte(platformInbox.receivedAt, now - PLATFORM_ALERT_DAYS * 86_400_000)
			)
		)
		.orderBy(platformInbox.id)
		.all();
	// The latest outcome per platform order: a failure later put right by a retry is no alert.
	const latest = new Map<string, (typeof rows)[number]>();
	const taken = new Set<string>();
	for (const row of rows) {
		const key = `${row.platform}:${row.platformOrderId ?? `delivery-${row.id}`}`;
		latest.set(key, row);
		if (row.state === 'done') taken.add(key);
	}
	const alerts: StaffAlert[] = [];
	for (const [key, row] of latest) {
		const platform = PLATFORM_NAMES[row.platform];
		if (row.state === 'failed' && !taken.has(key)) {
			const name = platformOrderName(db, row.id);
			const which = [name, row.platformOrderId && `(id ${row.platformOrderId})`]
				.filter(Boolean)
				.join(' ');
			alerts.push({
				kind: 'platform',
				severity: 'danger',
				message: `${platform} order ${which} was not taken: ${row.lastError ?? 'refused'}. Fix it in the back office (Platforms) and retry, or call the customer`
			});
		} else if (
			row.state === 'done' &&
			row.lastError?.startsWith('not applied') &&
			['received', 'in_production', 'ready'].includes(row.orderStatus ?? '')
		) {
			alerts.push({
				kind: 'platform',
				severity: 'warn',
				message: `Order ${row.orderNumber}: ${platform} changed it, ${row.lastError}; settle it with the customer`
			});
		}
	}
	return alerts;
}

/**
 * The order's name as the shop sees it on the platform (Shopify's "#1001", WooCommerce's number),
 * read from the stored delivery; null when it has none (Square's events carry only ids).
 */
function platformOrderName(db: Executor, inboxId: number): string | null {
	const row = db
		.select({ rawBody: platformInbox.rawBody })
		.from(platformInbox)
		.where(eq(platformInbox.id, inboxId))
		.get();
	try {
		const body = JSON.parse(row?.rawBody ?? 'null') as Record<string, unknown> | null;
		const order = (body?.order ?? body) as Record<string, unknown> | null;
		const name = order?.name ?? (order?.number === undefined ? undefined : `#${order.number}`);
		return typeof name === 'string' && name.length <= 40 ? name : null;
	} catch {
		return null;
	}
}

/**
 * Everything the staff should act on now: loads running late, orders that will miss their
 * promise, short ingredients, refused payments, courier trouble, notices that did not go out and
 * platform orders that could not be taken or followed.
 */
export function staffAlerts(db: Executor, now: number, zone: string): StaffAlert[] {
	return [
		...lateLoads(db, now, zone),
		...lateOrders(db),
		...tooLateToOrder(db, now, zone),
		...shortages(db),
		...paymentProblems(db),
		...courierProblems(db),
		...failedNotices(db, now, zone),
		...platformProblems(db, now)
	];
}
