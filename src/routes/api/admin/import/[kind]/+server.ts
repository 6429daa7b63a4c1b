import { json } from '@sveltejs/kit';

import { CSV_KINDS, importCsv, type CsvKind } from '$lib/server/backoffice/csv';
import { notFound } from '$lib/server/errors';
import { endpoint, methodNotAllowed, readText } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';

function csvKind(kind: string): CsvKind {
	if (!(CSV_KINDS as readonly string[]).includes(kind)) {
		throw notFound(`CSV ${kind} (use ${CSV_KINDS.join(', ')})`, 'kind');
	}
	return kind as CsvKind;
}

/**
 * The body is the CSV file itself. Without `?apply=true` it is a dry run: the answer lists what
 * would be added, changed and left, and nothing is written.
 */
export const POST = endpoint(async ({ params, request, url }) => {
	const kind = csvKind(params.kind ?? '');
	const text = await readText(request);
	const apply = url.searchParams.get('apply') === 'true';
	return json(importCsv(runtime(), kind, text, { apply }));
});

export const fallback = methodNotAllowed('POST');
