/**
 * The server end to end, as the shop uses it: orders over HTTP with screens connected, the time
 * from an order to a screen seeing it, a screen catching up after missing a thousand events,
 * and the memory a connected screen costs. Runs the built server (`npm run build` first) in its
 * own process with a fresh database per run.
 *
 *   npx tsx bench/intake.ts [--runs 3] [--orders 2000]
 */
import { performance } from 'node:perf_hooks';

import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';

import type { LiveEvent, SyncAnswer } from '../src/lib/realtime/contract';
import { startServer, type RunningServer } from '../tests/helpers/server';
import { median, percentile, table, writeReport } from './common';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
	const at = args.indexOf(`--${name}`);
	return at >= 0 ? Number(args[at + 1]) : fallback;
};
const RUNS = option('runs', 3);
const ORDERS = option('orders', 2000);
const SCREENS = 20;

type Screen = Socket<
	{ event: (event: LiveEvent) => void },
	{ sync: (r: { since: number }, ack: (a: SyncAnswer) => void) => void }
>;

function connect(server: RunningServer): Promise<Screen> {
	return new Promise((resolve, reject) => {
		const socket: Screen = io(server.url, {
			transports: ['websocket'],
			reconnection: false,
			extraHeaders: server.headers
		});
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', reject);
	});
}

/** Counter orders: nothing to bake, so the figure is intake and sync, not the planner. */
function counterOrder(index: number) {
	return {
		customer: { name: `Bench ${index}` },
		fulfillment: { type: 'pickup' },
		channel: 'pos',
		lines: [
			{ sku: 'COFFEE', quantity: 1 + (index % 3) },
			{ sku: 'TEA', quantity: 1 }
		]
	};
}

interface IntakeFigures {
	concurrency: number;
	orders: number;
	seconds: number;
	perSecond: number;
	errors: number;
	durable: boolean;
	latencyMs: { p50: number; p95: number; p99: number };
}

/**
 * Places `count` orders from `concurrency` clients. Latency runs from sending the request to the
 * first screen receiving the order's event: an upper bound on "accepted to on screen", since it
 * also holds the request's own time.
 */
async function intake(
	server: RunningServer,
	screens: Screen[],
	count: number,
	concurrency: number
): Promise<IntakeFigures> {
	const sentAt = new Map<string, number>();
	const seenAt = new Map<string, number>();
	const watcher = screens[0]!;
	const onEvent = (event: LiveEvent) => {
		if (event.type !== 'order.created') return;
		const name = event.order.customer.name;
		if (!seenAt.has(name)) seenAt.set(name, performance.now());
	};
	watcher.on('event', onEvent);

	let next = 0;
	let errors = 0;
	const acknowledged: number[] = [];
	const started = performance.now();
	const offset = Date.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < count) {
				const index = next++;
				const body = counterOrder(offset + index);
				sentAt.set(body.customer.name, performance.now());
				const response = await fetch(`${server.url}/api/orders`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', ...server.headers },
					body: JSON.stringify(body)
				});
				if (response.status !== 201) errors += 1;
				else acknowledged.push(((await response.json()) as { id: number }).id);
			}
		})
	);
	const seconds = (performance.now() - started) / 1000;
	const deadline = performance.now() + 5000;
	while (seenAt.size < acknowledged.length && performance.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	watcher.off('event', onEvent);

	const latencies = [...seenAt].map(([name, at]) => at - sentAt.get(name)!);
	const db = new Database(server.databasePath, { readonly: true });
	const stored = db
		.prepare(`select count(*) as n from orders where id in (${acknowledged.join(',') || 0})`)
		.get() as { n: number };
	db.close();
	return {
		concurrency,
		orders: count,
		seconds,
		perSecond: acknowledged.length / seconds,
		errors: errors + (acknowledged.length - seenAt.size),
		durable: stored.n === acknowledged.length,
		latencyMs: {
			p50: percentile(latencies, 50),
			p95: percentile(latencies, 95),
			p99: percentile(latencies, 99)
		}
	};
}

interface CatchUp {
	missed: number;
	ms: number;
	missing: number;
	duplicated: number;
	kind: SyncAnswer['kind'];
}

/** A screen misses about a thousand events, then asks for them the way a screen does. */
async function catchUp(server: RunningServer): Promise<CatchUp> {
	const probe = await connect(server);
	const head = await new Promise<number>((resolve) =>
		probe.emit('sync', { since: Number.MAX_SAFE_INTEGER }, (answer) => resolve(answer.head))
	);
	probe.disconnect();
	// Each counter order writes one event; 1,000 of them is the most that is answered as events.
	for (let index = 0; index < 1000; index += 25) {
		await Promise.all(
			Array.from({ length: 25 }, (_, offset) =>
				fetch(`${server.url}/api/orders`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', ...server.headers },
					body: JSON.stringify(counterOrder(1e9 + index + offset))
				})
			)
		);
	}
	const started = performance.now();
	const screen = await connect(server);
	const answer = await new Promise<SyncAnswer>((resolve) =>
		screen.emit('sync', { since: head }, resolve)
	);
	const ms = performance.now() - started;
	screen.disconnect();
	const seqs = answer.kind === 'events' ? answer.events.map((event) => event.seq) : [];
	const unique = new Set(seqs);
	const expected = answer.head - head;
	return {
		missed: expected,
		ms,
		missing: answer.kind === 'events' ? expected - unique.size : 0,
		duplicated: seqs.length - unique.size,
		kind: answer.kind
	};
}

/** The server's own heap figure after a full collection, from its Prometheus endpoint. */
async function heapBytes(server: RunningServer): Promise<number> {
	server.process.kill('SIGUSR2');
	await new Promise((resolve) => setTimeout(resolve, 300));
	const text = await (await fetch(`${server.url}/metrics`, { headers: server.headers })).text();
	// Socket buffers live outside the JavaScript heap; count both.
	const heap = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)![1]);
	const external = Number(/^nodejs_external_memory_bytes (\S+)/m.exec(text)?.[1] ?? 0);
	return heap + external;
}

/** JavaScript heap the server gains per connected screen, over 500 screens. */
async function memoryPerScreen(server: RunningServer): Promise<number> {
	const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
	const reading = async () => {
		const values = [];
		for (let index = 0; index < 3; index += 1) {
			values.push(await heapBytes(server));
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		return median(values);
	};
	await settle();
	const before = await reading();
	const extra = await Promise.all(Array.from({ length: 500 }, () => connect(server)));
	await settle();
	const after = await reading();
	for (const socket of extra) socket.disconnect();
	return (after - before) / 500 / 1024;
}

async function run() {
	const server = await startServer({}, { entry: 'bench/gc-server.ts', nodeArgs: ['--expose-gc'] });
	try {
		const screens = await Promise.all(Array.from({ length: SCREENS }, () => connect(server)));
		// Warm up the server's code paths before measuring.
		await intake(server, screens, 100, 4);
		const one = await intake(server, screens, Math.round(ORDERS / 4), 1);
		const sixteen = await intake(server, screens, ORDERS, 16);
		const reconnect = await catchUp(server);
		const memoryKb = await memoryPerScreen(server);
		for (const socket of screens) socket.disconnect();
		return { one, sixteen, reconnect, memoryKb };
	} finally {
		await server.stop();
	}
}

const runs: Awaited<ReturnType<typeof run>>[] = [];
for (let index = 0; index < RUNS; index += 1) {
	runs.push(await run());
	console.log(`run ${index + 1} of ${RUNS} done`);
}

const mid = (pick: (run: (typeof runs)[number]) => number) => median(runs.map(pick));
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const rows = [
	[
		'intake, 1 client',
		`${round(
			mid((run) => run.one.perSecond),
			0
		)} orders/s`,
		'—',
		runs.every((run) => run.one.errors === 0 && run.one.durable)
			? '0 errors, all on disk'
			: 'errors'
	],
	[
		'intake, 16 clients',
		`${round(
			mid((run) => run.sixteen.perSecond),
			0
		)} orders/s`,
		'≥ 1,500 orders/s',
		runs.every((run) => run.sixteen.errors === 0 && run.sixteen.durable)
			? '0 errors, all on disk'
			: 'errors'
	],
	[
		'order to screen, 1 client (p50 / p95 / p99)',
		`${round(mid((run) => run.one.latencyMs.p50))} / ${round(mid((run) => run.one.latencyMs.p95))} / ${round(mid((run) => run.one.latencyMs.p99))} ms`,
		'p99 ≤ 20 ms',
		''
	],
	[
		'order to screen, 16 clients (p50 / p95 / p99)',
		`${round(mid((run) => run.sixteen.latencyMs.p50))} / ${round(mid((run) => run.sixteen.latencyMs.p95))} / ${round(mid((run) => run.sixteen.latencyMs.p99))} ms`,
		'p99 ≤ 50 ms',
		''
	],
	[
		`reconnect after ${runs[0]!.reconnect.missed} missed events`,
		`${round(mid((run) => run.reconnect.ms))} ms`,
		'≤ 200 ms, 0 missing, 0 duplicated',
		`${Math.max(...runs.map((run) => run.reconnect.missing))} missing, ${Math.max(...runs.map((run) => run.reconnect.duplicated))} duplicated (${runs[0]!.reconnect.kind})`
	],
	[
		'server memory per connected screen',
		`${round(mid((run) => run.memoryKb))} KB`,
		'≤ 50 KB',
		'heap and external memory growth over 500 screens, after a full collection'
	]
];

writeReport(
	'bench-intake',
	{ runs, screens: SCREENS, orders: ORDERS },
	[
		`# Intake, sync and memory (median of ${RUNS} runs, ${SCREENS} screens connected)`,
		'',
		table(['measure', 'result', 'target', 'notes'], rows),
		'',
		'Latency runs from sending the order to the first screen receiving its event, so it also holds',
		'the request itself: an upper bound on the time from acceptance to the screen. Orders are',
		'counter orders (nothing to bake); with oven work each order also waits for the planner',
		'(see bench-planner.md).'
	].join('\n')
);
process.exit(0);
