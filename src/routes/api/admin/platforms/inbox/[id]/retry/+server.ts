import { json } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';

import { platformInbox } from '$lib/server/db/schema';
import { conflict, invalid, notFound } from '$lib/server/errors';
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
	if (!retryDelivery(rt.db, id, rt.now())) {
		const row = rt.db
			.select({ state: platformInbox.state })
			.from(platformInbox)
			.where(eq(platformInbox.id, id))
			.get();
		if (!row) throw notFound(`platform delivery ${id}`);
		throw conflict(
			`platform delivery ${id} is ${row.state}, not failed; only a failed one is tried again`
		);
	}
	rt.background.kickInbox();
	return json({ retrying: true });
});

export const fallback = methodNotAllowed('POST');
