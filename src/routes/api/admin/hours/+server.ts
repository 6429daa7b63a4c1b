import { json } from '@sveltejs/kit';

import { readHours, saveHours } from '$lib/server/backoffice/catalogue';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => json(readHours(runtime().db)));

/** Replaces the week's shop and bakehouse hours: `{ shop: [...], bakehouse: [...] }`. */
export const PUT = endpoint(async ({ request }) =>
	json(saveHours(runtime(), await readJson(request)))
);

export const fallback = methodNotAllowed('GET', 'PUT');
