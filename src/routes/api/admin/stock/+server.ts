import { json } from '@sveltejs/kit';

import { adjustStock, stockLevels } from '$lib/server/backoffice/stock';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => json(stockLevels(runtime().db)));

/** A delivery, waste or recount: `{ kind, code, reason, amount, note? }`. */
export const POST = endpoint(async ({ request }) =>
	json(adjustStock(runtime(), await readJson(request)), { status: 201 })
);

export const fallback = methodNotAllowed('GET', 'POST');
