import { CSV_KINDS, exportCsv, type CsvKind } from '$lib/server/backoffice/csv';
import { notFound } from '$lib/server/errors';
import { endpoint, methodNotAllowed } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

export const GET = endpoint(({ params }) => {
	if (!(CSV_KINDS as readonly string[]).includes(params.kind ?? '')) {
		throw notFound(`CSV ${params.kind} (use ${CSV_KINDS.join(', ')})`, 'kind');
	}
	const rt = runtime();
	const text = exportCsv(rt.db, params.kind as CsvKind, rt.now(), rt.config.shopTimeZone);
	return new Response(text, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${params.kind}.csv"`
		}
	});
});

export const fallback = methodNotAllowed('GET');
