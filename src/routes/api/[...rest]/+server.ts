import { json, type RequestHandler } from '@sveltejs/kit';

/** Any path under /api that is not an endpoint: a JSON 404, not the HTML error page. */
export const fallback: RequestHandler = ({ url }) =>
	json(
		{
			error: {
				code: 'not_found',
				message: `${url.pathname} is not an endpoint; the README lists the API`,
				problems: [{ field: 'path', message: 'is not an endpoint' }]
			}
		},
		{ status: 404 }
	);
