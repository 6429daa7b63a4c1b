import { json } from '@sveltejs/kit';

import { addStaff, listStaff } from '$lib/server/auth/staff';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(() => json({ staff: listStaff(runtime().db) }));

/** Adds someone: `{ name, role, password?, pin? }`; a manager needs a password. */
export const POST = endpoint(async ({ request }) => {
	const rt = runtime();
	const member = await addStaff(rt.db, Date.now(), await readJson(request));
	return json(member, { status: 201 });
});

export const fallback = methodNotAllowed('GET', 'POST');
