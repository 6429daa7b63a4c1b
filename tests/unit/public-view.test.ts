import { describe, expect, it } from 'vitest';

import { displayName } from '../../src/lib/server/realtime/public-view';

describe('displayName', () => {
	it.each([
		['Lea Martin', 'Lea M.'],
		['Martin, Lea', 'Lea M.'],
		['Ana María de la Cruz', 'Ana C.'],
		['  lea   martin ', 'lea M.'],
		['Cher', 'Cher'],
		['lea.martin@example.com', 'Guest'],
		['+44 7700 900999', 'Guest'],
		['Lea Martin 07700900999', 'Lea M.'],
		['Lea lea@example.com', 'Lea']
	])('shows %j as %j on the board', (full, shown) => {
		expect(displayName(full)).toBe(shown);
	});
});
