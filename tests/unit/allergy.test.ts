import { describe, expect, it } from 'vitest';

import { isAllergyNote } from '../../src/lib/domain/allergy';

describe('isAllergyNote', () => {
	it.each([
		'no nuts',
		'NUT FREE',
		'severe peanut allergy',
		'gluten-free please',
		'coeliac',
		'vegan'
	])('flags %j', (text) => expect(isAllergyNote(text)).toBe(true));

	it.each(['ready in 5 minutes please', 'well done', 'Happy birthday Lea', 'extra rosemary'])(
		'leaves %j alone',
		(text) => expect(isAllergyNote(text)).toBe(false)
	);
});
