import { createHash, randomBytes } from 'node:crypto';

import { eq, inArray, sql } from 'drizzle-orm';

import { formatMoney, platformName, type OrderView } from '../../domain/order';
import { wallClock } from '../../domain/shop-time';
import type { LateReason } from '../../planner/types';
import type { Executor } from '../db/client';
import {
	counters,
	ingredients,
	orderLines,
	orders,
	orderStatusHistory,
	payments,
	products,
	productStock,
	stockMovements
} from '../db/schema';
import type { Deps } from '../deps';
import { conflict, invalid, refused } from '../errors';
import { appendEvent } from '../events/log';
import { requestDelivery } from '../delivery/courier';
import { enqueueNotices } from '../notices/outbox';
import { problemsOf } from '../http';
import { plannerInput } from '../production/planner-input';
import { storePlan } from '../production/store-plan';
import { readSettings } from '../settings';
import { isSlotFull } from './slot-cap';
import { idempotencyKey as idempotencyKeySchema, orderInput, type OrderInput } from './input';
import {
	describeInstant,
	earliestFields,
	laterTimes,
	pickupRules,
	requestedTime
} from './pickup-time';
import {
	adoptIds,
	baselineLateness,
	draftDemand,
	earliestPromise,
	ingredientArrivals,
	newLineId,
	orderNumber,
	productNames,
	reserveFromStock,
	tryPromise,
	type DraftLine,
	type Trial
} from './promise';
import { findOrder, findOrderId } from './queries';

export interface PlaceResult {
	created: boolean;
	order: OrderView;
}

type ProductRow = typeof products.$inferSelect;

/** A stable hash of what was asked, to tell a retry from a different order under the same key. */
function hashOf(input: OrderInput): string {
	const { clientPlacedAt: _ignored, ...meaningful } = input;
	return createHash('sha256').update(JSON.stringify(meaningful)).digest('base64url');
}

function parseIdempotencyKey(raw: string | null | undefined): string | undefined {
	if (raw == null) return undefined;
	const checked = idempotencyKeySchema.safeParse(raw);
	if (!checked.success) {
		throw invalid([{ field: 'Idempotency-Key', message: checked.error.issues[0]!.message }]);
	}
	return checked.data;
}

function loadProducts(db: Executor, input: OrderInput): Map<string, ProductRow> {
	const skus = [...new Set(input.lines.map((line) => line.sku))];
	const rows = db.select().from(products).where(inArray(products.sku, skus)).all();
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

/** A product taken off the menu for one shop day cannot be ordered for that day. */
function refuseOffForTheDay(
	input: OrderInput,
	bySku: Map<string, ProductRow>,
	shopDate: string
): void {
	const problems = input.lines.flatMap((line, index) => {
		const product = bySku.get(line.sku)!;
		if (product.unavailableOn !== shopDate) return [];
		const message = `${product.name} is not available on ${shopDate}; choose another item or another day`;
		return [{ field: `lines[${index}].sku`, message }];
	});
	if (problems.length > 0) {
		throw refused(problems[0]!.field, problems.map((problem) => problem.message).join('; '), {
			problems
		});
	}
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

/**
 * Takes an order. Validates it, reads its time on the shop's clock, holds what the shelf has,
 * and plans the rest into the ovens; the order is accepted only if the shop can keep the promise
 * without making any order already taken later. Order, lines, reservations, plan and events are
 * written in one transaction; the same idempotency key or external id again returns the order
 * already taken and writes nothing.
 */
export interface PlaceOptions {
	idempotencyKey?: string | null;
	/** A card authorisation already made for this order, recorded with it. */
	held?: { providerRef: string; amountMinor: number };
	/** Paid on the shop platform the order came from, recorded with it so nothing is taken again. */
	paidOn?: {
		platform: string;
		ref: string;
		amountMinor: number;
		currency: string | null;
		partial?: boolean;
	};
}

export function placeOrder(deps: Deps, body: unknown, options: PlaceOptions = {}): PlaceResult {
	const parsed = orderInput.safeParse(body);
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const input = parsed.data;
	const key = parseIdempotencyKey(options.idempotencyKey);

	const zone = deps.config.shopTimeZone;
	const now = deps.now();
	const requestHash = hashOf(input);
	const lookup = { idempotencyKey: key, channel: input.channel, externalId: input.externalId };

	// A retry must get its order back even once the pickup time has passed, so look first.
	const earlier = findOrderId(deps.db, lookup);
	if (earlier) return existing(deps, earlier, requestHash, key);

	const bySku = loadProducts(deps.db, input);
	const settings = readSettings(deps.db);
	const rules = pickupRules(deps.db, settings, input.channel, now, zone);
	const requested = requestedTime(input.fulfillment.at, rules);
	refuseOffForTheDay(input, bySku, wallClock(requested.at, zone).date);

	const outcome = deps.db.transaction(
		(tx) => {
			// Checked again under the write lock: another process may have taken it meanwhile.
			const raced = findOrderId(tx, lookup);
			if (raced) return { kind: 'raced' as const, found: raced };

			const lines = reserveFromStock(
				tx,
				input.lines.map((line) => ({ product: bySku.get(line.sku)!, quantity: line.quantity })),
				{ now, dueAt: requested.at }
			);
			// Nothing to bake (drinks, or all of it from the shelf): the oven plan cannot change, so
			// the planner is not asked at all.
			const bakes = draftDemand(lines, requested.at).length > 0;
			let oracle: ((at: number) => Trial) | undefined;
			const promise = (at: number): Trial => {
				if (!bakes) return { ok: true, plan: null };
				if (!oracle) {
					const base = plannerInput(tx, now, zone, settings);
					const lateness = baselineLateness(base);
					const arrivals = ingredientArrivals(tx, now);
					oracle = (time) =>
						tryPromise(base, lines, time, settings.packingMinutes, lateness, arrivals);
				}
				return oracle(at);
			};

			let promisedAt = requested.at;
			let trial = promise(promisedAt);
			if (!trial.ok) {
				const candidates = laterTimes(requested.at, rules, settings.slotMinutes, settings.planDays);
				const earliest = earliestPromise(candidates, (at) => promise(at).ok);
				if (!requested.asap || earliest === null) {
					throw promiseRefusal(tx, trial, lines, requested.at, earliest, now, zone);
				}
				promisedAt = earliest;
				trial = promise(promisedAt);
			}

			// The counter's cap per slot binds pickups ordered ahead; a walk-in is already here.
			const cap = {
				slotMinutes: settings.slotMinutes,
				capacity:
					input.fulfillment.type === 'pickup' && input.channel !== 'pos'
						? settings.slotCapacity
						: 0,
				zone
			};
			if (isSlotFull(tx, promisedAt, cap)) {
				const candidates = laterTimes(promisedAt, rules, settings.slotMinutes, settings.planDays);
				const free = candidates
					.filter((at) => at > promisedAt && !isSlotFull(tx, at, cap))
					.slice(0, 48)
					.find((at) => promise(at).ok);
				if (!requested.asap || free === undefined) {
					throw refused(
						'fulfillment.at',
						`the pickup slot at ${describeInstant(promisedAt, now, zone)} is full (${cap.capacity} orders); ${free === undefined ? 'no later slot in the coming days has room' : `the next slot with room is ${describeInstant(free, now, zone)}`}`,
						earliestFields(free ?? null, zone)
					);
				}
				promisedAt = free;
				trial = promise(promisedAt);
			}

			const { orderId, lineIds } = insertOrder(tx, input, lines, {
				key,
				asap: requested.asap,
				requestedAt: requested.at,
				requestHash,
				promisedAt,
				now,
				zone
			});
			if (options.held) {
				tx.insert(payments)
					.values({
						orderId,
						method: 'card',
						state: 'authorized',
						amountMinor: options.held.amountMinor,
						currency: lines[0]!.product.currency,
						provider: 'payments',
						providerRef: options.held.providerRef,
						at: now
					})
					.run();
			}
			if (options.paidOn) recordPlatformPayment(tx, orderId, options.paidOn, lines, now);
			const planEvents =
				trial.ok && trial.plan
					? storePlan(tx, adoptIds(trial.plan, orderId, lineIds), now, zone)
					: [];
			if (input.fulfillment.type === 'delivery') requestDelivery(tx, orderId, now);
			const view = findOrder(tx, orderId, zone)!;
			enqueueNotices(tx, view, { kind: 'confirmed' }, now);
			const created = appendEvent(tx, { type: 'order.created', order: view }, now);
			// The new order's own "updated" from the plan would only repeat what "created" says.
			const others = planEvents.filter(
				(event) => !('order' in event) || event.order.id !== orderId
			);
			return { kind: 'created' as const, view, events: [created, ...others] };
		},
		{ behavior: 'immediate' }
	);

	if (outcome.kind === 'raced') return existing(deps, outcome.found, requestHash, key);

	deps.publish(outcome.events);
	deps.log
		.child({ module: 'orders' })
		.info(
			{ orderId: outcome.view.id, number: outcome.view.number, channel: input.channel },
			'order placed'
		);
	return { created: true, order: outcome.view };
}

interface InsertContext {
	key: string | undefined;
	asap: boolean;
	requestedAt: number;
	requestHash: string;
	promisedAt: number;
	now: number;
	zone: string;
}

function insertOrder(tx: Executor, input: OrderInput, lines: DraftLine[], context: InsertContext) {
	const { now, promisedAt } = context;
	// Numbered per day of pickup, so the board of one day never shows the same number twice.
	const businessDate = wallClock(promisedAt, context.zone).date;
	const totalMinor = lines.reduce((sum, line) => sum + line.quantity * line.product.priceMinor, 0);

	const order = tx
		.insert(orders)
		.values({
			number: nextOrderNumber(tx, businessDate),
			businessDate,
			channel: input.channel,
			externalId: input.externalId ?? null,
			idempotencyKey: context.key ?? null,
			requestHash: context.requestHash,
			status: 'received',
			customerName: input.customer.name,
			customerEmail: input.customer.email ?? null,
			customerPhone: input.customer.phone ?? null,
			fulfillmentType: input.fulfillment.type,
			fulfillmentAt: promisedAt,
			deliveryAddress: input.fulfillment.address ?? null,
			note: input.note,
			totalMinor,
			currency: lines[0]!.product.currency,
			trackingToken: randomBytes(18).toString('base64url'),
			promisedAt,
			requestedAt: context.asap ? null : context.requestedAt,
			clientMeta: input.clientPlacedAt ? { placedAt: input.clientPlacedAt } : null,
			notifyChannels: input.notify ?? null,
			createdAt: now,
			updatedAt: now
		})
		.returning({ id: orders.id })
		.get();

	const lineIds = new Map<number, number>();
	for (const line of lines) {
		const source = input.lines[line.position]!;
		const row = tx
			.insert(orderLines)
			.values({
				orderId: order.id,
				position: line.position,
				productId: line.product.id,
				sku: line.product.sku,
				name: line.product.name,
				quantity: line.quantity,
				unitPriceMinor: line.product.priceMinor,
				modifiers: source.modifiers,
				note: source.note,
				route: line.route,
				reservedUnits: line.reserved
			})
			.returning({ id: orderLines.id })
			.get();
		lineIds.set(newLineId(line.position), row.id);
		if (line.reserved > 0) reserve(tx, line, order.id, now);
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
	return { orderId: order.id, lineIds };
}

/** Holds finished goods for a line; the table's checks refuse an overdraw inside the transaction. */
/**
 * What the platform took for the order: recorded as settled when it is the whole order in our
 * currency; otherwise (another currency, only part paid) shown to staff as a payment problem,
 * since the counter cannot simply take it as settled.
 */
function recordPlatformPayment(
	tx: Executor,
	orderId: number,
	paidOn: NonNullable<PlaceOptions['paidOn']>,
	lines: DraftLine[],
	now: number
): void {
	const ours = lines[0]!.product.currency;
	const paid = formatMoney(paidOn.amountMinor, paidOn.currency ?? ours);
	const where = platformName(paidOn.platform) ?? paidOn.platform;
	const problem =
		paidOn.currency !== null && paidOn.currency !== ours
			? `${paid} was paid on ${where}, but this shop sells in ${ours}: settle it by hand before handing over`
			: paidOn.partial
				? `${paid} is paid on ${where} already: take only the rest at the counter`
				: null;
	if (problem) {
		tx.update(orders).set({ paymentProblem: problem }).where(eq(orders.id, orderId)).run();
		return;
	}
	tx.insert(payments)
		.values({
			orderId,
			method: 'card',
			state: 'recorded',
			amountMinor: paidOn.amountMinor,
			currency: ours,
			provider: paidOn.platform,
			providerRef: paidOn.ref,
			reason: `paid on ${paidOn.platform}`,
			at: now
		})
		.run();
}

function reserve(tx: Executor, line: DraftLine, orderId: number, now: number): void {
	tx.update(productStock)
		.set({ reserved: sql`${productStock.reserved} + ${line.reserved}` })
		.where(eq(productStock.productId, line.product.id))
		.run();
	tx.insert(stockMovements)
		.values({
			productId: line.product.id,
			reason: 'reserve',
			reservedDelta: line.reserved,
			orderId,
			at: now
		})
		.run();
}

/** Why the ovens cannot keep this promise, what the shelf still has, and when would work. */
function promiseRefusal(
	tx: Executor,
	trial: Extract<ReturnType<typeof tryPromise>, { ok: false }>,
	lines: DraftLine[],
	at: number,
	earliest: number | null,
	now: number,
	zone: string
) {
	const names = productNames(
		tx,
		trial.reasons.map((reason) => reason.productId)
	);
	const parts = [...new Set(trial.reasons.map((reason) => explain(reason, names, now, zone)))];
	if (trial.delays.length > 0) {
		const numbers = trial.delays.map((id) => orderNumber(tx, id)).join(', ');
		parts.push(`taking it would make order ${numbers}, already promised, late`);
	}
	if (trial.waits.length > 0) {
		const names = new Map(
			tx
				.select({ id: ingredients.id, name: ingredients.name, supplier: ingredients.supplier })
				.from(ingredients)
				.all()
				.map((row) => [row.id, row])
		);
		for (const wait of trial.waits) {
			const ingredient = names.get(wait.ingredientId);
			parts.push(
				`${ingredient?.name ?? 'an ingredient'} is short and cannot arrive from ${ingredient?.supplier || 'the supplier'} before ${describeInstant(wait.arrivesAt, now, zone)}`
			);
		}
	}
	const short = lines.filter((line) => line.route === 'bake' && line.reserved < line.quantity);
	const left = short.map(
		(line) => `${line.reserved || 'no'} ${line.product.name} left on the shelf`
	);
	const then =
		earliest === null
			? 'no time in the coming days works'
			: `the earliest that works is ${describeInstant(earliest, now, zone)}`;

	const message = `we cannot have it ready by ${describeInstant(at, now, zone)}: ${[...parts, ...left].join('; ')}; ${then}`;
	return refused('fulfillment.at', message, {
		...earliestFields(earliest, zone),
		onShelf: short.map((line) => ({
			sku: line.product.sku,
			name: line.product.name,
			available: line.reserved
		}))
	});
}

export function explain(
	reason: LateReason,
	names: Map<number, string>,
	now: number,
	zone: string
): string {
	const name = names.get(reason.productId) ?? 'an item';
	switch (reason.code) {
		case 'prep-time':
			return `${name} needs its preparation and bake first, so it is ready ${describeInstant(reason.at, now, zone)} at the earliest`;
		case 'oven-capacity':
			return `the ovens that bake ${name} at ${reason.tempC}°C are booked until ${describeInstant(reason.at, now, zone)}`;
		case 'bakehouse-hours':
			return `the bakehouse is closed then; ${name} can go in the oven at ${describeInstant(reason.at, now, zone)}`;
		case 'no-oven':
			return `no oven reaches ${reason.tempC}°C for ${name}`;
		case 'horizon':
			return `there is no oven time for ${name} in the coming days`;
	}
}

function existing(
	deps: Deps,
	found: { id: number; requestHash: string; idempotencyKey: string | null },
	requestHash: string,
	key: string | undefined
): PlaceResult {
	const order = findOrder(deps.db, found.id, deps.config.shopTimeZone)!;
	// Only a reused key is a mistake; the same external id again is the platform retrying.
	if (key && found.idempotencyKey === key && found.requestHash !== requestHash) {
		throw conflict(
			`Idempotency-Key ${JSON.stringify(key)} was already used for order ${order.number} with different contents; use a new key for a new order`
		);
	}
	return { created: false, order };
}
