import { json } from '@sveltejs/kit';

import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { cancelOrder } from '$lib/server/orders/cancel';
import { orderId } from '$lib/server/orders/params';
import { runtime } from '$lib/server/runtime';

export const POST = endpoint(async ({ params, request }) => {
	const id = orderId(params.id);
	const body = await readJson(request, { emptyAs: {} });
	return json(cancelOrder(runtime(), id, body).order);
});

export const fallback = methodNotAllowed('POST');
