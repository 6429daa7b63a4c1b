import { SCREEN_PAGES } from '$lib/server/auth/access';
import { openSessions } from '$lib/server/auth/sessions';
import { listStaff } from '$lib/server/auth/staff';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, depends }) => {
	depends('app:staff');
	const rt = runtime();
	return {
		shopName: readSettings(rt.db).shopName,
		timeZone: rt.config.shopTimeZone,
		staff: listStaff(rt.db),
		sessions: openSessions(rt.db, Date.now()).map((session) => ({
			...session,
			mine: session.id === locals.viewer?.sessionId
		})),
		screenPages: SCREEN_PAGES,
		myStaffId: locals.viewer?.staffId ?? null
	};
};
