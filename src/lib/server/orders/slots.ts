import { inArray } from 'drizzle-orm';

import { earliestPickup, pickupSlots } from '../../domain/opening-hours';
import { addShopDays, formatShopTime, wallClock } from '../../domain/shop-time';
import { products } from '../db/schema';
import type { Deps } from '../deps';
import { invalid, refused } from '../errors';
import { plannerInput } from '../production/planner-input';
import { readSettings } from '../settings';
import { pickupRules } from './pickup-time';
import { isSlotFull } from './slot-cap';
import {
	baselineLateness,
	earliestPromise,
	ingredientArrivals,
	reserveFromStock,
	tryPromise
} from './promise';

export interface SlotDay {
	date: string;
	/** Like "Fri 14 Jun", for a button. */
	label: string;
	slots: { at: string; time: string }[];
}

export interface SlotQuery {
	from?: string;
	days: number;
	/** The basket; when given, only times the ovens and the shelf can meet are offered. */
	lines?: { sku: string; quantity: number }[];
}

/**
 * Pickup times the shop offers, day by day: within opening hours and the lead time, and for a
 * basket, only those the plan can keep. Later times on a day are easier for the ovens, so each
 * day's first workable slot is found by binary search and the slots after it are offered; the
 * order itself is checked exactly when it is placed.
 */
export function offeredSlots(deps: Deps, query: SlotQuery): SlotDay[] {
	const zone = deps.config.shopTimeZone;
	const now = deps.now();
	const settings = readSettings(deps.db);
	const rules = pickupRules(deps.db, settings, 'online', now, zone);
	const first = query.from ?? wallClock(earliestPickup(rules) ?? now, zone).date;
	const today = wallClock(now, zone).date;
	const last = addShopDays(today, settings.maxAdvanceDays);
	if (first < today)
		throw invalid([{ field: 'date', message: `${first} has passed; ask for ${today} or later` }]);
	if (first > last) {
		throw invalid([
			{ field: 'date', message: `${first} is too far ahead; we take orders up to ${last}` }
		]);
	}
	const cap = { slotMinutes: settings.slotMinutes, capacity: settings.slotCapacity, zone };
	const workable = query.lines?.length ? basketCheck(deps, query.lines, now, zone) : () => true;
	// A basket item taken off for a day is not offered on that day.
	const offOn = new Set(
		query.lines?.length
			? deps.db
					.select({ day: products.unavailableOn })
					.from(products)
					.where(
						inArray(
							products.sku,
							query.lines.map((line) => line.sku)
						)
					)
					.all()
					.flatMap((row) => (row.day ? [row.day] : []))
			: []
	);

	const days: SlotDay[] = [];
	for (let offset = 0; offset < query.days; offset++) {
		const date = addShopDays(first, offset);
		if (date > last) break;
		const all = offOn.has(date) ? [] : pickupSlots(date, settings.slotMinutes, rules);
		const from = earliestPromise(all, workable);
		const slots =
			from === null ? [] : all.filter((at) => at >= from && !isSlotFull(deps.db, at, cap));
		const noon = new Date(`${date}T12:00:00Z`).getTime();
		days.push({
			date,
			label: formatShopTime(noon, 'UTC', 'EEE d MMM'),
			slots: slots.map((at) => ({
				at: new Date(at).toISOString(),
				time: formatShopTime(at, zone, 'HH:mm')
			}))
		});
	}
	return days;
}

function basketCheck(
	deps: Deps,
	basket: { sku: string; quantity: number }[],
	now: number,
	zone: string
) {
	const settings = readSettings(deps.db);
	const rows = deps.db
		.select()
		.from(products)
		.where(
			inArray(
				products.sku,
				basket.map((line) => line.sku)
			)
		)
		.all();
	const bySku = new Map(rows.map((row) => [row.sku, row]));
	const unknown = basket.find((line) => !bySku.has(line.sku));
	if (unknown)
		throw refused(
			'lines',
			`${JSON.stringify(unknown.sku)} is not on the menu; GET /api/products lists the codes`
		);

	const lines = reserveFromStock(
		deps.db,
		basket.map((line) => ({ product: bySku.get(line.sku)!, quantity: line.quantity })),
		{ now, dueAt: now }
	);
	const base = plannerInput(deps.db, now, zone, settings);
	const lateness = baselineLateness(base);
	const arrivals = ingredientArrivals(deps.db, now);
	return (at: number) =>
		tryPromise(base, lines, at, settings.packingMinutes, lateness, arrivals).ok;
}
