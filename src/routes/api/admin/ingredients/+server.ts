import { json } from '@sveltejs/kit';

import { listIngredients, saveIngredient } from '$lib/server/backoffice/catalogue';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => json({ ingredients: listIngredients(runtime().db) }));

/** Adds or changes an ingredient by its code, with its supplier and lead days. */
export const POST = endpoint(async ({ request }) => {
	const result = saveIngredient(runtime(), await readJson(request));
	return json(result, { status: result.outcome === 'added' ? 201 : 200 });
});

export const fallback = methodNotAllowed('GET', 'POST');
