import { addShopDays, DAY_MINUTES, instantAt, MINUTE_MS, wallClock } from './shop-time';

/** One opening interval on a weekday, half-open: [opensMinute, closesMinute) of the shop day. */
export interface OpeningInterval {
	/** ISO weekday: 1 is Monday, 7 is Sunday. */
	weekday: number;
	opensMinute: number;
	closesMinute: number;
}

export interface PickupRules {
	now: number;
	leadMinutes: number;
	hours: OpeningInterval[];
	zone: string;
	/** How far ahead orders are taken; unlimited when left out. */
	maxAdvanceDays?: number;
}

export type PickupCheck =
	| { ok: true }
	| { ok: false; reason: 'past' | 'too-soon' | 'closed'; earliest: number | null }
	| { ok: false; reason: 'too-far'; latest: number };

/** How far ahead to look for the next opening before giving up (a shop closed for a fortnight). */
const SEARCH_DAYS = 14;

function intervalsOn(date: string, hours: OpeningInterval[], zone: string): [number, number][] {
	const weekday = wallClock(instantAt(date, 12 * 60, zone), zone).weekday;
	return hours
		.filter((interval) => interval.weekday === weekday)
		.sort((a, b) => a.opensMinute - b.opensMinute)
		.map((interval) => [
			instantAt(date, interval.opensMinute, zone),
			instantAt(date, interval.closesMinute, zone)
		]);
}

/** The first instant at or after `from` when the shop is open, or null if none within two weeks. */
export function nextOpenInstant(
	from: number,
	hours: OpeningInterval[],
	zone: string
): number | null {
	const firstDate = wallClock(from, zone).date;
	for (let day = 0; day <= SEARCH_DAYS; day++) {
		for (const [opens, closes] of intervalsOn(addShopDays(firstDate, day), hours, zone)) {
			if (from < closes) return Math.max(from, opens);
		}
	}
	return null;
}

export function isOpenAt(instant: number, hours: OpeningInterval[], zone: string): boolean {
	return nextOpenInstant(instant, hours, zone) === instant;
}

/** The earliest pickup the rules allow: now plus the lead time, rounded up to a whole minute. */
export function earliestPickup(rules: PickupRules): number | null {
	const soonest = Math.ceil((rules.now + rules.leadMinutes * MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
	return nextOpenInstant(soonest, rules.hours, rules.zone);
}

export function checkPickupTime(at: number, rules: PickupRules): PickupCheck {
	const soonest = rules.now + rules.leadMinutes * MINUTE_MS;
	if (at < rules.now) return { ok: false, reason: 'past', earliest: earliestPickup(rules) };
	if (at < soonest) return { ok: false, reason: 'too-soon', earliest: earliestPickup(rules) };
	if (rules.maxAdvanceDays !== undefined) {
		const latest = rules.now + rules.maxAdvanceDays * DAY_MINUTES * MINUTE_MS;
		if (at > latest) return { ok: false, reason: 'too-far', latest };
	}
	if (!isOpenAt(at, rules.hours, rules.zone)) {
		return { ok: false, reason: 'closed', earliest: nextOpenInstant(at, rules.hours, rules.zone) };
	}
	return { ok: true };
}

/**
 * Pickup times on one shop date, every `slotMinutes` from each opening, that the rules allow.
 * Capacity is not considered here; the planner narrows these further.
 */
export function pickupSlots(date: string, slotMinutes: number, rules: PickupRules): number[] {
	const earliest = earliestPickup(rules);
	if (earliest === null) return [];

	const slots: number[] = [];
	for (const [opens, closes] of intervalsOn(date, rules.hours, rules.zone)) {
		for (let at = opens; at < closes; at += slotMinutes * MINUTE_MS) {
			if (at >= earliest) slots.push(at);
		}
	}
	return slots;
}
