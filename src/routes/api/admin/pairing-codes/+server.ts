import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { SCREEN_PAGES } from '$lib/server/auth/access';
import { issuePairingCode } from '$lib/server/auth/sessions';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

const body = z
	.object({
		label: z
			.string({ error: 'is missing; name the screen, such as Oven wall' })
			.trim()
			.min(1, 'is empty; name the screen, such as Oven wall')
			.max(40, 'is longer than 40 characters'),
		landing: z.enum(SCREEN_PAGES, { error: `use one of ${SCREEN_PAGES.join(', ')}` })
	})
	.strict();

/** A one-time code (valid 15 minutes) to type on the wall screen's /pair page. */
export const POST = endpoint(async ({ request, locals }) => {
	const parsed = body.safeParse(await readJson(request));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const rt = runtime();
	const issued = issuePairingCode(rt.db, Date.now(), {
		...parsed.data,
		createdBy: locals.viewer?.staffId ?? null
	});
	return json(
		{ ...issued, label: parsed.data.label, landing: parsed.data.landing },
		{ status: 201 }
	);
});

export const fallback = methodNotAllowed('POST');
