import { describe, expect, it } from 'vitest';

import { ratingInput } from '../../src/lib/server/orders/rating';

describe('a rating as the form sends it', () => {
	it.each(['1', ' 3 ', '5', 4])('takes %j', (score) => {
		expect(ratingInput.parse({ score }).score).toBe(Number(score));
	});

	it.each(['0x3', '3e0', '3.0', '', ' ', '0', '6', 'five', null, true])(
		'refuses %j, asking for a score from 1 to 5',
		(score) => {
			const parsed = ratingInput.safeParse({ score });
			expect(parsed.success).toBe(false);
			expect(parsed.error?.issues[0]?.message).toMatch(/score from 1 to 5/);
		}
	);
});
