import { json } from '@sveltejs/kit';

import { notFound } from '$lib/server/errors';
import { endpoint, methodNotAllowed } from '$lib/server/http';
import { findOrder } from '$lib/server/orders/queries';
import { runtime } from '$lib/server/runtime';
import { orderId } from '$lib/server/orders/params';

export const GET = endpoint(({ params }) => {
	const rt = runtime();
	const id = orderId(params.id);
	const order = findOrder(rt.db, id, rt.config.shopTimeZone);
	if (!order) throw notFound(`order ${id}`);
	return json(order);
});

export const fallback = methodNotAllowed('GET');
