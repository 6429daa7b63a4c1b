import type { HandleServerError, ServerInit } from '@sveltejs/kit';

import { runtime } from '$lib/server/runtime';

/** Opens the database (and loads the demo bakery) before the first request, not during it. */
export const init: ServerInit = () => {
	runtime();
};

export const handleError: HandleServerError = ({ error, event, status, message }) => {
	// A client's mistake (an unknown page, a malformed link, a form sent as JSON) is answered with
	// SvelteKit's own message and needs no one's attention in the error log.
	if (status < 500) return { message };
	runtime().log.error({ err: error, path: event.url.pathname, status }, 'page failed');
	return { message: 'The page failed to load; the error is logged. Try again in a moment.' };
};
