import { json } from '@sveltejs/kit';

import { isShopDate } from '$lib/domain/shop-time';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed } from '$lib/server/http';
import { dayReport } from '$lib/server/reports/metrics';
import { runtime } from '$lib/server/runtime';

/** One shop day's figures as the reports page shows them, for scripts and replays. */
export const GET = endpoint(({ params }) => {
	if (!isShopDate(params.date ?? '')) {
		throw invalid([
			{ field: 'date', message: `${JSON.stringify(params.date)} is not a date; use yyyy-MM-dd` }
		]);
	}
	const rt = runtime();
	return json(dayReport(rt.db, { date: params.date!, zone: rt.config.shopTimeZone }));
});

export const fallback = methodNotAllowed('GET');
