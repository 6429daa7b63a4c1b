import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LiveEvent } from '../../src/lib/realtime/contract';
import {
	connectScreen,
	postJson,
	startServer,
	waitFor,
	type RunningServer
} from '../helpers/server';

let server: RunningServer;

beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => {
	await server?.stop();
});

interface Operation {
	responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A request each documented operation must refuse or answer: no body, or an empty object. */
async function call(lower: string, path: string): Promise<Response> {
	// fetch upper-cases GET, POST, PUT and DELETE itself, but sends "patch" as written.
	const method = lower.toUpperCase();
	const url = `${server.url}${path.replace('{token}', 'no-such-token')}`;
	if (method === 'GET' || method === 'DELETE') return fetch(url, { method, redirect: 'manual' });
	return fetch(url, {
		method,
		headers: { 'content-type': 'application/json' },
		body: '{}'
	});
}

describe('the OpenAPI description', () => {
	it('is served without signing in, and each path answers as it says', async () => {
		const response = await fetch(`${server.url}/api/openapi.json`);
		expect(response.status).toBe(200);
		const document = (await response.json()) as Document;
		expect(document.openapi).toBe('3.1.0');
		expect(Object.keys(document.paths).length).toBeGreaterThanOrEqual(6);

		for (const [path, operations] of Object.entries(document.paths)) {
			for (const method of METHODS) {
				const answer = await call(method, path);
				const where = `${method.toUpperCase()} ${path} answered ${answer.status}`;
				const operation = operations[method];
				if (!operation) {
					// An undocumented method is refused in the API's error shape: it does not exist
					// (405), or it is not public and needs a staff sign-in (401).
					if (path.startsWith('/api/')) {
						expect([401, 405], where).toContain(answer.status);
						const code = (await answer.json()).error.code;
						expect(code, where).toBe(
							answer.status === 405 ? 'method_not_allowed' : 'unauthenticated'
						);
					}
					continue;
				}
				expect(Object.keys(operation.responses), where).toContain(String(answer.status));
				const documented = operation.responses[String(answer.status)]!.content ?? {};
				const type = answer.headers.get('content-type') ?? '';
				expect(
					Object.keys(documented).some((kind) => type.startsWith(kind)),
					where
				).toBe(true);
				if (answer.status >= 400 && type.startsWith('application/json')) {
					const body = await answer.json();
					expect(typeof body.error?.code, where).toBe('string');
					expect(typeof body.error?.message, where).toBe('string');
				}
			}
		}
	});
});

describe('the admin API over HTTP', () => {
	it('describes the order body with the limits the checks apply', async () => {
		const document = await (await fetch(`${server.url}/api/openapi.json`)).json();
		const order = document.paths['/api/orders'].post;
		const body = order.requestBody.content['application/json'].schema;
		const line = body.properties.lines.items;
		expect(line.properties.quantity).toMatchObject({ type: 'integer', minimum: 1, maximum: 500 });
		expect(line.properties.note).toMatchObject({ type: 'string', maxLength: 200 });
		expect(body.properties.note).toMatchObject({ type: 'string', maxLength: 500 });
		expect(body.properties.customer.properties.name).toMatchObject({
			type: 'string',
			minLength: 1,
			maxLength: expect.any(Number)
		});
		expect(Object.keys(order.responses)).toEqual(
			expect.arrayContaining(['201', '400', '402', '415', '422', '429'])
		);
	});

	it('is for managers only', async () => {
		const anonymous = await fetch(`${server.url}/api/admin/products`);
		expect(anonymous.status).toBe(401);
	});

	it('sets up a product with its recipe that the menu then offers, and the plan follows', async () => {
		const screen = connectScreen(server);
		const seen: LiveEvent[] = [];
		screen.on('event', (event) => seen.push(event));
		await waitFor(() => (screen.connected ? true : undefined), 10_000);

		const saved = await postJson(
			`${server.url}/api/admin/products`,
			{
				sku: 'pretzel',
				name: 'Pretzel',
				category: 'bread',
				priceMinor: 220,
				baked: true,
				unitsPerTray: 12,
				bakeMinutes: 14,
				bakeTempC: 220,
				prepMinutes: 90,
				shelfLifeHours: 12,
				recipe: [
					{ ingredient: 'bread-flour', quantityPerUnit: 90 },
					{ ingredient: 'salt', quantityPerUnit: 2 }
				]
			},
			server.headers
		);
		expect(saved.status).toBe(201);
		expect(saved.body.product.recipe).toEqual([
			{ ingredient: 'bread-flour', quantityPerUnit: 90, unit: 'g' },
			{ ingredient: 'salt', quantityPerUnit: 2, unit: 'g' }
		]);

		const menu = await (await fetch(`${server.url}/api/products`)).json();
		expect(menu.products).toContainEqual(
			expect.objectContaining({ sku: 'PRETZEL', available: true, priceMinor: 220 })
		);
		const order = await postJson(`${server.url}/api/orders`, {
			customer: { name: 'Grace' },
			// As soon as it can be baked: the earliest slot may come before the pretzel's first bake.
			fulfillment: { type: 'pickup' },
			lines: [{ sku: 'PRETZEL', quantity: 3 }]
		});
		expect(order.status, JSON.stringify(order.body)).toBe(201);
		await waitFor(() => seen.find((event) => event.type === 'plan.updated'), 15_000);
		screen.close();
	});

	it('leaves the platform mappings to their own endpoint, which checks and merges them', async () => {
		const answer = await fetch(`${server.url}/api/admin/settings`, {
			method: 'PATCH',
			headers: { ...server.headers, 'content-type': 'application/json' },
			body: JSON.stringify({ platformItemSkus: { 'shopify:1': 'NOPE' } })
		});
		const body = await answer.json();
		expect([answer.status, body.error.problems[0].field]).toEqual([400, 'platformItemSkus']);
		expect(body.error.problems[0].message).toContain('PUT /api/admin/platforms');
	});

	it('answers a bad field with its name and the fix', async () => {
		const answer = await postJson(
			`${server.url}/api/admin/products`,
			{ sku: 'X', name: 'X', category: 'x', priceMinor: 100, baked: true, shelfLifeHours: 1 },
			server.headers
		);
		expect(answer.status).toBe(400);
		expect(answer.body.error.problems.map((problem: { field: string }) => problem.field)).toEqual([
			'unitsPerTray',
			'bakeMinutes',
			'bakeTempC'
		]);
	});

	it('answers an ingredient twice in a recipe with 400 naming the second, not a 500', async () => {
		const answer = await postJson(
			`${server.url}/api/admin/products`,
			{
				sku: 'SALT-STICK',
				name: 'Salt stick',
				category: 'bread',
				priceMinor: 150,
				baked: true,
				unitsPerTray: 20,
				bakeMinutes: 15,
				bakeTempC: 220,
				shelfLifeHours: 12,
				recipe: [
					{ ingredient: 'salt', quantityPerUnit: 5 },
					{ ingredient: 'salt', quantityPerUnit: 3 }
				]
			},
			server.headers
		);
		expect([answer.status, answer.body.error.problems]).toEqual([
			400,
			[
				{
					field: 'recipe[1].ingredient',
					message:
						'salt is already recipe[0]; list each ingredient once, with its whole amount per unit'
				}
			]
		]);
	});

	it('imports a CSV body after a dry run, and exports it back', async () => {
		const csv = 'kind,code,on_hand,unit\ningredient,salt,1234,g\nproduct,BREAD,2,each\n';
		const send = (apply: boolean) =>
			fetch(`${server.url}/api/admin/import/stock${apply ? '?apply=true' : ''}`, {
				method: 'POST',
				headers: { ...server.headers, 'content-type': 'text/csv' },
				body: csv
			});
		const dry = await (await send(false)).json();
		expect(dry.counts.change).toBe(2);
		const applied = await (await send(true)).json();
		expect(applied.changes).toEqual(dry.changes);

		const exported = await fetch(`${server.url}/api/admin/export/stock`, {
			headers: server.headers
		});
		expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
		const text = await exported.text();
		expect(text).toContain('ingredient,salt,1234,g');
		expect(text).toContain('product,BREAD,2,each');
	});
});

describe("the shop's time zone", () => {
	interface Slots {
		timeZone: string;
		days: { date: string; slots: { at: string; time: string }[] }[];
	}
	const settingsUrl = () => `${server.url}/api/admin/settings`;
	const patch = async (body: unknown) => {
		const answer = await fetch(settingsUrl(), {
			method: 'PATCH',
			headers: { ...server.headers, 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
		return { status: answer.status, body: await answer.json() };
	};
	/** The first pickup on a day well ahead, so the lead time plays no part. */
	const firstPickup = async (date: string) => {
		const answer = (await (await fetch(`${server.url}/api/slots?date=${date}`)).json()) as Slots;
		return { zone: answer.timeZone, first: answer.days[0]!.slots[0]! };
	};

	it('is stored by its canonical name however it is typed', async () => {
		try {
			const saved = await patch({ timeZone: 'europe/paris' });
			expect([saved.status, saved.body.timeZone]).toEqual([200, 'Europe/Paris']);
			const date = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
			expect((await firstPickup(date)).zone).toBe('Europe/Paris');
		} finally {
			await patch({ timeZone: 'Europe/London' });
		}
	});

	it('is set in the back office, and hours and slots are read in it at once', async () => {
		const date = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
		const london = await firstPickup(date);
		expect(london.zone).toBe('Europe/London');

		const wrong = await patch({ timeZone: 'Mars/Olympus_Mons' });
		expect([wrong.status, wrong.body.error.problems[0].field]).toEqual([400, 'timeZone']);
		expect(wrong.body.error.problems[0].message).toContain('IANA');
		expect((await firstPickup(date)).zone).toBe('Europe/London');

		try {
			const saved = await patch({ timeZone: 'America/New_York' });
			expect([saved.status, saved.body.timeZone]).toEqual([200, 'America/New_York']);
			const newYork = await firstPickup(date);
			// The same opening time on the shop's wall, which is now five hours behind London's.
			expect(newYork.zone).toBe('America/New_York');
			expect(newYork.first.time).toBe(london.first.time);
			const moved = Date.parse(newYork.first.at) - Date.parse(london.first.at);
			expect(moved).toBe(5 * 3_600_000);
		} finally {
			await patch({ timeZone: 'Europe/London' });
		}
	});
});
