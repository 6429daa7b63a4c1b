import { listIngredients } from '$lib/server/backoffice/catalogue';
import { stockLevels } from '$lib/server/backoffice/stock';
import { runtime } from '$lib/server/runtime';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ depends }) => {
	depends('app:stock');
	const db = runtime().db;
	return { ingredients: listIngredients(db), stock: stockLevels(db) };
};
