/**
 * One process against two on one machine: orders from 16 clients spread over the processes,
 * and the time from sending an order to a screen on the *other* process seeing it (through
 * Redis), against the same screen on the one process. Each setup gets a fresh database per run;
 * the figures are the median of the runs. Needs `npm run build` and Redis (REDIS_URL, default
 * redis://127.0.0.1:6379; each run uses a key of its own).
 *
 *   npx tsx bench/scale.ts [--runs 3] [--orders 1500] [--clients 16]
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { io, type Socket } from 'socket.io-client';

import type { LiveEvent } from '../src/lib/realtime/contract';
import { startServer, type RunningServer } from '../tests/helpers/server';
import { median, percentile, table, writeReport } from './common';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
	const at = args.indexOf(`--${name}`);
	return at >= 0 ? Number(args[at + 1]) : fallback;
};
const RUNS = option('runs', 3);
const ORDERS = option('orders', 1500);
const CLIENTS = option('clients', 16);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Screen = Socket<{ event: (event: LiveEvent) => void }>;

function connect(server: RunningServer): Promise<Screen> {
	return new Promise((resolve, reject) => {
		const socket: Screen = io(server.url, {
			transports: ['websocket'],
			extraHeaders: server.headers,
			reconnection: false
		});
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', reject);
	});
}

/** Counter orders: nothing to bake, so the figure is intake and fan-out, not the planner. */
function counterOrder(name: string) {
	return {
		customer: { name },
		fulfillment: { type: 'pickup' },
		channel: 'pos',
		lines: [{ sku: 'COFFEE', quantity: 1 }]
	};
}

interface Setup {
	name: string;
	processes: number;
	redis: boolean;
}

interface Figures {
	perSecond: number;
	errors: number;
	p50: number;
	p99: number;
}

async function run(setup: Setup): Promise<Figures> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakery-bench-scale-'));
	const env: Record<string, string> = { DATABASE_PATH: path.join(dir, 'bakery.sqlite') };
	if (setup.redis) Object.assign(env, { REDIS_URL, REDIS_KEY: `bakery-bench:${randomUUID()}` });
	// The first starts alone so the second finds the database migrated and seeded.
	const servers = [await startServer(env)];
	while (servers.length < setup.processes) servers.push(await startServer(env));
	// The watching screen sits on the last process; with two, every order taken on the first
	// reaches it through Redis.
	const screen = await connect(servers.at(-1)!);

	const sentAt = new Map<string, number>();
	const seenAt = new Map<string, number>();
	screen.on('event', (event) => {
		if (event.type !== 'order.created') return;
		const name = event.order.customer.name;
		if (!seenAt.has(name)) seenAt.set(name, performance.now());
	});

	let next = 0;
	let errors = 0;
	let acknowledged = 0;
	const crossing = new Set<string>();
	const started = performance.now();
	await Promise.all(
		Array.from({ length: CLIENTS }, async (_, client) => {
			const server = servers[client % servers.length]!;
			while (next < ORDERS) {
				const name = `Bench ${next++}`;
				if (server !== servers.at(-1) || servers.length === 1) crossing.add(name);
				sentAt.set(name, performance.now());
				const response = await fetch(`${server.url}/api/orders`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', ...server.headers },
					body: JSON.stringify(counterOrder(name))
				});
				if (response.status === 201) acknowledged += 1;
				else errors += 1;
				await response.arrayBuffer();
			}
		})
	);
	const seconds = (performance.now() - started) / 1000;
	const deadline = performance.now() + 5000;
	while (seenAt.size < acknowledged && performance.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}

	screen.disconnect();
	await Promise.all(servers.map((server) => server.stop()));
	fs.rmSync(dir, { recursive: true, force: true });
	const latencies = [...crossing]
		.filter((name) => seenAt.has(name))
		.map((name) => seenAt.get(name)! - sentAt.get(name)!);
	return {
		perSecond: acknowledged / seconds,
		errors: errors + (acknowledged - seenAt.size),
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99)
	};
}

const SETUPS: Setup[] = [
	{ name: '1 process, no Redis', processes: 1, redis: false },
	{ name: '1 process, Redis adapter', processes: 1, redis: true },
	{ name: '2 processes, Redis, one database', processes: 2, redis: true }
];

const results: { setup: Setup; runs: Figures[]; median: Figures }[] = [];
for (const setup of SETUPS) {
	const runs: Figures[] = [];
	for (let index = 0; index < RUNS; index += 1) runs.push(await run(setup));
	const of = (key: keyof Figures) => median(runs.map((figures) => figures[key]));
	results.push({
		setup,
		runs,
		median: { perSecond: of('perSecond'), errors: of('errors'), p50: of('p50'), p99: of('p99') }
	});
	console.log(setup.name, JSON.stringify(results.at(-1)!.median));
}

const rows = results.map(({ setup, median: m }) => [
	setup.name,
	m.perSecond.toFixed(0),
	m.p50.toFixed(1),
	m.p99.toFixed(1),
	m.errors
]);
writeReport(
	'bench-scale',
	{ orders: ORDERS, clients: CLIENTS, runs: RUNS, cores: os.cpus().length, results },
	[
		`# One process against two (${ORDERS} counter orders, ${CLIENTS} clients, median of ${RUNS} runs, ${os.cpus().length} cores)`,
		'',
		'Latency: from sending an order to a screen on the last process receiving its event; with',
		'two processes, only orders taken on the other process count, so it includes the Redis hop.',
		'',
		table(['setup', 'orders/s', 'to screen p50 ms', 'to screen p99 ms', 'errors'], rows),
		''
	].join('\n')
);
