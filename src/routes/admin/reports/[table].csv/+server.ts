import { z } from 'zod';

import { isShopDate, wallClock } from '$lib/domain/shop-time';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf } from '$lib/server/http';
import { csvFileName, REPORT_TABLES, reportCsv } from '$lib/server/reports/csv';
import { dayReport } from '$lib/server/reports/metrics';
import { runtime } from '$lib/server/runtime';

const exportRequest = z.object({
	table: z.enum(REPORT_TABLES, {
		error: (issue) =>
			`${JSON.stringify(issue.input)} is not a report; use ${REPORT_TABLES.map((table) => `${table}.csv`).join(', ')}`
	}),
	date: z
		.string()
		.refine(isShopDate, {
			error: (issue) =>
				`${JSON.stringify(issue.input)} is not a date; use yyyy-MM-dd, such as 2024-06-13`
		})
		.optional()
});

/** One table of a day's report as a CSV download; the day defaults to today on the shop clock. */
export const GET = endpoint(({ params, url }) => {
	const parsed = exportRequest.safeParse({
		table: params.table,
		date: url.searchParams.get('date') ?? undefined
	});
	if (!parsed.success) throw invalid(problemsOf(parsed.error));

	const rt = runtime();
	const zone = rt.config.shopTimeZone;
	const { table, date = wallClock(rt.now(), zone).date } = parsed.data;
	const csv = reportCsv(dayReport(rt.db, { date, zone }), table);

	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${csvFileName(table, date)}"`
		}
	});
});

export const fallback = methodNotAllowed('GET');
