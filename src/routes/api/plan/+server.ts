import { json } from '@sveltejs/kit';

import { endpoint, methodNotAllowed } from '$lib/server/http';
import { planView } from '$lib/server/production/plan-view';
import { runtime } from '$lib/server/runtime';

/** The current oven plan: loads with their trays and the orders each tray feeds. */
export const GET = endpoint(() => {
	const rt = runtime();
	return json(planView(rt.db, rt.config.shopTimeZone));
});

export const fallback = methodNotAllowed('GET');
