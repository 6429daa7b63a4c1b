import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

const query = z.object({
	since: z
		.string({ error: 'is required: the last sequence number the screen applied, 0 for none' })
		.regex(/^\d{1,15}$/, 'must be a whole number, the last sequence number the screen applied')
		.transform(Number)
});

/** The events after `since`, or a snapshot when too many were missed (same answer as `sync`). */
export const GET = endpoint(({ url }) => {
	const parsed = query.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	return json(runtime().hub.sync(parsed.data.since));
});

export const fallback = methodNotAllowed('GET');
