import { json, type RequestEvent } from '@sveltejs/kit';
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
	const text = await request.text();
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

export function fieldName(path: PropertyKey[]): string {
	return path
		.map((part, index) =>
			typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`
		)
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
