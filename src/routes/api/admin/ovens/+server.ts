import { json } from '@sveltejs/kit';

import { listOvens, saveOven } from '$lib/server/backoffice/catalogue';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => json({ ovens: listOvens(runtime().db) }));

/** Adds or changes an oven by its name. */
export const POST = endpoint(async ({ request }) => {
	const result = saveOven(runtime(), await readJson(request));
	return json(result, { status: result.outcome === 'added' ? 201 : 200 });
});

export const fallback = methodNotAllowed('GET', 'POST');
