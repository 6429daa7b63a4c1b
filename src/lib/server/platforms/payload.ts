import type { z } from 'zod';

import { MappingError } from './common';

/** Reads the fields a mapper uses; a payload of another shape names the field that is wrong. */
export function readPayload<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
	const parsed = schema.safeParse(json);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0]!;
	const field = issue.path.join('.') || 'body';
	throw new MappingError(`${what}: ${field} ${issue.message}`);
}
