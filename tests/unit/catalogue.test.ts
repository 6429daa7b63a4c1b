import { describe, expect, it } from 'vitest';

import { catalogueProblems } from '../../src/lib/server/catalogue/validate';

const deck = { name: 'Deck', capacityTrays: 6, minTempC: 180, maxTempC: 280 };
const croissant = {
	sku: 'CROISSANT',
	baked: true,
	unitsPerTray: 12,
	bakeMinutes: 18,
	bakeTempC: 190
};

describe('catalogueProblems', () => {
	it('finds nothing wrong with a bakery that can be planned', () => {
		expect(
			catalogueProblems([croissant, { sku: 'COFFEE', baked: false }], [deck], [1, 2, 3])
		).toEqual([]);
	});

	it('names each setting that would make a plan impossible', () => {
		const problems = catalogueProblems(
			[
				{ ...croissant, sku: 'PIZZA', bakeTempC: 320 },
				{ ...croissant, sku: 'EMPTY', unitsPerTray: 0 }
			],
			[deck, { name: 'Broken', capacityTrays: 0, minTempC: 200, maxTempC: 100 }],
			[]
		);
		expect(problems).toEqual([
			'oven Broken: capacity must be at least 1 tray',
			'oven Broken: lowest temperature 200°C is above its highest 100°C',
			'product PIZZA: no oven reaches 320°C (Deck 180-280°C, Broken 200-100°C); change its temperature or add an oven',
			'product EMPTY: units per tray must be at least 1',
			'bakehouse hours: none on any day, so nothing can be baked; add the hours the ovens run'
		]);
	});
});
