import { wallClock } from '$lib/domain/shop-time';
import { listProducts } from '$lib/server/catalogue/products';
import { offeredSlots } from '$lib/server/orders/slots';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
	const rt = runtime();
	const shop = readSettings(rt.db);
	return {
		shopName: shop.shopName,
		currency: shop.currency,
		leadMinutes: shop.leadMinutes,
		products: listProducts(rt.db, wallClock(rt.now(), rt.config.shopTimeZone).date).filter(
			(product) => product.available || product.offToday
		),
		days: offeredSlots(rt, { days: 7 }).filter((day) => day.slots.length > 0)
	};
};
