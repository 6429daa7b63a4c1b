import { json, type Handle, type HandleServerError, type ServerInit } from '@sveltejs/kit';

import { accessFor, allows } from '$lib/server/auth/access';
import { findViewer, SESSION_COOKIE } from '$lib/server/auth/sessions';
import { AppError } from '$lib/server/errors';
import { runtime } from '$lib/server/runtime';
import { securityHeaders } from '$lib/server/security/headers';

/** Opens the database (and loads the demo bakery) before the first request, not during it. */
export const init: ServerInit = async () => {
	await runtime().ready;
};

function answer(error: AppError): Response {
	const headers: Record<string, string> = {};
	const retry = error.details.retryAfterSeconds;
	if (typeof retry === 'number') headers['retry-after'] = String(retry);
	return json(error.toJSON(), { status: error.status, headers });
}

/** A metrics scraper may use a bearer token instead of a session. */
function isMetricsScrape(request: Request, pathname: string, token: string | undefined): boolean {
	return (
		token !== undefined &&
		pathname === '/metrics' &&
		request.headers.get('authorization') === `Bearer ${token}`
	);
}

/**
 * Every request: who it comes from (the session cookie), whether they may open this path, the
 * public limits, and the security headers on the way out. Pages answer a missing session with a
 * trip to the sign-in page; the API answers in its own JSON shape.
 */
export const handle: Handle = async ({ event, resolve }) => {
	const rt = runtime();
	const response = await decide(event, resolve, rt);
	const https = rt.config.origin.startsWith('https:');
	try {
		for (const [name, value] of Object.entries(securityHeaders(https))) {
			if (!response.headers.has(name)) response.headers.set(name, value);
		}
		if (event.locals.viewer && !event.url.pathname.startsWith('/api/')) {
			response.headers.set('cache-control', 'private, no-store');
		}
	} catch {
		// A response passed through from fetch has immutable headers; it is sent as it came.
	}
	return response;
};

async function decide(
	event: Parameters<Handle>[0]['event'],
	resolve: Parameters<Handle>[0]['resolve'],
	rt: ReturnType<typeof runtime>
): Promise<Response> {
	const { pathname } = event.url;
	const { method } = event.request;
	const isApi = pathname.startsWith('/api/') || pathname === '/metrics';

	const viewer = findViewer(rt.db, event.cookies.get(SESSION_COOKIE), Date.now());
	event.locals.viewer = viewer;

	// Cookies go with cross-site requests too; a write from another site's page is refused.
	const origin = event.request.headers.get('origin');
	const crossSite =
		(origin !== null && origin !== event.url.origin) ||
		event.request.headers.get('sec-fetch-site') === 'cross-site';
	if (isApi && !['GET', 'HEAD', 'OPTIONS'].includes(method) && crossSite) {
		return answer(
			new AppError(
				403,
				'cross_site',
				`Origin: ${origin ?? 'another site'} is not this shop; send requests from ${event.url.origin}`
			)
		);
	}

	// A path no route serves is a 404 for everyone; asking to sign in first would mislead.
	const unrouted = event.route.id === null || event.route.id === '/api/[...rest]';
	const needed = unrouted ? 'public' : accessFor(method, pathname);
	if (
		!allows(viewer?.role ?? null, needed) &&
		!isMetricsScrape(event.request, pathname, rt.config.metricsToken)
	) {
		if (isApi) {
			const error = viewer
				? new AppError(403, 'forbidden', `${pathname}: needs a manager; sign in as one`)
				: new AppError(
						401,
						'unauthenticated',
						`${pathname}: needs a staff sign-in; sign in at /signin`
					);
			return answer(error);
		}
		if (viewer) {
			return new Response('This page is for managers. Sign in as a manager to open it.', {
				status: 403,
				headers: { 'content-type': 'text/plain; charset=utf-8' }
			});
		}
		const next = encodeURIComponent(pathname + event.url.search);
		return new Response(null, { status: 303, headers: { location: `/signin?next=${next}` } });
	}

	// A signed-in browser is never limited; the public is, per address. A form post to a page is
	// limited by its action, which can answer in the form's own shape.
	const limited =
		viewer || (!isApi && method !== 'GET')
			? null
			: await rt.limiter.check(method, pathname, event.getClientAddress());
	if (limited) {
		const message = `too many ${limited.what} from this address; try again in ${limited.retryAfterSeconds} s`;
		if (isApi) {
			return answer(
				new AppError(429, 'rate_limited', message, {
					retryAfterSeconds: limited.retryAfterSeconds
				})
			);
		}
		return new Response(`${message}.`, {
			status: 429,
			headers: {
				'content-type': 'text/plain; charset=utf-8',
				'retry-after': String(limited.retryAfterSeconds)
			}
		});
	}

	return resolve(event);
}

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	// A client's mistake (an unknown page, a malformed link, a form sent as JSON) is answered with
	// SvelteKit's own message and needs no one's attention in the error log.
	if (status < 500) return { message };
	runtime().log.error({ err: error, path: event.url.pathname, status }, 'page failed');
	return { message: 'The page failed to load; the error is logged. Try again in a moment.' };
};
