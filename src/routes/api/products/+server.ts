import { json } from '@sveltejs/kit';

import { listProducts } from '$lib/server/catalogue/products';
import { endpoint } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => json({ products: listProducts(runtime().db) }));
