import { json } from '@sveltejs/kit';

import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { cancelOrder } from '$lib/server/orders/cancel';
import { orderId } from '$lib/server/orders/params';
import { findOrder } from '$lib/server/orders/queries';
import { releaseHold } from '$lib/server/orders/refund';
import { runtime } from '$lib/server/runtime';

export const POST = endpoint(async ({ params, request, locals }) => {
	const id = orderId(params.id);
	const body = await readJson(request, { emptyAs: {} });
	const rt = runtime();
	const result = cancelOrder(rt, id, body, locals.viewer?.label);
	if (result.changed) await releaseHold(rt, id);
	return json(findOrder(rt.db, id, rt.config.shopTimeZone) ?? result.order);
});

export const fallback = methodNotAllowed('POST');
