import { json } from '@sveltejs/kit';

import { endpoint, methodNotAllowed } from '$lib/server/http';
import { procurementList } from '$lib/server/production/procurement';
import { runtime } from '$lib/server/runtime';

/** What to buy: every ingredient open orders are short of, per day it must arrive. */
export const GET = endpoint(() => {
	const rt = runtime();
	return json({ items: procurementList(rt.db, rt.config.shopTimeZone) });
});

export const fallback = methodNotAllowed('GET');
