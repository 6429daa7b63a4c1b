import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { ClockError } from '$lib/server/clock';
import { AppError, invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

const move = z.object({
	at: z.iso.datetime({
		offset: true,
		error: 'use an ISO-8601 instant such as 2017-02-04T09:30:00Z'
	})
});

function clockView() {
	const { clock } = runtime();
	const now = clock.now();
	return {
		now: new Date(now).toISOString(),
		nowMs: now,
		speed: clock.speed,
		simulated: clock.simulated
	};
}

/** The server's time: screens and replays read it, so a simulated day looks the same everywhere. */
export const GET = endpoint(() => json(clockView()));

/** Moves a simulated clock forward (a replay at full speed); the real clock refuses. */
export const POST = endpoint(async ({ request }) => {
	const parsed = move.safeParse(await readJson(request));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	try {
		runtime().clock.advanceTo(Date.parse(parsed.data.at));
	} catch (error) {
		if (!(error instanceof ClockError)) throw error;
		throw new AppError(409, 'clock', `at: ${error.message}`, {
			problems: [{ field: 'at', message: error.message }]
		});
	}
	runtime().background.kick();
	return json(clockView());
});

export const fallback = methodNotAllowed('GET', 'POST');
