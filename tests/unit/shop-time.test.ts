import { describe, expect, it } from 'vitest';

import { formatShopTime, parseShopTime, wallClock } from '../../src/lib/domain/shop-time';

describe('parseShopTime', () => {
	it.each([
		['2024-06-14 12:00', 'Europe/Paris', '2024-06-14T10:00:00.000Z'],
		['2024-06-14T12:00', 'Europe/Paris', '2024-06-14T10:00:00.000Z'],
		['2024-01-14T12:00:30', 'Europe/London', '2024-01-14T12:00:30.000Z'],
		['2024-06-14T12:00', 'Europe/London', '2024-06-14T11:00:00.000Z'],
		['2024-06-14T12:00:00Z', 'Europe/Paris', '2024-06-14T12:00:00.000Z'],
		['2024-06-14T12:00:00+02:00', 'Europe/London', '2024-06-14T10:00:00.000Z'],
		['2024-06-14T12:00:00.250-0500', 'Europe/London', '2024-06-14T17:00:00.000Z'],
		['2016-10-30T01:30', 'Europe/London', '2016-10-30T00:30:00.000Z']
	])('reads %s in %s as %s', (text, zone, expected) => {
		const parsed = parseShopTime(text, zone);
		expect(parsed.ok && new Date(parsed.instant).toISOString()).toBe(expected);
	});

	it('refuses a wall time the clocks skip when summer time starts', () => {
		expect(parseShopTime('2017-03-26T01:30', 'Europe/London')).toEqual({
			ok: false,
			problem: 'nonexistent'
		});
	});

	it.each([
		'tomorrow',
		'2024-06-14',
		'14/06/2024 12:00',
		'2024-02-30T12:00',
		'2024-06-14T25:00',
		''
	])('refuses %j as not a time', (text) => {
		expect(parseShopTime(text, 'Europe/London')).toEqual({ ok: false, problem: 'format' });
	});
});

describe('wall clock', () => {
	it('formats an instant on the shop clock, whatever zone the process runs in', () => {
		const instant = Date.parse('2024-06-14T10:00:00Z');
		expect(formatShopTime(instant, 'Europe/Paris', 'HH:mm')).toBe('12:00');
		expect(wallClock(instant, 'Europe/Paris')).toEqual({
			date: '2024-06-14',
			weekday: 5,
			minuteOfDay: 720
		});
	});
});
