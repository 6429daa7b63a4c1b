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
	const recent = recentDates(rt.db);
	// An empty date field, as a cleared picker submits it, means the latest day with figures:
	// today once an order of today is ready, else the last day that had orders.
	const asked = url.searchParams.get('date');
	if (asked && !isShopDate(asked)) {
		error(400, `date: ${JSON.stringify(asked)} is not a date; use yyyy-MM-dd, such as ${today}`);
	}
	let report = dayReport(rt.db, { date: asked || today, zone });
	if (!asked && report.summary.fulfillmentMinutes === null) {
		const last = recent.find((day) => day.date < today);
		if (last) report = dayReport(rt.db, { date: last.date, zone });
	}

	return {
		shopName: readSettings(rt.db).shopName,
		timeZone: zone,
		today,
		report,
		recent
	};
};
