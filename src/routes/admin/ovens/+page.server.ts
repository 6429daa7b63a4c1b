import { listOvens, readHours } from '$lib/server/backoffice/catalogue';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ depends }) => {
	depends('app:ovens');
	const rt = runtime();
	return {
		ovens: listOvens(rt.db),
		hours: readHours(rt.db),
		settings: readSettings(rt.db),
		timeZone: rt.config.shopTimeZone
	};
};
