import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { ORDER_STATUSES } from '$lib/domain/order';
import { AppError, invalid } from '$lib/server/errors';
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

export const POST = endpoint(async ({ request, locals }) => {
	const body = await readJson(request);
	// The public places online orders; the counter, platforms and replays are staff's.
	const channel = (body as { channel?: unknown } | null)?.channel;
	if (!locals.viewer && channel !== undefined && channel !== 'online') {
		throw new AppError(
			403,
			'forbidden',
			`channel: ${String(channel)} orders need a staff sign-in; the public orders online`,
			{
				problems: [{ field: 'channel', message: 'needs a staff sign-in unless it is online' }]
			}
		);
	}
	const result = await takeOrder(runtime(), body, {
		idempotencyKey: request.headers.get('idempotency-key')
	});
	return json(result.order, { status: result.created ? 201 : 200 });
});

export const fallback = methodNotAllowed('GET', 'POST');
