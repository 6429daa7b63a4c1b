import { adminProducts, listIngredients } from '$lib/server/backoffice/catalogue';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ depends }) => {
	depends('app:catalogue');
	const rt = runtime();
	return {
		products: adminProducts(rt.db, rt.now(), rt.config.shopTimeZone),
		/** Prices are typed in it, in its main unit (2.40), and sent in minor units (240). */
		currency: readSettings(rt.db).currency,
		ingredients: listIngredients(rt.db).map(({ code, name, unit }) => ({ code, name, unit }))
	};
};
