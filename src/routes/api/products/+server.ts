import { json } from '@sveltejs/kit';

import { wallClock } from '$lib/domain/shop-time';
import { listProducts } from '$lib/server/catalogue/products';
import { endpoint, methodNotAllowed } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => {
	const rt = runtime();
	const today = wallClock(rt.now(), rt.config.shopTimeZone).date;
	return json({ products: listProducts(rt.db, today) });
});

export const fallback = methodNotAllowed('GET');
