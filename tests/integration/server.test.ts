import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
	isOrderEvent,
	type LiveEvent,
	type OrderEvent,
	type SyncAnswer
} from '../../src/lib/realtime/contract';
import { LiveFeed } from '../../src/lib/realtime/feed';
import {
	connectScreen,
	firstSlot,
	postJson,
	startServer,
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

/** A coffee needs no oven, so these orders are valid whatever the hour the tests run. */
function anOrder(name: string) {
	return {
		customer: { name, phone: '+44 7700 900123' },
		fulfillment: { type: 'pickup', at: pickupAt },
		lines: [{ sku: 'COFFEE', quantity: 1 }]
	};
}

describe('the production server', () => {
	it('answers its health check, and pages and sockets share one runtime', async () => {
		const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
		expect(health).toMatchObject({ status: 'ok', database: 'ok', realtime: 'attached' });

		const socket = connectScreen(server);
		const answer = await socket.emitWithAck('sync', { since: 0 });
		socket.disconnect();
		expect(answer.serverId).toBe(health.runtimeId);
	});

	it('serves every page', async () => {
		for (const page of ['/', '/order', '/pos', '/orders', '/admin/staff', '/signin', '/pair']) {
			const response = await fetch(`${server.url}${page}`, { headers: server.headers });
			expect([page, response.status]).toEqual([page, 200]);
		}
	});

	it('takes an order over HTTP and shows it at GET /api/orders/:id', async () => {
		const placed = await postJson(`${server.url}/api/orders`, anOrder('Ben Okafor'));
		expect(placed.status).toBe(201);
		const fetched = await fetch(`${server.url}/api/orders/${placed.body.id}`, {
			headers: server.headers
		});
		expect(await fetched.json()).toEqual(placed.body);

		const tracking = await fetch(`${server.url}/track/${placed.body.trackingToken}`);
		expect(tracking.status).toBe(200);
		const html = await tracking.text();
		expect(html).toContain(placed.body.number);
		expect(html).not.toContain('7700 900123');
	});

	it('answers a repeated Idempotency-Key with 200 and the same order', async () => {
		const headers = { 'idempotency-key': `retry-${Date.now()}` };
		const first = await postJson(`${server.url}/api/orders`, anOrder('Cara Lind'), headers);
		const second = await postJson(`${server.url}/api/orders`, anOrder('Cara Lind'), headers);
		expect([first.status, second.status]).toEqual([201, 200]);
		expect(second.body.id).toBe(first.body.id);
	});

	it('refuses a body that is not JSON, and a quantity written 1.0, by field', async () => {
		const notJson = await postJson(`${server.url}/api/orders`, '{"customer": ');
		expect(notJson.status).toBe(400);
		expect(notJson.body.error.problems[0].field).toBe('body');
		expect(notJson.body.error.message).toMatch(/not valid JSON/);

		const raw = JSON.stringify(anOrder('Dee')).replace('"quantity":1', '"quantity":1.0');
		const float = await postJson(`${server.url}/api/orders`, raw);
		expect(float.status).toBe(400);
		expect(float.body.error.problems).toEqual([
			{
				field: 'lines[0].quantity',
				message: 'must be a whole number without a decimal point (got 1.0); send it as 1'
			}
		]);
	});

	it('answers every malformed request with JSON naming what to fix', async () => {
		const big = JSON.stringify({ ...anOrder('Big'), note: 'x'.repeat(600_000) });
		const tooLarge = await postJson(`${server.url}/api/orders`, big);
		expect([tooLarge.status, tooLarge.body.error.problems[0].field]).toEqual([413, 'body']);

		const xml = await postJson(`${server.url}/api/orders`, JSON.stringify(anOrder('Xml')), {
			'content-type': 'application/xml'
		});
		expect([xml.status, xml.body.error.problems[0].field]).toEqual([415, 'Content-Type']);

		// A form post from another origin meets SvelteKit's cross-site check; still JSON, still 415.
		for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
			const form = await postJson(`${server.url}/api/orders`, JSON.stringify(anOrder('Form')), {
				'content-type': type,
				origin: 'http://elsewhere.example'
			});
			expect([type, form.status, form.body.error.problems[0].field]).toEqual([
				type,
				415,
				'Content-Type'
			]);
		}

		const missing = await fetch(`${server.url}/api/nowhere`, { headers: server.headers });
		expect([
			missing.status,
			((await missing.json()) as { error: { code: string } }).error.code
		]).toEqual([404, 'not_found']);

		const wrongMethod = await fetch(`${server.url}/api/products`, { method: 'DELETE' });
		expect(wrongMethod.status).toBe(405);
		expect(((await wrongMethod.json()) as { error: { message: string } }).error.message).toBe(
			'DELETE is not supported here; use GET'
		);

		for (const date of ['9999-12-31', '2026-02-30', '0050-01-01']) {
			const slots = await fetch(`${server.url}/api/slots?date=${date}&days=2`);
			expect([date, slots.status]).toEqual([date, 400]);
		}
	});

	it('lists orders by status and rejects an unknown status by name', async () => {
		const list = await fetch(`${server.url}/api/orders?status=received,ready`, {
			headers: server.headers
		});
		const body = (await list.json()) as { orders: { status: string }[] };
		expect(body.orders.length).toBeGreaterThan(0);
		expect(body.orders.every((order) => ['received', 'ready'].includes(order.status))).toBe(true);

		const bad = await fetch(`${server.url}/api/orders?status=baking`, { headers: server.headers });
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
			/^status\[0\]: use one or more of/
		);
	});

	it('pushes a committed order to every connected screen with its sequence number', async () => {
		const screens = [connectScreen(server), connectScreen(server)];
		const seen: OrderEvent[][] = screens.map(() => []);
		screens.forEach((socket, index) =>
			socket.on('event', (event) => {
				if (isOrderEvent(event)) seen[index]!.push(event);
			})
		);
		await Promise.all(
			screens.map((socket) => waitFor(() => (socket.connected ? true : undefined)))
		);

		const placed = await postJson(`${server.url}/api/orders`, anOrder('Eve Marsh'));
		for (const events of seen) {
			const event = await waitFor(() =>
				events.find((candidate) => candidate.order.id === placed.body.id)
			);
			expect(event).toMatchObject({ type: 'order.created', order: placed.body });
		}

		const since = seen[0]!.find((event) => event.order.id === placed.body.id)!.seq - 1;
		const replay = (await (
			await fetch(`${server.url}/api/events?since=${since}`, { headers: server.headers })
		).json()) as SyncAnswer;
		const first = replay.kind === 'events' ? replay.events.find(isOrderEvent) : undefined;
		expect(first?.order.id).toBe(placed.body.id);
		screens.forEach((socket) => socket.disconnect());
	});

	it('gives a screen that reconnects three times exactly one copy of each later event', async () => {
		const socket = connectScreen(server);
		const applied: LiveEvent[] = [];
		const delivered: number[] = [];
		socket.on('event', (event) => delivered.push(event.seq));
		const head = (
			(await (
				await fetch(`${server.url}/api/events?since=0`, { headers: server.headers })
			).json()) as SyncAnswer
		).head;
		new LiveFeed(socket, { onEvent: (event) => applied.push(event), onSnapshot: () => {} }, head);
		await waitFor(() => (socket.connected ? true : undefined));

		const placed: number[] = [];
		for (let round = 0; round < 3; round++) {
			socket.io.engine.close(); // drop the transport as a flaky Wi-Fi would; the client reconnects
			placed.push((await postJson(`${server.url}/api/orders`, anOrder(`Round ${round}`))).body.id);
			await waitFor(() => (socket.connected ? true : undefined));
		}
		placed.push((await postJson(`${server.url}/api/orders`, anOrder('After the storm'))).body.id);

		const last = (
			(await (
				await fetch(`${server.url}/api/events?since=${head}`, { headers: server.headers })
			).json()) as SyncAnswer
		).head;
		await waitFor(() => (applied.at(-1)?.seq === last ? true : undefined));
		await new Promise((resolve) => setTimeout(resolve, 300));

		// Every event after the screen's start, once each and in order, whatever was missed offline.
		expect(applied.map((event) => event.seq)).toEqual(
			Array.from({ length: last - head }, (_, index) => head + 1 + index)
		);
		const created = applied.filter((event) => event.type === 'order.created');
		expect(created.map((event) => (isOrderEvent(event) ? event.order.id : 0))).toEqual(placed);
		// The server pushed each event to this socket at most once, however often it reconnected.
		expect(new Set(delivered).size).toBe(delivered.length);
		socket.disconnect();
	});

	it('keeps a screen live across a server restart, catching up on what it missed', async () => {
		const socket = connectScreen(server);
		const applied: LiveEvent[] = [];
		const head = (
			(await (
				await fetch(`${server.url}/api/events?since=0`, { headers: server.headers })
			).json()) as SyncAnswer
		).head;
		new LiveFeed(socket, { onEvent: (event) => applied.push(event), onSnapshot: () => {} }, head);
		await waitFor(() => (socket.connected ? true : undefined));

		// A clean stop (a deploy, Ctrl-C), then the same server back on the same port and file.
		expect(await server.stop('SIGTERM')).toBe(0);
		await waitFor(() => (socket.connected ? undefined : true));
		server = await startServer({
			PORT: String(server.port),
			DATABASE_PATH: server.databasePath
		});
		const placed = await postJson(`${server.url}/api/orders`, anOrder('After the restart'));

		const event = await waitFor(
			() =>
				applied.find(
					(entry) => entry.type === 'order.created' && entry.order.id === placed.body.id
				),
			10_000
		);
		expect(event.seq).toBeGreaterThan(head);
		socket.disconnect();
	});

	it('answers a screen that missed too much with a snapshot', async () => {
		const socket = connectScreen(server);
		const answer = await socket.emitWithAck('sync', { since: 10_000_000 });
		socket.disconnect();
		expect(answer.kind).toBe('snapshot');
	});

	it('cancels with the expected version and refuses a stale one', async () => {
		const placed = await postJson(`${server.url}/api/orders`, anOrder('Fay Quinn'));
		const url = `${server.url}/api/orders/${placed.body.id}/cancel`;
		const first = await postJson(
			url,
			{ expectedVersion: 1, reason: 'changed plans' },
			server.headers
		);
		const second = await postJson(url, { expectedVersion: 1 }, server.headers);
		expect([first.status, first.body.status, second.status]).toEqual([200, 'cancelled', 409]);
		expect(second.body.error.current.version).toBe(2);
	});

	it('stops cleanly on SIGTERM', async () => {
		const extra = await startServer();
		expect(await extra.stop('SIGTERM')).toBe(0);
		expect(extra.output.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
	});
});

describe('the stock race', () => {
	it('reserves the last croissants exactly once among 100 concurrent orders', async () => {
		const race = await startServer();
		try {
			const at = await firstSlot(race);
			const order = (name: string, quantity: number) => ({
				customer: { name },
				fulfillment: { type: 'pickup', at },
				lines: [{ sku: 'CROISSANT', quantity }]
			});
			// The demo opens with 12 on the shelf; take 2 so 10 are left.
			const opener = await postJson(`${race.url}/api/orders`, order('Opener', 2));
			expect(opener.body.lines[0].route).toBe('stock');

			const answers = await Promise.all(
				Array.from({ length: 100 }, (_, index) =>
					postJson(`${race.url}/api/orders`, order(`Racer ${index}`, 1))
				)
			);
			const fromShelf = answers.filter(
				(answer) => answer.status === 201 && answer.body.lines[0].reservedUnits === 1
			);
			const baked = answers.filter(
				(answer) => answer.status === 201 && answer.body.lines[0].route === 'bake'
			);
			const refused = answers.filter((answer) => answer.status === 422);

			expect(fromShelf).toHaveLength(10);
			expect(fromShelf.length + baked.length + refused.length).toBe(100);
			for (const answer of refused)
				expect(answer.body.error.message).toMatch(
					/no Croissant left on the shelf; the earliest that works is/
				);

			const products = (await (
				await fetch(`${race.url}/api/orders?status=received&limit=2000`, { headers: race.headers })
			).json()) as {
				orders: { lines: { reservedUnits: number }[] }[];
			};
			const reserved = products.orders.reduce(
				(sum, entry) => sum + entry.lines[0]!.reservedUnits,
				0
			);
			expect(reserved).toBe(12);
		} finally {
			await race.stop();
		}
	});
});
