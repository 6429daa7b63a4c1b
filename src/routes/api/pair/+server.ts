import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { limitedAttempt } from '$lib/server/auth/attempts';
import { setSessionCookie } from '$lib/server/auth/cookie';
import { pairScreen } from '$lib/server/auth/sessions';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

const body = z
	.object({
		code: z
			.string({ error: 'is missing; type the code the back office shows' })
			.min(1, 'is empty; type the code the back office shows')
			.max(20, 'is longer than a pairing code')
	})
	.strict();

/** Pairs this browser as a wall screen with a one-time code; it then stays signed in. */
export const POST = endpoint(async ({ request, cookies, getClientAddress }) => {
	const parsed = body.safeParse(await readJson(request));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const rt = runtime();
	const paired = await limitedAttempt(rt, { address: getClientAddress(), name: null }, () =>
		pairScreen(rt.db, Date.now(), parsed.data.code)
	);
	setSessionCookie(cookies, paired.token, 'screen', rt.config.origin);
	rt.log.info({ screen: paired.viewer.label }, 'wall screen paired');
	return json({ screen: paired.viewer.label, landing: paired.landing }, { status: 201 });
});

export const fallback = methodNotAllowed('POST');
