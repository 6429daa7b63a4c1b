import { describe, expect, it } from 'vitest';

import { parseMoney } from '../../src/lib/domain/order';

describe('a price typed in the back office', () => {
	it.each([
		['2.40', 240],
		['1,20', 120],
		['2', 200],
		['0.5', 50],
		[' 1.15 ', 115],
		['250', 25000]
	])('reads %j as %i in minor units', (text, minor) => {
		expect(parseMoney(text)).toBe(minor);
	});

	it.each(['', '1.234', '1,234.50', '-1', '£2', 'two'])('refuses %j', (text) => {
		expect(parseMoney(text)).toBeNull();
	});
});
