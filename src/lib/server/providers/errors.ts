import type { z } from 'zod';

/**
 * How a call to an outside provider (SMS, payments, courier, mail, a customer's webhook) fails,
 * and the one function the HTTP adapters send through, so that they all fail the same way.
 *
 * Callers decide whether to try again from `retryable` alone: no answer, a timeout, 429 or a 5xx
 * may pass on a later attempt; any other refusal will be refused again.
 */

export interface ProviderFailure {
	/** The provider as the shop's configuration names it: 'sms', 'payments', 'courier', ... */
	provider: string;
	/** The HTTP status (or SMTP reply code) it answered with; null when no answer came. */
	status: number | null;
	/** The provider's own error code, or ours: 'timeout', 'unreachable', 'unexpected_answer'. */
	code: string;
	retryable: boolean;
}

export class ProviderError extends Error implements ProviderFailure {
	readonly provider: string;
	readonly status: number | null;
	readonly code: string;
	readonly retryable: boolean;

	constructor(message: string, failure: ProviderFailure, options?: ErrorOptions) {
		super(message, options);
		this.name = 'ProviderError';
		this.provider = failure.provider;
		this.status = failure.status;
		this.code = failure.code;
		this.retryable = failure.retryable;
	}
}

/** Long enough for a slow provider, short enough that a request handler is not left hanging. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Whether the same request, sent again later, may get a different answer. */
export function isRetryableStatus(status: number): boolean {
	return status === 429 || status >= 500;
}

/** What a provider's error body said, as read by the adapter that knows its shape. */
export interface ProviderExplanation {
	code?: string;
	message?: string;
}

/** The error for an answer outside 2xx, quoting the provider's own words when it gave any. */
export function refusal(
	provider: string,
	status: number,
	said: ProviderExplanation
): ProviderError {
	const code = said.code ?? `http_${status}`;
	const words = said.message ?? 'no explanation in the answer';
	const message = `${provider} answered ${status} (${code}): ${words}`;
	return new ProviderError(message, {
		provider,
		status,
		code,
		retryable: isRetryableStatus(status)
	});
}

export interface ProviderRequest {
	provider: string;
	method: 'GET' | 'POST' | 'PUT';
	url: string;
	headers: Record<string, string>;
	body?: string;
	timeoutMs: number;
}

export interface ProviderAnswer {
	status: number;
	/** The body as JSON; the raw text when it is not JSON; undefined when it is empty. */
	body: unknown;
}

export function isSuccess(answer: ProviderAnswer): boolean {
	return answer.status >= 200 && answer.status < 300;
}

/**
 * Sends one request and reads the answer whatever its status: each adapter knows its provider's
 * error shape, so it turns a refusal into an error itself. Only a failure no adapter could read,
 * no connection or no answer in time, becomes a ProviderError here.
 */
export async function callProvider(request: ProviderRequest): Promise<ProviderAnswer> {
	try {
		const response = await fetch(request.url, {
			method: request.method,
			headers: request.headers,
			body: request.body,
			signal: AbortSignal.timeout(request.timeoutMs)
		});
		// The timeout covers the body too: a provider that stalls mid-answer is as bad as a silent one.
		const text = await response.text();
		return { status: response.status, body: parseBody(text) };
	} catch (error) {
		throw transportFailure(request, error);
	}
}

/**
 * Reads a successful answer with the adapter's schema. A body of another shape means the API has
 * changed under us; sending again would not help, so it is not retryable.
 */
export function readAnswer<T>(provider: string, schema: z.ZodType<T>, answer: ProviderAnswer): T {
	const parsed = schema.safeParse(answer.body);
	if (parsed.success) return parsed.data;

	const issue = parsed.error.issues[0];
	const field = issue?.path.join('.') || 'body';
	const problem = `${field} ${issue?.message}`;
	const message = `${provider} answered ${answer.status} with an unexpected body: ${problem}`;
	throw new ProviderError(message, {
		provider,
		status: answer.status,
		code: 'unexpected_answer',
		retryable: false
	});
}

/** The base URL (with or without a trailing slash, perhaps with a path of its own) plus a path. */
export function endpointUrl(baseUrl: string, path: string): string {
	return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

function parseBody(text: string): unknown {
	if (text.trim() === '') return undefined;
	try {
		return JSON.parse(text);
	} catch {
		// A proxy's HTML error page, say: keep the text so an adapter can quote it.
		return text;
	}
}

function transportFailure(request: ProviderRequest, error: unknown): ProviderError {
	const where = `${request.method} ${withoutQuery(request.url)}`;
	const failure = { provider: request.provider, status: null, retryable: true };
	if (error instanceof Error && error.name === 'TimeoutError') {
		const message = `${request.provider} did not answer ${where} within ${request.timeoutMs} ms`;
		return new ProviderError(message, { ...failure, code: 'timeout' }, { cause: error });
	}

	const message = `${request.provider} could not be reached at ${where} (${reasonOf(error)})`;
	return new ProviderError(message, { ...failure, code: 'unreachable' }, { cause: error });
}

/** fetch says only "fetch failed"; the socket's code (ECONNREFUSED, ENOTFOUND) is in its cause. */
function reasonOf(error: unknown): string {
	const cause =
		error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
	if (typeof cause?.code === 'string') return cause.code;
	return error instanceof Error ? error.message : String(error);
}

function withoutQuery(url: string): string {
	const parsed = new URL(url);
	return `${parsed.origin}${parsed.pathname}`;
}
