import { eq } from 'drizzle-orm';

import {
	checkPickupTime,
	earliestPickup,
	pickupSlots,
	type OpeningInterval,
	type PickupCheck,
	type PickupRules
} from '../../domain/opening-hours';
import { addShopDays, formatShopTime, parseShopTime, wallClock } from '../../domain/shop-time';
import type { Executor } from '../db/client';
import { openingHours } from '../db/schema';
import { invalid, refused } from '../errors';
import type { ShopSettings } from '../settings';

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

export function pickupRules(
	db: Executor,
	settings: ShopSettings,
	channel: string,
	now: number,
	zone: string
): PickupRules {
	const leadMinutes = channel === 'pos' ? settings.counterLeadMinutes : settings.leadMinutes;
	return { now, leadMinutes, hours: shopHours(db), zone, maxAdvanceDays: settings.maxAdvanceDays };
}

/** An instant as staff and customers say it: "16:17 today" or "Sat 15 Jun 08:00". */
export function describeInstant(instant: number, now: number, zone: string): string {
	const day = wallClock(instant, zone).date;
	const today = wallClock(now, zone).date;
	if (day === today) return formatShopTime(instant, zone, "HH:mm 'today'");
	const sameYear = day.slice(0, 4) === today.slice(0, 4);
	return formatShopTime(instant, zone, sameYear ? 'EEE d MMM HH:mm' : 'EEE d MMM yyyy HH:mm');
}

export function earliestFields(instant: number | null, zone: string) {
	return {
		earliest: instant === null ? null : new Date(instant).toISOString(),
		earliestShopTime: instant === null ? null : formatShopTime(instant, zone)
	};
}

function pickupRefusal(check: Exclude<PickupCheck, { ok: true }>, at: number, rules: PickupRules) {
	const { now, zone, leadMinutes } = rules;
	const asked = describeInstant(at, now, zone);
	if (check.reason === 'too-far') {
		const latest = describeInstant(check.latest, now, zone);
		return refused(
			'fulfillment.at',
			`${asked} is too far ahead; we take orders up to ${rules.maxAdvanceDays} days ahead, until ${latest}`
		);
	}
	const earliest = check.earliest === null ? null : describeInstant(check.earliest, now, zone);
	const then = earliest
		? `; the earliest we can do is ${earliest}`
		: '; the shop has no opening in the next two weeks';
	const reasons = {
		past: `${asked} has already passed${then}`,
		'too-soon': `${asked} is sooner than our ${leadMinutes}-minute preparation time allows${then}`,
		closed: `${asked} is outside opening hours${earliest ? `; the next opening is ${earliest}` : then}`
	};
	return refused('fulfillment.at', reasons[check.reason], earliestFields(check.earliest, zone));
}

/**
 * The time the customer asked for, read on the shop's clock and checked against opening hours
 * and lead time; without one, the earliest those allow. `asap` tells the caller it may move it.
 */
export function requestedTime(
	text: string | undefined,
	rules: PickupRules
): { at: number; asap: boolean } {
	const zone = rules.zone;
	if (text === undefined) {
		const earliest = earliestPickup(rules);
		if (earliest === null) {
			throw refused('fulfillment.at', 'the shop has no opening in the next two weeks');
		}
		return { at: earliest, asap: true };
	}

	const parsed = parseShopTime(text, zone);
	if (!parsed.ok) {
		throw invalid([
			{
				field: 'fulfillment.at',
				message: {
					format: `${JSON.stringify(text)} is not a time; send ISO-8601 such as "2024-06-14T12:00" (shop time) or "2024-06-14T11:00:00Z"`,
					nonexistent: `${text} does not exist in ${zone}: the clocks skip it; choose a time outside the change`,
					year: `${text} is not in a year we take orders for; check the year`
				}[parsed.problem]
			}
		]);
	}
	const check = checkPickupTime(parsed.instant, rules);
	if (!check.ok) throw pickupRefusal(check, parsed.instant, rules);
	return { at: parsed.instant, asap: false };
}

/** Pickup times from `from` on, for `days` shop days: the instant itself, then the slots. */
export function laterTimes(
	from: number,
	rules: PickupRules,
	slotMinutes: number,
	days: number
): number[] {
	const first = wallClock(from, rules.zone).date;
	const times = [from];
	for (let offset = 0; offset <= days; offset++) {
		const slots = pickupSlots(addShopDays(first, offset), slotMinutes, rules);
		times.push(...slots.filter((slot) => slot > from));
	}
	return times;
}
