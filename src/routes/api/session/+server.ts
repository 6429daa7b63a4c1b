import { json } from '@sveltejs/kit';

import { limitedAttempt } from '$lib/server/auth/attempts';
import { clearSessionCookie, setSessionCookie } from '$lib/server/auth/cookie';
import { revokeSession } from '$lib/server/auth/sessions';
import { signIn } from '$lib/server/auth/staff';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

/** Who this browser is signed in as, or null. */
export const GET = endpoint(({ locals }) => json({ viewer: viewerView(locals.viewer) }));

/** Signs in with `{ name, secret }` (a password or PIN); the session travels in a cookie. */
export const POST = endpoint(async ({ request, cookies, getClientAddress }) => {
	const rt = runtime();
	const body = await readJson(request);
	const name = (body as { name?: unknown } | null)?.name;
	const { token, viewer } = await limitedAttempt(
		rt,
		{ address: getClientAddress(), name: typeof name === 'string' ? name : null },
		() => signIn(rt.db, Date.now(), body)
	);
	setSessionCookie(cookies, token, viewer.kind, rt.config.origin);
	rt.log.info({ who: viewer.label, role: viewer.role }, 'signed in');
	return json({ viewer: viewerView(viewer) }, { status: 201 });
});

/** Signs this browser out and ends its session on the server, sockets included. */
export const DELETE = endpoint(({ locals, cookies }) => {
	const rt = runtime();
	if (locals.viewer) {
		revokeSession(rt.db, locals.viewer.sessionId, Date.now());
		rt.hub.disconnectSession(locals.viewer.sessionId);
	}
	clearSessionCookie(cookies, rt.config.origin);
	return json({ viewer: null });
});

function viewerView(viewer: App.Locals['viewer']) {
	return viewer ? { name: viewer.label, role: viewer.role, kind: viewer.kind } : null;
}

export const fallback = methodNotAllowed('GET', 'POST', 'DELETE');
