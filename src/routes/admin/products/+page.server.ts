import { adminProducts, listIngredients } from '$lib/server/backoffice/catalogue';
import { runtime } from '$lib/server/runtime';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ depends }) => {
	depends('app:catalogue');
	const rt = runtime();
	return {
		products: adminProducts(rt.db, rt.now(), rt.config.shopTimeZone),
		ingredients: listIngredients(rt.db).map(({ code, name, unit }) => ({ code, name, unit }))
	};
};
