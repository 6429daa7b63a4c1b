import { json } from '@sveltejs/kit';

import { endpoint, methodNotAllowed } from '$lib/server/http';
import { staffAlerts } from '$lib/server/production/alerts';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => {
	const rt = runtime();
	return json({ alerts: staffAlerts(rt.db, rt.now(), rt.config.shopTimeZone) });
});

export const fallback = methodNotAllowed('GET');
