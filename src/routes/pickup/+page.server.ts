import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

/** The public pickup board: order numbers and first names with an initial, nothing more. */
export const load: PageServerLoad = () => {
	const rt = runtime();
	const { tickets, today } = rt.hub.board();
	return { shopName: readSettings(rt.db).shopName, tickets, today };
};
