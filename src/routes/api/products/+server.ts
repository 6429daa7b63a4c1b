import { json } from '@sveltejs/kit';

import { listProducts } from '$lib/server/catalogue/products';
import { endpoint, methodNotAllowed } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => json({ products: listProducts(runtime().db) }));

export const fallback = methodNotAllowed('GET');
