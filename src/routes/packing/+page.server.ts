import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
	const rt = runtime();
	return {
		shopName: readSettings(rt.db).shopName,
		timeZone: rt.config.shopTimeZone,
		...rt.hub.snapshot()
	};
};
