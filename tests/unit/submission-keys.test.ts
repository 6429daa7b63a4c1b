import { describe, expect, it } from 'vitest';

import { SubmissionKeys } from '../../src/lib/client/keys';

describe('SubmissionKeys', () => {
	it('reuses the key for a retry of the same basket and makes a new one for another', () => {
		const keys = new SubmissionKeys();
		const coffee = { lines: [{ sku: 'COFFEE', quantity: 1 }] };
		const first = keys.keyFor(coffee);

		expect(keys.keyFor({ ...coffee })).toBe(first);
		expect(keys.keyFor({ lines: [{ sku: 'TEA', quantity: 1 }] })).not.toBe(first);
	});

	it('gives the next customer with the same basket a new key once an order is taken', () => {
		const keys = new SubmissionKeys();
		const coffee = { lines: [{ sku: 'COFFEE', quantity: 1 }] };
		const first = keys.keyFor(coffee);
		keys.settle();

		const second = keys.keyFor(coffee);
		expect(second).not.toBe(first);
		expect(second).toMatch(/^[0-9a-f]{32}$/);
	});
});
