import { json } from '@sveltejs/kit';

import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { completeOrder } from '$lib/server/orders/complete';
import { orderId } from '$lib/server/orders/params';
import { runtime } from '$lib/server/runtime';

export const POST = endpoint(async ({ params, request }) => {
	const id = orderId(params.id);
	const body = await readJson(request, { emptyAs: {} });
	return json(await completeOrder(runtime(), id, body));
});

export const fallback = methodNotAllowed('POST');
