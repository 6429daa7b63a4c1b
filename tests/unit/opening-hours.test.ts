import { describe, expect, it } from 'vitest';

import {
	checkPickupTime,
	pickupSlots,
	type OpeningInterval,
	type PickupCheck
} from '../../src/lib/domain/opening-hours';
import { formatShopTime, parseShopTime } from '../../src/lib/domain/shop-time';

const ZONE = 'Europe/London';
const weekdays: OpeningInterval[] = [1, 2, 3, 4, 5].map((weekday) => ({
	weekday,
	opensMinute: 7 * 60 + 30,
	closesMinute: 18 * 60
}));
const saturday: OpeningInterval = { weekday: 6, opensMinute: 8 * 60, closesMinute: 17 * 60 };
const hours = [...weekdays, saturday];

function at(text: string): number {
	const parsed = parseShopTime(text, ZONE);
	if (!parsed.ok) throw new Error(`bad fixture time ${text}`);
	return parsed.instant;
}

const shopTime = (instant: number | null) =>
	instant === null ? null : formatShopTime(instant, ZONE);
const earliestOf = (check: PickupCheck) => ('earliest' in check ? check.earliest : null);

describe('checkPickupTime', () => {
	// Friday 14 June 2024, 15:47 in London, with 30 minutes' lead time.
	const rules = { now: at('2024-06-14T15:47'), leadMinutes: 30, hours, zone: ZONE };

	it('refuses a pickup inside the lead time and names the earliest minute', () => {
		const check = checkPickupTime(at('2024-06-14T16:00'), rules);
		expect(check.ok).toBe(false);
		expect(!check.ok && [check.reason, shopTime(earliestOf(check))]).toEqual([
			'too-soon',
			'2024-06-14 16:17'
		]);
	});

	it('accepts the earliest minute itself', () => {
		expect(checkPickupTime(at('2024-06-14T16:17'), rules)).toEqual({ ok: true });
	});

	it('refuses a time that passed while the form was filled in', () => {
		const check = checkPickupTime(at('2024-06-14T15:45'), rules);
		expect(!check.ok && check.reason).toBe('past');
	});

	it('refuses closing time and sends the customer to the next opening', () => {
		const check = checkPickupTime(at('2024-06-14T18:00'), rules);
		expect(!check.ok && [check.reason, shopTime(earliestOf(check))]).toEqual([
			'closed',
			'2024-06-15 08:00'
		]);
	});

	it("calls a time before tomorrow's opening closed, not too soon", () => {
		const check = checkPickupTime(at('2024-06-15T06:00'), rules);
		expect(!check.ok && [check.reason, shopTime(earliestOf(check))]).toEqual([
			'closed',
			'2024-06-15 08:00'
		]);
	});

	it('refuses a time beyond how far ahead the shop takes orders', () => {
		const check = checkPickupTime(at('2024-08-01T12:00'), { ...rules, maxAdvanceDays: 30 });
		expect(check).toEqual({ ok: false, reason: 'too-far', latest: at('2024-07-14T15:47') });
	});

	it('skips a closed Sunday when the lead time runs past closing', () => {
		const late = { ...rules, now: at('2024-06-15T16:45') };
		const check = checkPickupTime(at('2024-06-15T16:50'), late);
		expect(!check.ok && shopTime(earliestOf(check))).toBe('2024-06-17 07:30');
	});
});

describe('pickupSlots', () => {
	it('offers quarter hours from opening, from the earliest allowed on', () => {
		const rules = { now: at('2024-06-15T15:50'), leadMinutes: 30, hours, zone: ZONE };
		const slots = pickupSlots('2024-06-15', 15, rules).map((slot) =>
			formatShopTime(slot, ZONE, 'HH:mm')
		);
		expect(slots).toEqual(['16:30', '16:45']);
	});

	it('offers nothing on a closed day', () => {
		const rules = { now: at('2024-06-14T08:00'), leadMinutes: 30, hours, zone: ZONE };
		expect(pickupSlots('2024-06-16', 15, rules)).toEqual([]);
	});

	it('keeps slots on the wall clock across the autumn clock change', () => {
		const sunday: OpeningInterval = { weekday: 7, opensMinute: 0, closesMinute: 180 };
		const rules = { now: at('2016-10-29T12:00'), leadMinutes: 0, hours: [sunday], zone: ZONE };
		const slots = pickupSlots('2016-10-30', 60, rules).map((slot) =>
			formatShopTime(slot, ZONE, 'HH:mm')
		);
		// 01:00 happens twice that night; stepping by real hours shows both, and 03:00 is past closing.
		expect(slots).toEqual(['00:00', '01:00', '01:00', '02:00']);
	});
});
