import { json } from '@sveltejs/kit';

import { openSessions } from '$lib/server/auth/sessions';
import { endpoint, methodNotAllowed } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

/** People signed in and paired screens, newest first; `id` is what DELETE takes. */
export const GET = endpoint(() => {
	const rt = runtime();
	return json({ sessions: openSessions(rt.db, Date.now()) });
});

export const fallback = methodNotAllowed('GET');
