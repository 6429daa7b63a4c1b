import { goToSignIn } from './client/sign-in';

/** The browser's side of the JSON API: one answer shape whether the call worked or not. */

export interface ApiProblem {
	field: string;
	message: string;
}

export type ApiAnswer<T> =
	| { ok: true; status: number; data: T }
	| {
			ok: false;
			status: number;
			message: string;
			problems: ApiProblem[];
			body: Record<string, unknown>;
	  };

export async function callApi<T>(
	url: string,
	init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}
): Promise<ApiAnswer<T>> {
	let response: Response;
	try {
		response = await fetch(url, {
			method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
			headers: { 'content-type': 'application/json', ...init.headers },
			body: init.body === undefined ? undefined : JSON.stringify(init.body)
		});
	} catch {
		return {
			ok: false,
			status: 0,
			message: 'The shop could not be reached. Check the connection and try again.',
			problems: [],
			body: {}
		};
	}

	const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
	// A session that ended (revoked, expired) sends the screen to sign in, then back.
	const code = (body.error as { code?: unknown } | undefined)?.code;
	if (response.status === 401 && code === 'unauthenticated' && typeof location !== 'undefined') {
		goToSignIn();
	}
	if (response.ok) return { ok: true, status: response.status, data: body as T };

	const error = (body.error ?? {}) as { message?: string; problems?: ApiProblem[] };
	return {
		ok: false,
		status: response.status,
		message: error.message ?? `The request failed (${response.status}).`,
		problems: error.problems ?? [],
		body: error as Record<string, unknown>
	};
}
