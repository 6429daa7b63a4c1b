import { json } from '@sveltejs/kit';

import { revokeSession } from '$lib/server/auth/sessions';
import { notFound } from '$lib/server/errors';
import { endpoint, methodNotAllowed } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

/** Revokes a session at once: its next request is signed out and its sockets are closed. */
export const DELETE = endpoint(({ params }) => {
	const rt = runtime();
	const id = params.id ?? '';
	if (!/^[0-9a-f]{64}$/.test(id) || !revokeSession(rt.db, id, Date.now())) {
		throw notFound('an open session with this id');
	}
	rt.hub.disconnectSession(id);
	return json({ revoked: id });
});

export const fallback = methodNotAllowed('DELETE');
