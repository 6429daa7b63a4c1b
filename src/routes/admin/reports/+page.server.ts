import { error } from '@sveltejs/kit';

import { isShopDate, wallClock } from '$lib/domain/shop-time';
import { dayReport, recentDates } from '$lib/server/reports/metrics';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => {
	const rt = runtime();
	const zone = rt.config.shopTimeZone;
	const today = wallClock(rt.now(), zone).date;
	// An empty date field, as a cleared picker submits it, means today.
	const date = url.searchParams.get('date') || today;
	if (!isShopDate(date)) {
		error(400, `date: ${JSON.stringify(date)} is not a date; use yyyy-MM-dd, such as ${today}`);
	}

	return {
		shopName: readSettings(rt.db).shopName,
		timeZone: zone,
		today,
		report: dayReport(rt.db, { date, zone }),
		recent: recentDates(rt.db)
	};
};
