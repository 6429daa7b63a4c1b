import { json } from '@sveltejs/kit';

import { endpoint, methodNotAllowed } from '$lib/server/http';
import { openApiDocument } from '$lib/server/openapi';

export const GET = endpoint(({ url }) => json(openApiDocument(url.origin)));

export const fallback = methodNotAllowed('GET');
