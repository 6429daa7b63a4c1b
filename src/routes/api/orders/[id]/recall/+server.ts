import { json } from '@sveltejs/kit';

import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { recallOrder } from '$lib/server/orders/packing';
import { orderId } from '$lib/server/orders/params';
import { runtime } from '$lib/server/runtime';

export const POST = endpoint(async ({ params, request }) => {
	const id = orderId(params.id);
	return json(recallOrder(runtime(), id, await readJson(request)));
});

export const fallback = methodNotAllowed('POST');
