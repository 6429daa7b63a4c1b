import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

/**
 * The one place that converts between instants (UTC epoch milliseconds, as stored) and the
 * shop's wall clock. Customers and staff think in shop time; a pickup "at 12:00" means noon where
 * the bakery is, whatever zone the server or the browser runs in.
 */

export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 24 * 60;

/** A day and a minute of that day on the shop's wall clock. */
export interface WallClock {
	/** `yyyy-MM-dd` */
	date: string;
	/** ISO weekday: 1 is Monday, 7 is Sunday. */
	weekday: number;
	minuteOfDay: number;
}

export function isValidTimeZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en-GB', { timeZone: zone });
		return zone.length > 0;
	} catch {
		// Intl throws a RangeError for names it does not know; that is the answer, not a fault.
		return false;
	}
}

export function formatShopTime(
	instant: number,
	zone: string,
	pattern = 'yyyy-MM-dd HH:mm'
): string {
	return format(new TZDate(instant, zone), pattern);
}

export function wallClock(instant: number, zone: string): WallClock {
	const local = new TZDate(instant, zone);
	return {
		date: format(local, 'yyyy-MM-dd'),
		weekday: Number(format(local, 'i')),
		minuteOfDay: local.getHours() * 60 + local.getMinutes()
	};
}

/** The instant a wall-clock minute of a shop date names; in a DST gap, the minute just after it. */
export function instantAt(date: string, minuteOfDay: number, zone: string): number {
	const [year, month, day] = date.split('-').map(Number) as [number, number, number];
	const hours = Math.floor(minuteOfDay / 60);
	return new TZDate(year, month - 1, day, hours, minuteOfDay % 60, zone).getTime();
}

/** Whether `yyyy-MM-dd` names a real calendar day in the years orders are taken. */
export function isShopDate(date: string): boolean {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
	if (!match) return false;
	const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
	if (year < FIRST_YEAR || year > LAST_YEAR) return false;
	const parsed = new Date(Date.UTC(year, month - 1, day));
	return parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

/** The shop date `days` after `date` (negative for before). */
export function addShopDays(date: string, days: number): string {
	const [year, month, day] = date.split('-').map(Number) as [number, number, number];
	return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

export type ParsedTime =
	| { ok: true; instant: number; hadOffset: boolean }
	| { ok: false; problem: 'format' | 'nonexistent' | 'year' };

/** Years a bakery takes orders in; outside them a time is a typo, not an order. */
const FIRST_YEAR = 2000;
const LAST_YEAR = 2199;

const ISO_PATTERN =
	/^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads an ISO-8601 date and time. With an offset (`Z`, `+02:00`) it is an instant; without one
 * it is read on the shop's wall clock, and a time that the clocks skip (the hour lost when summer
 * time starts) is refused rather than silently moved.
 */
export function parseShopTime(text: string, zone: string): ParsedTime {
	const match = ISO_PATTERN.exec(text.trim());
	if (!match) return { ok: false, problem: 'format' };

	const [, year, month, day, hour, minute, second = '0', offset] = match;
	const parts = [year, month, day, hour, minute, second].map(Number) as number[];
	const [y, mo, d, h, mi, s] = parts as [number, number, number, number, number, number];
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
		return { ok: false, problem: 'format' };
	}
	if (y < FIRST_YEAR || y > LAST_YEAR) return { ok: false, problem: 'year' };

	if (offset) {
		const normalised =
			offset.toUpperCase() === 'Z' ? 'Z' : offset.replace(/(\d{2})(\d{2})$/, '$1:$2');
		const iso = `${year}-${month}-${day}T${hour}:${minute}:${String(s).padStart(2, '0')}${normalised}`;
		const instant = Date.parse(iso);
		if (Number.isNaN(instant)) return { ok: false, problem: 'format' };
		return { ok: true, instant, hadOffset: true };
	}

	const local = new TZDate(y, mo - 1, d, h, mi, s, zone);
	const roundTrip = format(local, 'yyyy-MM-dd HH:mm:ss');
	const asked = `${year}-${month}-${day} ${hour}:${minute}:${String(s).padStart(2, '0')}`;
	if (roundTrip !== asked) {
		// Either an impossible date (31 February) or a wall time that does not exist in the zone.
		const dayExists = new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d;
		return { ok: false, problem: dayExists ? 'nonexistent' : 'format' };
	}
	return { ok: true, instant: earliestReading(local.getTime(), asked, zone), hadOffset: false };
}

/**
 * When the clocks go back, one wall time happens twice; like Temporal's "compatible" choice, we
 * take the first, so a customer told "01:30" is not an hour late.
 */
function earliestReading(instant: number, wall: string, zone: string): number {
	for (const minutesBack of [60, 30]) {
		const earlier = instant - minutesBack * MINUTE_MS;
		if (format(new TZDate(earlier, zone), 'yyyy-MM-dd HH:mm:ss') === wall) return earlier;
	}
	return instant;
}
