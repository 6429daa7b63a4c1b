import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { io } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';

import type { LiveEvent, SyncAnswer } from '../../src/lib/realtime/contract';
import { LiveFeed, type BakerySocket } from '../../src/lib/realtime/feed';
import {
	connectScreen,
	firstSlot,
	postJson,
	startServer,
	waitFor,
	type RunningServer
} from '../helpers/server';

const SHARED_REDIS = 'redis://127.0.0.1:6379';
/** Long enough that only Redis (or its return) can bring another process's events in a test. */
const NO_BEACON = { HEAD_BEACON_MS: '600000' };

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
	for (const step of cleanup.reverse()) await step();
});

function freshDatabase(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakery-scale-'));
	cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	return path.join(dir, 'bakery.sqlite');
}

async function startPair(env: Record<string, string>): Promise<[RunningServer, RunningServer]> {
	// At once, on an empty file: both race to migrate and seed it.
	const pair = await Promise.all([startServer(env), startServer(env)]);
	for (const server of pair) cleanup.push(() => server.stop());
	return pair;
}

/** A screen on one process, as a wall tablet runs it: a LiveFeed over a staff socket. */
interface Screen {
	socket: BakerySocket;
	/** Sequence numbers the LiveFeed applied, in the order it applied them. */
	applied: number[];
	/** Sequence numbers that arrived as `event` messages (not through `sync`). */
	delivered: number[];
}

async function head(server: RunningServer): Promise<number> {
	const response = await fetch(`${server.url}/api/events?since=0`, { headers: server.headers });
	return ((await response.json()) as SyncAnswer).head;
}

async function openScreen(server: RunningServer): Promise<Screen> {
	const socket = connectScreen(server);
	cleanup.push(() => socket.disconnect());
	const screen: Screen = { socket, applied: [], delivered: [] };
	socket.on('event', (event) => screen.delivered.push(event.seq));
	const onEvent = (event: LiveEvent) => screen.applied.push(event.seq);
	new LiveFeed(socket, { onEvent, onSnapshot: () => {} }, await head(server));
	await waitFor(() => (socket.connected ? true : undefined), 10_000);
	return screen;
}

function range(from: number, to: number): number[] {
	return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

async function health(server: RunningServer): Promise<Record<string, unknown>> {
	const response = await fetch(`${server.url}/healthz`);
	return { httpStatus: response.status, ...((await response.json()) as Record<string, unknown>) };
}

function linesSaying(server: RunningServer, message: string): number {
	return server.output.filter((line) => line.includes(`"msg":"${message}`)).length;
}

/** A coffee needs no oven, so these orders are valid whatever the hour the tests run. */
async function placeOrder(server: RunningServer, pickupAt: string, name: string) {
	const placed = await postJson(`${server.url}/api/orders`, {
		customer: { name, phone: '+44 7700 900123' },
		fulfillment: { type: 'pickup', at: pickupAt },
		lines: [{ sku: 'COFFEE', quantity: 1 }]
	});
	expect(placed.status).toBe(201);
	return placed.body as { id: number };
}

async function freePort(): Promise<number> {
	const probe = net.createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as net.AddressInfo;
	await new Promise((resolve) => probe.close(resolve));
	return port;
}

/** A Redis of the test's own, so stopping it troubles nobody else on the machine. */
async function startRedis(port: number): Promise<ChildProcess> {
	const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no']);
	let output = '';
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`redis did not start:\n${output}`)), 10_000);
		child.stdout!.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes('Ready to accept connections')) {
				clearTimeout(timer);
				resolve();
			}
		});
		child.once('exit', (code) => reject(new Error(`redis exited with ${code}:\n${output}`)));
	});
	return child;
}

function stopRedis(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		child.once('exit', () => resolve());
		child.kill('SIGTERM');
	});
}

describe('two server processes on one database', () => {
	it(
		'seed once and show every order on both, once and in order, through Redis',
		{ timeout: 60_000 },
		async () => {
			const env = { DATABASE_PATH: freshDatabase(), REDIS_URL: SHARED_REDIS, ...NO_BEACON };
			const [a, b] = await startPair({ ...env, REDIS_KEY: `bakery-flow-test:${randomUUID()}` });

			const seeded = linesSaying(a, 'demo bakery loaded') + linesSaying(b, 'demo bakery loaded');
			expect(seeded).toBe(1);
			const catalogues = await Promise.all(
				[a, b].map(async (server) => {
					const answer = (await (await fetch(`${server.url}/api/products`)).json()) as {
						products: unknown[];
					};
					return answer.products.length;
				})
			);
			expect(catalogues[0]).toBeGreaterThan(0);
			expect(catalogues[1]).toBe(catalogues[0]);
			expect(await health(b)).toMatchObject({ httpStatus: 200, status: 'ok', redis: 'connected' });

			const start = await head(a);
			const [onA, onB] = [await openScreen(a), await openScreen(b)];
			const board = io(`${b.url}/public`, { transports: ['websocket'] });
			cleanup.push(() => board.disconnect());
			const tickets: number[] = [];
			board.on('ticket', ({ ticket }) => tickets.push(ticket.id));
			await waitFor(() => (board.connected ? true : undefined), 10_000);

			// Interleaved: both processes take orders at the same moment, so their seqs alternate.
			const pickupAt = await firstSlot(a);
			const placed = await Promise.all(
				range(1, 8).map((n) => placeOrder(n % 2 ? a : b, pickupAt, `Guest ${n}`))
			);
			const end = await head(b);
			expect(end - start).toBeGreaterThanOrEqual(8);

			for (const screen of [onA, onB]) {
				await waitFor(() => (screen.applied.at(-1) === end ? true : undefined), 15_000);
				expect(screen.applied).toEqual(range(start + 1, end));
				// Each event came over the socket once: no echo of a process's own Redis message.
				expect([...screen.delivered].sort((x, y) => x - y)).toEqual(range(start + 1, end));
			}
			const ids = placed.map((order) => order.id);
			await waitFor(() => (ids.every((id) => tickets.includes(id)) ? true : undefined), 15_000);
			expect(tickets.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
		}
	);

	it(
		'keep serving their own screens while Redis is away, and catch up when it returns',
		{ timeout: 90_000 },
		async () => {
			const port = await freePort();
			let redis = await startRedis(port);
			cleanup.push(() => stopRedis(redis));
			const env = {
				DATABASE_PATH: freshDatabase(),
				REDIS_URL: `redis://127.0.0.1:${port}`,
				REDIS_KEY: 'bakery-flow-test-outage',
				...NO_BEACON
			};
			const [a, b] = await startPair(env);
			const pickupAt = await firstSlot(a);
			const start = await head(a);
			const [onA, onB] = [await openScreen(a), await openScreen(b)];

			await stopRedis(redis);
			for (const server of [a, b]) {
				await expect
					.poll(async () => (await health(server)).redis, { timeout: 15_000 })
					.toBe('down');
				expect(await health(server)).toMatchObject({ httpStatus: 200, status: 'degraded' });
			}

			// Each process still shows its own orders on its own screens.
			const missed = [
				await placeOrder(a, pickupAt, 'Alone on A'),
				await placeOrder(a, pickupAt, 'Alone on A again')
			];
			const duringOutage = await head(a);
			await waitFor(() => (onA.applied.at(-1) === duringOutage ? true : undefined), 15_000);
			expect(onA.applied).toEqual(range(start + 1, duringOutage));
			expect(onB.applied).toEqual([]);
			expect(missed).toHaveLength(2);

			redis = await startRedis(port);
			for (const server of [a, b]) {
				await expect
					.poll(async () => (await health(server)).redis, { timeout: 20_000 })
					.toBe('connected');
			}
			// B's screen asks for what it missed when told the head, without a new event or a restart.
			await waitFor(() => (onB.applied.at(-1) === duringOutage ? true : undefined), 15_000);
			expect(onB.applied).toEqual(range(start + 1, duringOutage));

			// Fan-out resumes: an order on A reaches B's screen as a live event through Redis.
			await placeOrder(a, pickupAt, 'After the outage');
			const end = await head(a);
			await waitFor(() => (onB.delivered.includes(end) ? true : undefined), 15_000);
			await waitFor(() => (onB.applied.at(-1) === end ? true : undefined), 15_000);
			expect(onB.applied).toEqual(range(start + 1, end));
			expect(onA.applied).toEqual(range(start + 1, end));

			// One line when Redis went and one when it came back, not one per retry.
			for (const server of [a, b]) {
				expect(linesSaying(server, 'redis is down')).toBe(1);
				expect(linesSaying(server, 'redis is back')).toBe(1);
			}
		}
	);
});
