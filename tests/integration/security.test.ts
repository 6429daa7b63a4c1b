import { request } from 'node:http';

import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
	connectScreen,
	firstSlot,
	postJson,
	signIn,
	startServer,
	TEST_MANAGER,
	waitFor,
	type RunningServer
} from '../helpers/server';

let server: RunningServer;
let pickupAt: string;

beforeAll(async () => {
	server = await startServer();
	pickupAt = await firstSlot(server);
});
afterAll(async () => {
	await server?.stop();
});

const customer = {
	name: 'Ada Lovelace',
	phone: '+44 7700 900456',
	email: 'ada.lovelace@example.org'
};

function anOrder(name = customer.name) {
	return {
		customer: { ...customer, name },
		fulfillment: { type: 'pickup', at: pickupAt },
		lines: [{ sku: 'COFFEE', quantity: 1 }]
	};
}

function publicSocket(): Socket {
	return io(`${server.url}/public`, { transports: ['websocket'] });
}

describe('who may open what', () => {
	it('sends a staff page without a session to sign-in, and answers the API with 401 JSON', async () => {
		for (const page of ['/kitchen', '/packing', '/orders', '/pos', '/admin/reports']) {
			const response = await fetch(`${server.url}${page}`, { redirect: 'manual' });
			expect([page, response.status, response.headers.get('location')]).toEqual([
				page,
				303,
				`/signin?next=${encodeURIComponent(page)}`
			]);
		}
		const list = await fetch(`${server.url}/api/orders`);
		expect(list.status).toBe(401);
		expect(((await list.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
		for (const page of ['/order', '/pickup', '/signin', '/pair', '/healthz']) {
			expect([page, (await fetch(`${server.url}${page}`)).status]).toEqual([page, 200]);
		}
	});

	it('keeps staff out of the back office and the public off the counter', async () => {
		const created = await postJson(
			`${server.url}/api/admin/staff`,
			{ name: 'Ola Baker', role: 'staff', pin: '2468' },
			server.headers
		);
		expect(created.status).toBe(201);
		const staff = await signIn(server.url, { name: 'ola baker', password: '2468' });

		const office = await fetch(`${server.url}/admin/staff`, { headers: staff });
		expect(office.status).toBe(403);
		const api = await fetch(`${server.url}/api/admin/sessions`, { headers: staff });
		expect(api.status).toBe(403);
		const orders = await fetch(`${server.url}/api/orders`, { headers: staff });
		expect(orders.status).toBe(200);

		const counter = await postJson(`${server.url}/api/orders`, { ...anOrder(), channel: 'pos' });
		expect([counter.status, counter.body.error.problems[0].field]).toEqual([403, 'channel']);
	});

	it('stores only slow hashes, and a manager cannot have a PIN', async () => {
		const db = new Database(server.databasePath, { readonly: true });
		const rows = db.prepare('select password_hash, pin_hash from staff_members').all() as {
			password_hash: string | null;
			pin_hash: string | null;
		}[];
		db.close();
		const hashes = rows.flatMap((row) => [row.password_hash, row.pin_hash]).filter(Boolean);
		expect(hashes.length).toBeGreaterThan(0);
		for (const hash of hashes) expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
		expect(JSON.stringify(rows)).not.toContain(TEST_MANAGER.password);

		const manager = await postJson(
			`${server.url}/api/admin/staff`,
			{ name: 'Quick Manager', role: 'manager', pin: '1111' },
			server.headers
		);
		expect(manager.status).toBe(400);
		expect(manager.body.error.problems.map((problem: { field: string }) => problem.field)).toEqual([
			'password'
		]);
	});

	it('refuses a write from another site even with a session', async () => {
		const answer = await postJson(`${server.url}/api/orders`, anOrder(), {
			...server.headers,
			origin: 'https://evil.example'
		});
		expect([answer.status, answer.body.error.code]).toEqual([403, 'cross_site']);
		const fetched = await postJson(`${server.url}/api/orders`, anOrder(), {
			...server.headers,
			'sec-fetch-site': 'cross-site'
		});
		expect([fetched.status, fetched.body.error.code]).toEqual([403, 'cross_site']);
	});

	it('takes a write from the address a wall tablet used, and refuses a Host that is none', async () => {
		const port = Number(new URL(server.url).port);
		const raw = (host: string, origin: string) =>
			new Promise<{ status: number; body: string }>((resolve, reject) => {
				const body = JSON.stringify(anOrder('Lan Tablet'));
				const req = request(
					{
						host: '127.0.0.1',
						port,
						method: 'POST',
						path: '/api/orders',
						headers: { host, origin, 'content-type': 'application/json', ...server.headers }
					},
					(res) => {
						let text = '';
						res.on('data', (chunk) => (text += chunk));
						res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
					}
				);
				req.on('error', reject);
				req.end(body);
			});
		// Without ORIGIN set, the tablet on the shop's LAN address is this site, not another one.
		const lan = await raw(`192.168.1.20:${port}`, `http://192.168.1.20:${port}`);
		expect(lan.status).toBe(201);
		const mismatch = await raw(`192.168.1.20:${port}`, `http://localhost:${port}`);
		expect([mismatch.status, JSON.parse(mismatch.body).error.code]).toEqual([403, 'cross_site']);
		for (const host of ['evil.example/@x', 'shop:99999', 'a b']) {
			const bad = await raw(host, `http://${host}`);
			const answer = JSON.parse(bad.body);
			expect([host, bad.status, answer.error.code, answer.error.problems[0].field]).toEqual([
				host,
				400,
				'bad_host',
				'Host'
			]);
		}
	});

	it('sends security headers and a content security policy with a nonce', async () => {
		const response = await fetch(`${server.url}/order`);
		const csp = response.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
		expect(csp).toContain("frame-ancestors 'none'");
		expect(response.headers.get('x-content-type-options')).toBe('nosniff');
		expect(response.headers.get('referrer-policy')).toBe('same-origin');
		expect(response.headers.get('x-frame-options')).toBe('DENY');
	});
});

describe('sockets', () => {
	it('refuses a staff socket opened from another site, even with a session', async () => {
		const socket = io(server.url, {
			transports: ['websocket'],
			reconnection: false,
			extraHeaders: { ...server.headers, origin: 'https://evil.example' }
		});
		const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
		socket.close();
		expect(error.message).toBe('cross_site');
	});

	it('refuses a staff socket without a session', async () => {
		const socket = io(server.url, { transports: ['websocket'], reconnection: false });
		const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
		socket.close();
		expect(error.message).toBe('unauthorized');
	});

	it('refuses every staff command sent from the pickup board', async () => {
		const board = publicSocket();
		await waitFor(() => (board.connected ? true : undefined));
		for (const command of ['sync', 'pack', 'bump', 'cancel', 'complete']) {
			const answer = (await board.timeout(3000).emitWithAck(command, { id: 1 })) as {
				error?: { code: string; message: string };
			};
			expect([command, answer.error?.code]).toEqual([command, 'forbidden']);
		}
		board.close();
	});

	it('keeps phone, e-mail and last name off the pickup board, its page and its events', async () => {
		const board = publicSocket();
		const seen: unknown[] = [];
		board.on('ticket', (ticket) => seen.push(ticket));
		await waitFor(() => (board.connected ? true : undefined));

		const placed = await postJson(`${server.url}/api/orders`, anOrder());
		expect(placed.status).toBe(201);
		await waitFor(() => (seen.length > 0 ? true : undefined));
		const snapshot = await board.timeout(3000).emitWithAck('board');
		const html = await (await fetch(`${server.url}/pickup`)).text();
		board.close();

		const everything = JSON.stringify([seen, snapshot]) + html;
		expect(everything).toContain('Ada L');
		for (const secret of ['Lovelace', customer.phone, '900456', customer.email]) {
			expect(everything).not.toContain(secret);
		}
	});

	it('closes the sockets of a revoked session, and its cookie stops working', async () => {
		const wall = await postJson(
			`${server.url}/api/admin/pairing-codes`,
			{ label: 'Oven wall', landing: '/kitchen' },
			server.headers
		);
		expect(wall.status).toBe(201);
		const paired = await fetch(`${server.url}/api/pair`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ code: wall.body.code })
		});
		expect(paired.status).toBe(201);
		const cookie = { cookie: paired.headers.getSetCookie()[0]!.split(';')[0]! };
		const reuse = await postJson(`${server.url}/api/pair`, { code: wall.body.code });
		expect([reuse.status, reuse.body.error.problems[0].field]).toEqual([400, 'code']);

		const screen = connectScreen({ ...server, headers: cookie });
		await waitFor(() => (screen.connected ? true : undefined));
		const disconnected = new Promise<string>((resolve) => screen.once('disconnect', resolve));

		const sessions = (await (
			await fetch(`${server.url}/api/admin/sessions`, { headers: server.headers })
		).json()) as { sessions: { id: string; label: string; kind: string }[] };
		const session = sessions.sessions.find((entry) => entry.label === 'Oven wall')!;
		expect(session.kind).toBe('screen');
		const revoked = await fetch(`${server.url}/api/admin/sessions/${session.id}`, {
			method: 'DELETE',
			headers: server.headers
		});
		expect(revoked.status).toBe(200);

		expect(await disconnected).toBe('io server disconnect');
		screen.close();
		const after = await fetch(`${server.url}/api/orders`, { headers: cookie });
		expect(after.status).toBe(401);
	});
});

describe('rate limits', () => {
	let limited: RunningServer;
	beforeAll(async () => {
		limited = await startServer({
			PUBLIC_RATE_LIMIT_PER_MINUTE: '3',
			SIGN_IN_ATTEMPTS_PER_15_MINUTES: '3'
		});
	});
	afterAll(async () => {
		await limited?.stop();
	});

	it('answers the fourth public order in a minute with 429 and writes nothing; staff are not limited', async () => {
		const at = await firstSlot(limited);
		const order = { ...anOrder(), fulfillment: { type: 'pickup', at } };
		const answers = [];
		for (let index = 0; index < 4; index++) {
			answers.push(await postJson(`${limited.url}/api/orders`, order));
		}
		expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 429]);
		expect(answers[3]!.body.error.message).toMatch(
			/too many orders and ratings .* try again in \d+ s/
		);

		const db = new Database(limited.databasePath, { readonly: true });
		const count = db
			.prepare('select count(*) as n from orders where customer_name = ?')
			.get(customer.name) as {
			n: number;
		};
		db.close();
		expect(count.n).toBe(3);
		const staff = await postJson(`${limited.url}/api/orders`, order, limited.headers);
		expect(staff.status).toBe(201);
	});

	it('stops guessing at sign-in after three failures, even of the right password; successes do not count', async () => {
		for (let round = 0; round < 3; round++) {
			const good = await postJson(`${limited.url}/api/session`, {
				name: TEST_MANAGER.name,
				secret: TEST_MANAGER.password
			});
			expect(good.status).toBe(201);
		}
		const wrong = [];
		for (const secret of ['0000', '0001', '0002']) {
			wrong.push((await postJson(`${limited.url}/api/session`, { name: 'x', secret })).status);
		}
		const right = await postJson(`${limited.url}/api/session`, {
			name: TEST_MANAGER.name,
			secret: TEST_MANAGER.password
		});
		expect([...wrong, right.status]).toEqual([401, 401, 401, 429]);
		expect(right.body.error.message).toMatch(
			/too many failed sign-in attempts .* try again in \d+ s/
		);
	});
});

describe('rate limits across processes', () => {
	it('counts one address once across two processes sharing Redis', async () => {
		const shared = {
			PUBLIC_RATE_LIMIT_PER_MINUTE: '3',
			REDIS_URL: 'redis://127.0.0.1:6379',
			REDIS_KEY: `bakery-limit-test-${process.pid}-${Date.now()}`
		};
		const first = await startServer(shared);
		const second = await startServer({ ...shared, DATABASE_PATH: first.databasePath });
		try {
			const at = await firstSlot(first);
			const order = { ...anOrder(), fulfillment: { type: 'pickup', at } };
			const statuses = [];
			for (const server of [first, second, first, second]) {
				statuses.push((await postJson(`${server.url}/api/orders`, order)).status);
			}
			expect(statuses).toEqual([201, 201, 201, 429]);
		} finally {
			await Promise.all([first.stop(), second.stop()]);
		}
	});
});
