import { json } from '@sveltejs/kit';

import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { orderId } from '$lib/server/orders/params';
import { refundOrder } from '$lib/server/orders/refund';
import { runtime } from '$lib/server/runtime';

export const POST = endpoint(async ({ params, request }) => {
	const id = orderId(params.id);
	return json(await refundOrder(runtime(), id, await readJson(request)));
});

export const fallback = methodNotAllowed('POST');
