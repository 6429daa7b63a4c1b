import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { ORDER_STATUSES } from '$lib/domain/order';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf, readJson } from '$lib/server/http';
import { takeOrder } from '$lib/server/orders/pay-ahead';
import { listOrders } from '$lib/server/orders/queries';
import { runtime } from '$lib/server/runtime';

const listQuery = z.object({
	status: z
		.string()
		.transform((value) => value.split(',').map((status) => status.trim()))
		.pipe(
			z.array(
				z.enum(ORDER_STATUSES, {
					error: `use one or more of ${ORDER_STATUSES.join(', ')}, comma separated`
				})
			)
		)
		.optional(),
	limit: z.coerce
		.number({ error: 'must be a number' })
		.int('must be a whole number')
		.min(1, 'must be at least 1')
		.max(2000, 'must be at most 2000')
		.default(500)
});

export const GET = endpoint(({ url }) => {
	const parsed = listQuery.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const rt = runtime();
	const orders = listOrders(
		rt.db,
		{ statuses: parsed.data.status, limit: parsed.data.limit },
		rt.config.shopTimeZone
	);
	return json({ orders });
});

export const POST = endpoint(async ({ request }) => {
	const body = await readJson(request);
	const result = await takeOrder(runtime(), body, {
		idempotencyKey: request.headers.get('idempotency-key')
	});
	return json(result.order, { status: result.created ? 201 : 200 });
});

export const fallback = methodNotAllowed('GET', 'POST');
