/**
 * The few errors the API answers with. Each message says what was wrong, with the value, and
 * what to do; `problems` names every field at fault so a form can mark them all at once.
 */

export interface FieldProblem {
	field: string;
	message: string;
}

export class AppError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details: { problems?: FieldProblem[]; [key: string]: unknown } = {},
		options?: ErrorOptions
	) {
		super(message, options);
		this.name = 'AppError';
	}

	toJSON() {
		return { error: { code: this.code, message: this.message, problems: [], ...this.details } };
	}
}

export function invalid(problems: FieldProblem[]): AppError {
	const message = problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
	return new AppError(400, 'invalid_request', message, { problems });
}

export function refused(field: string, message: string, extra: Record<string, unknown> = {}) {
	return new AppError(422, 'refused', `${field}: ${message}`, {
		problems: [{ field, message }],
		...extra
	});
}

export function notFound(what: string, field = 'id'): AppError {
	const message = `${what} does not exist`;
	return new AppError(404, 'not_found', message, { problems: [{ field, message }] });
}

export function conflict(message: string, current?: unknown): AppError {
	return new AppError(409, 'conflict', message, current === undefined ? {} : { current });
}

/** A 409 that names the field whose new value clashes with what is stored, and the way out. */
export function fieldConflict(field: string, message: string): AppError {
	return new AppError(409, 'conflict', `${field}: ${message}`, {
		problems: [{ field, message }]
	});
}
