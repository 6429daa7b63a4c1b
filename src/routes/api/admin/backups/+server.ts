import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { listBackups } from '$lib/server/db/backup';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

/** The backups on disk, newest first, with the schedule that makes them. */
export const GET = endpoint(() => {
	const { dir, everyMinutes, keep } = runtime().backups.settings;
	return json({ dir, everyMinutes, keep, backups: listBackups(dir) });
});

const request = z.strictObject({});

/** Backs the database up now; answered once the copy is checked and in place. */
export const POST = endpoint(async ({ request: incoming }) => {
	const parsed = request.safeParse(await readJson(incoming, { emptyAs: {} }));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const backup = await runtime().backups.now();
	return json(backup, { status: 201 });
});

export const fallback = methodNotAllowed('GET', 'POST');
