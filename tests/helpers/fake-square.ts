import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Square's Orders API on 127.0.0.1: Retrieve Order (`GET /v2/orders/{id}`) in
 * Square's shape, checking the bearer token and the `Square-Version` header as Square does, and
 * answering Square's error body otherwise. Tests put orders in `orders` and read `requests`.
 */
export interface FakeSquare {
	url: string;
	/** The orders Square holds now, by id, as the `order` of a Retrieve Order answer. */
	orders: Map<string, Record<string, unknown>>;
	requests: { path: string; version: string | undefined }[];
	/** The next `count` requests are answered with `status` and Square's error body. */
	failNext(count: number, status: number): void;
	close(): Promise<void>;
}

export async function fakeSquare(accessToken: string): Promise<FakeSquare> {
	const orders = new Map<string, Record<string, unknown>>();
	const requests: FakeSquare['requests'] = [];
	const failing = { count: 0, status: 503 };
	const fail = (code: string, category: string, detail: string) => ({
		errors: [{ category, code, detail }]
	});

	const server = createServer((request, response) => {
		const answer = (status: number, body: unknown) => {
			response.writeHead(status, { 'content-type': 'application/json' });
			response.end(JSON.stringify(body));
		};
		const version = request.headers['square-version'] as string | undefined;
		requests.push({ path: request.url ?? '', version });

		if (failing.count > 0) {
			failing.count--;
			return answer(failing.status, fail('SERVICE_UNAVAILABLE', 'API_ERROR', 'try again later'));
		}
		if (request.headers.authorization !== `Bearer ${accessToken}`) {
			return answer(401, fail('UNAUTHORIZED', 'AUTHENTICATION_ERROR', 'bad access token'));
		}
		const match = /^\/v2\/orders\/([^/?]+)$/.exec(request.url ?? '');
		if (request.method !== 'GET' || !match) {
			return answer(404, fail('NOT_FOUND', 'INVALID_REQUEST_ERROR', 'no such endpoint'));
		}
		const order = orders.get(decodeURIComponent(match[1]!));
		if (!order) return answer(404, fail('NOT_FOUND', 'INVALID_REQUEST_ERROR', 'order not found'));
		answer(200, { order });
	});

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		orders,
		requests,
		failNext(count, status) {
			Object.assign(failing, { count, status });
		},
		close: () => new Promise((resolve) => server.close(() => resolve()))
	};
}
