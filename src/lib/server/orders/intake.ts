import { createHash, randomBytes } from 'node:crypto';

import { eq, inArray, sql } from 'drizzle-orm';

import {
	checkPickupTime,
	type OpeningInterval,
	type PickupCheck
} from '../../domain/opening-hours';
import type { OrderView } from '../../domain/order';
import { formatShopTime, parseShopTime, wallClock } from '../../domain/shop-time';

import type { Executor } from '../db/client';
import {
	counters,
	openingHours,
	orderLines,
	orders,
	orderStatusHistory,
	products
} from '../db/schema';
import { conflict, invalid, refused } from '../errors';
import { appendEvent } from '../events/log';
import { problemsOf } from '../http';
import type { Deps } from '../deps';
import { readSettings } from '../settings';
import { findOrder, findOrderId } from './queries';
import { idempotencyKey as idempotencyKeySchema, orderInput, type OrderInput } from './input';

export interface PlaceResult {
	created: boolean;
	order: OrderView;
}

export function shopHours(db: Executor): OpeningInterval[] {
	return db
		.select({
			weekday: openingHours.weekday,
			opensMinute: openingHours.opensMinute,
			closesMinute: openingHours.closesMinute
		})
		.from(openingHours)
		.where(eq(openingHours.scope, 'shop'))
		.all();
}

/** A stable hash of what was asked, to tell a retry from a different order under the same key. */
function hashOf(input: OrderInput): string {
	const { clientPlacedAt: _ignored, ...meaningful } = input;
	return createHash('sha256').update(JSON.stringify(meaningful)).digest('base64url');
}

function describeInstant(instant: number, now: number, zone: string): string {
	const day = wallClock(instant, zone).date;
	const today = wallClock(now, zone).date;
	if (day === today) return formatShopTime(instant, zone, "HH:mm 'today'");
	const sameYear = day.slice(0, 4) === today.slice(0, 4);
	return formatShopTime(instant, zone, sameYear ? 'EEE d MMM HH:mm' : 'EEE d MMM yyyy HH:mm');
}

function pickupRefusal(
	check: Exclude<PickupCheck, { ok: true }>,
	at: number,
	now: number,
	lead: number,
	zone: string
) {
	const asked = describeInstant(at, now, zone);
	const earliest = check.earliest === null ? null : describeInstant(check.earliest, now, zone);
	const then = earliest
		? `; the earliest we can do is ${earliest}`
		: '; the shop has no opening in the next two weeks';
	const reasons = {
		past: `${asked} has already passed${then}`,
		'too-soon': `${asked} is sooner than our ${lead}-minute preparation time allows${then}`,
		closed: `${asked} is outside opening hours${earliest ? `; the next opening is ${earliest}` : then}`
	};
	return refused('fulfillment.at', reasons[check.reason], {
		earliest: check.earliest === null ? null : new Date(check.earliest).toISOString(),
		earliestShopTime: check.earliest === null ? null : formatShopTime(check.earliest, zone)
	});
}

/** Resolves the requested time on the shop's clock; no time means as soon as possible. */
function resolveFulfillmentAt(input: OrderInput, deps: Deps, now: number): number {
	const zone = deps.config.shopTimeZone;
	const shop = readSettings(deps.db);
	const lead = input.channel === 'pos' ? shop.counterLeadMinutes : shop.leadMinutes;
	const rules = { now, leadMinutes: lead, hours: shopHours(deps.db), zone };

	let at: number;
	if (input.fulfillment.at === undefined) {
		const check = checkPickupTime(Number.NEGATIVE_INFINITY, rules);
		if (check.ok || check.earliest === null) {
			throw refused('fulfillment.at', 'the shop has no opening in the next two weeks');
		}
		at = check.earliest;
	} else {
		const parsed = parseShopTime(input.fulfillment.at, zone);
		if (!parsed.ok) {
			throw invalid([
				{
					field: 'fulfillment.at',
					message:
						parsed.problem === 'format'
							? `${JSON.stringify(input.fulfillment.at)} is not a time; send ISO-8601 such as "2024-06-14T12:00" (shop time) or "2024-06-14T11:00:00Z"`
							: `${input.fulfillment.at} does not exist in ${zone}: the clocks skip it; choose a time outside the change`
				}
			]);
		}
		at = parsed.instant;
	}

	const check = checkPickupTime(at, rules);
	if (!check.ok) throw pickupRefusal(check, at, now, lead, zone);
	return at;
}

function nextOrderNumber(tx: Executor, businessDate: string): string {
	const row = tx
		.insert(counters)
		.values({ name: `order-number:${businessDate}`, value: 1 })
		.onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + 1` } })
		.returning({ value: counters.value })
		.get();
	return String(row.value).padStart(3, '0');
}

function loadProducts(deps: Deps, input: OrderInput) {
	const skus = [...new Set(input.lines.map((line) => line.sku))];
	const rows = deps.db.select().from(products).where(inArray(products.sku, skus)).all();
	const bySku = new Map(rows.map((row) => [row.sku, row]));

	const problems = input.lines.flatMap((line, index) => {
		const product = bySku.get(line.sku);
		const field = `lines[${index}].sku`;
		if (!product) {
			return [
				{
					field,
					message: `${JSON.stringify(line.sku)} is not on the menu; GET /api/products lists the codes`
				}
			];
		}
		if (!product.available) {
			return [{ field, message: `${product.name} is not available today; choose another item` }];
		}
		return [];
	});
	if (problems.length > 0) {
		throw refused(problems[0]!.field, problems.map((problem) => problem.message).join('; '), {
			problems
		});
	}
	return bySku;
}

/**
 * Takes an order: validates it, resolves its time on the shop's clock, and writes it with its
 * lines, first status and event in one transaction. The same idempotency key or external id
 * again returns the order already taken and writes nothing.
 */
export function placeOrder(
	deps: Deps,
	body: unknown,
	options: { idempotencyKey?: string | null } = {}
): PlaceResult {
	const parsed = orderInput.safeParse(body);
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const input = parsed.data;

	let key: string | undefined;
	if (options.idempotencyKey != null) {
		const checked = idempotencyKeySchema.safeParse(options.idempotencyKey);
		if (!checked.success)
			throw invalid([{ field: 'Idempotency-Key', message: checked.error.issues[0]!.message }]);
		key = checked.data;
	}

	const zone = deps.config.shopTimeZone;
	const now = deps.now();
	const requestHash = hashOf(input);
	const lookup = { idempotencyKey: key, channel: input.channel, externalId: input.externalId };

	// A retry must get its order back even once the pickup time has passed, so look first.
	const earlier = findOrderId(deps.db, lookup);
	if (earlier) return existing(deps, earlier, requestHash, key);

	const bySku = loadProducts(deps, input);
	const fulfillmentAt = resolveFulfillmentAt(input, deps, now);
	const currency = readSettings(deps.db).currency;

	const outcome = deps.db.transaction(
		(tx) => {
			// Checked again under the write lock: another process may have taken it meanwhile.
			const raced = findOrderId(tx, lookup);
			if (raced) return { kind: 'raced' as const, found: raced };

			const businessDate = wallClock(now, zone).date;
			const lines = input.lines.map((line, position) => {
				const product = bySku.get(line.sku)!;
				return { ...line, position, product };
			});
			const totalMinor = lines.reduce(
				(sum, line) => sum + line.quantity * line.product.priceMinor,
				0
			);

			const order = tx
				.insert(orders)
				.values({
					number: nextOrderNumber(tx, businessDate),
					businessDate,
					channel: input.channel,
					externalId: input.externalId ?? null,
					idempotencyKey: key ?? null,
					requestHash,
					status: 'received',
					customerName: input.customer.name,
					customerEmail: input.customer.email ?? null,
					customerPhone: input.customer.phone ?? null,
					fulfillmentType: input.fulfillment.type,
					fulfillmentAt,
					deliveryAddress: input.fulfillment.address ?? null,
					note: input.note,
					totalMinor,
					currency,
					trackingToken: randomBytes(18).toString('base64url'),
					clientMeta: input.clientPlacedAt ? { placedAt: input.clientPlacedAt } : null,
					createdAt: now,
					updatedAt: now
				})
				.returning({ id: orders.id })
				.get();

			for (const line of lines) {
				tx.insert(orderLines)
					.values({
						orderId: order.id,
						position: line.position,
						productId: line.product.id,
						sku: line.product.sku,
						name: line.product.name,
						quantity: line.quantity,
						unitPriceMinor: line.product.priceMinor,
						modifiers: line.modifiers,
						note: line.note
					})
					.run();
			}

			tx.insert(orderStatusHistory)
				.values({
					orderId: order.id,
					fromStatus: null,
					toStatus: 'received',
					actor: input.channel,
					at: now
				})
				.run();

			const view = findOrder(tx, order.id, zone)!;
			return {
				kind: 'created' as const,
				view,
				event: appendEvent(tx, { type: 'order.created', order: view }, now)
			};
		},
		{ behavior: 'immediate' }
	);

	if (outcome.kind === 'raced') return existing(deps, outcome.found, requestHash, key);

	deps.publish([outcome.event]);
	deps.log
		.child({ module: 'orders' })
		.info(
			{ orderId: outcome.view.id, number: outcome.view.number, channel: input.channel },
			'order placed'
		);
	return { created: true, order: outcome.view };
}

function existing(
	deps: Deps,
	found: { id: number; requestHash: string },
	requestHash: string,
	key: string | undefined
): PlaceResult {
	const order = findOrder(deps.db, found.id, deps.config.shopTimeZone)!;
	if (key && found.requestHash !== requestHash) {
		throw conflict(
			`Idempotency-Key ${JSON.stringify(key)} was already used for order ${order.number} with different contents; use a new key for a new order`
		);
	}
	return { created: false, order };
}
