import { json } from '@sveltejs/kit';

import { adminProducts, saveProduct } from '$lib/server/backoffice/catalogue';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => {
	const rt = runtime();
	return json({ products: adminProducts(rt.db, rt.now(), rt.config.shopTimeZone) });
});

/** Adds or changes a product by its SKU; a `recipe` list replaces its recipe. */
export const POST = endpoint(async ({ request }) => {
	const result = saveProduct(runtime(), await readJson(request));
	return json(result, { status: result.outcome === 'added' ? 201 : 200 });
});

export const fallback = methodNotAllowed('GET', 'POST');
