import { json } from '@sveltejs/kit';

import { headSeq } from '$lib/server/events/log';
import { runtime } from '$lib/server/runtime';

import type { RequestHandler } from './$types';

export const GET: RequestHandler = () => {
	const rt = runtime();
	let database = 'ok';
	let head = 0;
	try {
		head = headSeq(rt.db);
	} catch (error) {
		rt.log.error({ err: error }, 'health check could not read the database');
		database = 'failing';
	}
	// Without Redis this process still serves its own screens, so it stays in the balancer's
	// pool (200) and says it is degraded; without its database it can serve nothing (503).
	const redis = rt.hub.redis;
	const body = {
		status: database === 'ok' && redis !== 'down' ? 'ok' : 'degraded',
		runtimeId: rt.id,
		uptimeSeconds: Math.round((rt.now() - rt.startedAt) / 1000),
		database,
		eventHead: head,
		realtime: rt.hub.io ? 'attached' : 'not attached',
		redis
	};
	return json(body, { status: database === 'ok' ? 200 : 503 });
};
