import { json } from '@sveltejs/kit';

import { invalid, notFound } from '$lib/server/errors';
import { endpoint, methodNotAllowed } from '$lib/server/http';
import { retryDelivery } from '$lib/server/platforms/inbox';
import { runtime } from '$lib/server/runtime';

/** Tries a failed platform delivery again, after its cause has been fixed. */
export const POST = endpoint(({ params }) => {
	const rt = runtime();
	if (!/^[1-9]\d{0,14}$/.test(params.id ?? '')) {
		throw invalid([
			{ field: 'id', message: `${JSON.stringify(params.id)} is not an inbox row id` }
		]);
	}
	const id = Number(params.id);
	if (!retryDelivery(rt.db, id, rt.now())) throw notFound(`failed platform delivery ${id}`);
	rt.background.kickInbox();
	return json({ retrying: true });
});

export const fallback = methodNotAllowed('POST');
