import { json } from '@sveltejs/kit';

import { markOffToday } from '$lib/server/backoffice/catalogue';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

/** `{ sku, off: true }` takes a product off the menu for the rest of today; `off: false` undoes it. */
export const POST = endpoint(async ({ request }) =>
	json(markOffToday(runtime(), await readJson(request)))
);

export const fallback = methodNotAllowed('POST');
