import { json } from '@sveltejs/kit';

import { invalid, notFound } from '$lib/server/errors';
import { endpoint, methodNotAllowed } from '$lib/server/http';
import { settleDelivery } from '$lib/server/platforms/inbox';
import { runtime } from '$lib/server/runtime';

/**
 * Marks a platform problem as dealt with by a person (the customer was called, the order made
 * by hand): a delivery that could not be taken, or a change that was not followed. Its alert
 * goes from every staff screen; the row keeps what was wrong.
 */
export const POST = endpoint(({ params, locals }) => {
	const rt = runtime();
	if (!/^[1-9]\d{0,14}$/.test(params.id ?? '')) {
		throw invalid([
			{ field: 'id', message: `${JSON.stringify(params.id)} is not an inbox row id` }
		]);
	}
	const id = Number(params.id);
	const by = locals.viewer?.label ?? 'a manager';
	if (!settleDelivery(rt.db, id, by, rt.now())) {
		throw notFound(`platform delivery ${id} with a problem to settle`);
	}
	return json({ settled: true });
});

export const fallback = methodNotAllowed('POST');
