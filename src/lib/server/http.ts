import { isHttpError, json, type RequestEvent } from '@sveltejs/kit';
import type { ZodError } from 'zod';

import { AppError, invalid, type FieldProblem } from './errors';
import { runtime } from './runtime';

/**
 * A number literal written with a fraction or exponent (`1.0`, `1e0`) where a count belongs.
 * `JSON.parse` turns `1.0` into 1, so without this a client that sends floats for counts would
 * never learn it; we keep the literal so validation can say so.
 */
export class FractionLiteral {
	constructor(readonly text: string) {}
	toString() {
		return this.text;
	}
}

const COUNT_KEYS = new Set(['quantity']);
const COUNT_LITERAL = /"(quantity)"\s*:\s*(-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)/g;

/**
 * Parses a JSON body, naming the problem when it is not JSON at all. `emptyAs` is what an empty
 * body means for endpoints whose fields are all optional.
 */
export async function readJson(
	request: Request,
	options: { emptyAs?: unknown } = {}
): Promise<unknown> {
	const type = request.headers.get('content-type');
	if (!type && sentBody(request)) {
		throw new AppError(
			415,
			'unsupported_media_type',
			'Content-Type is missing; send the body as JSON with Content-Type: application/json',
			{ problems: [{ field: 'Content-Type', message: 'is missing; send application/json' }] }
		);
	}
	if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
		throw new AppError(
			415,
			'unsupported_media_type',
			`Content-Type: ${type} is not JSON; send application/json`,
			{
				problems: [{ field: 'Content-Type', message: `is ${type}; send application/json` }]
			}
		);
	}
	const text = await readText(request);
	if (text.trim() === '') {
		if ('emptyAs' in options) return options.emptyAs;
		throw invalid([{ field: 'body', message: 'is empty; send a JSON object' }]);
	}

	const literals = [...text.matchAll(COUNT_LITERAL)].map((match) => match[2] ?? '');
	let next = 0;
	try {
		return JSON.parse(text, (key, value) => {
			if (!COUNT_KEYS.has(key) || typeof value !== 'number') return value;
			const literal = literals[next++] ?? String(value);
			return /[.eE]/.test(literal) ? new FractionLiteral(literal) : value;
		});
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw invalid([
			{ field: 'body', message: `is not valid JSON (${reason}); send a JSON object` }
		]);
	}
}

/**
 * Whether the client sent a body, read from the headers: SvelteKit drops the body of a request
 * without a Content-Type, so reading it would wrongly report an empty one.
 */
function sentBody(request: Request): boolean {
	const length = request.headers.get('content-length');
	return (length !== null && length.trim() !== '0') || request.headers.has('transfer-encoding');
}

/** The body as text; a body over the server's limit is answered 413, naming the limit. */
export async function readText(request: Request): Promise<string> {
	try {
		return await request.text();
	} catch (error) {
		// SvelteKit signals an oversized body with an error carrying status 413.
		if ((error as { status?: unknown } | null)?.status === 413) {
			throw new AppError(
				413,
				'too_large',
				'body is larger than the server accepts (512 KB); send a smaller request',
				{
					problems: [{ field: 'body', message: 'is larger than 512 KB' }]
				}
			);
		}
		throw error;
	}
}

/**
 * A path as a client would write it: `lines[0].sku`. A key that is not a plain name (an empty
 * one, one with spaces or dots) is quoted, `[""]`, so the answer never names a blank field.
 */
export function fieldName(path: PropertyKey[]): string {
	return path
		.map((part, index) => {
			if (typeof part === 'number') return `[${part}]`;
			const key = String(part);
			if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `[${JSON.stringify(key)}]`;
			return `${index === 0 ? '' : '.'}${key}`;
		})
		.join('');
}

/** Every issue of a failed parse as a field problem, unknown keys named one by one. */
export function problemsOf(error: ZodError): FieldProblem[] {
	return error.issues.flatMap((issue) => {
		if (issue.code === 'unrecognized_keys') {
			return issue.keys.map((key) => ({
				field: fieldName([...issue.path, key]),
				message: 'is not a field of this request; remove it or check its spelling'
			}));
		}
		return [{ field: fieldName(issue.path) || 'body', message: issue.message }];
	});
}

/** Wraps an endpoint so that an AppError becomes its JSON answer and anything else a logged 500. */
export function endpoint<E extends RequestEvent>(
	handler: (event: E) => Promise<Response> | Response
) {
	return async (event: E): Promise<Response> => {
		try {
			return await handler(event);
		} catch (error) {
			if (error instanceof AppError) return json(error.toJSON(), { status: error.status });
			if (isHttpError(error) && error.status < 500) {
				const message = error.body.message;
				return json({ error: { code: 'http', message, problems: [] } }, { status: error.status });
			}
			runtime().log.error({ err: error, path: event.url.pathname }, 'request failed');
			return json(
				{
					error: { code: 'internal', message: 'The server failed on this request; it is logged.' }
				},
				{ status: 500 }
			);
		}
	};
}

/** The answer for a method an endpoint does not have, as JSON like every other error. */
export function methodNotAllowed(...allowed: string[]) {
	return ({ request }: RequestEvent): Response =>
		json(
			{
				error: {
					code: 'method_not_allowed',
					message: `${request.method} is not supported here; use ${allowed.join(' or ')}`,
					problems: [{ field: 'method', message: `use ${allowed.join(' or ')}` }]
				}
			},
			{ status: 405, headers: { allow: allowed.join(', ') } }
		);
}
