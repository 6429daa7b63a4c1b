import { json } from '@sveltejs/kit';

import { changeStaff } from '$lib/server/auth/staff';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

/** Changes a role, password or PIN, or takes someone off (`active: false`); signs them out. */
export const PATCH = endpoint(async ({ params, request }) => {
	const rt = runtime();
	const { member, revoked } = await changeStaff(
		rt.db,
		Date.now(),
		staffId(params.id ?? ''),
		await readJson(request)
	);
	for (const sessionId of revoked) rt.hub.disconnectSession(sessionId);
	return json(member);
});

function staffId(raw: string): number {
	if (!/^[1-9]\d{0,9}$/.test(raw)) {
		throw invalid([
			{
				field: 'id',
				message: `${JSON.stringify(raw)} is not a staff id; use one from GET /api/admin/staff`
			}
		]);
	}
	return Number(raw);
}

export const fallback = methodNotAllowed('PATCH');
