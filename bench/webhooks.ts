/**
 * Platform webhooks as Shopify sends them: how fast the webhook is answered (the platform's
 * timeout is what matters: Shopify waits 5 s and disables a webhook that keeps failing), and how
 * long until a staff screen sees the order, against the same order placed on /api/orders.
 * Runs the built server (`npm run build` first) with a fresh database per run.
 *
 *   npx tsx bench/webhooks.ts [--runs 3] [--orders 300]
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { LiveEvent } from '../src/lib/realtime/contract';
import type { BakerySocket } from '../src/lib/realtime/feed';
import { connectScreen, startServer, type RunningServer } from '../tests/helpers/server';
import { median, percentile, table, writeReport } from './common';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
	const at = args.indexOf(`--${name}`);
	return at >= 0 ? Number(args[at + 1]) : fallback;
};
const RUNS = option('runs', 3);
const ORDERS = option('orders', 300);
const SECRET = 'bench-shopify-secret';

// The project's shared example payload, edited only to carry our SKUs and a name per order.
const FIXTURE = JSON.parse(
	fs.readFileSync(path.resolve('../shared/data/payloads/shopify_order_fixture.json'), 'utf8')
).order;

function shopifyOrder(index: number) {
	const order = structuredClone(FIXTURE);
	order.id = 9_000_000 + index;
	order.updated_at = new Date().toISOString();
	order.customer.first_name = 'Hook';
	order.customer.last_name = `Bench${index}`;
	order.billing_address = null;
	order.shipping_address = null;
	order.shipping_lines = [];
	order.note_attributes = [{ name: 'Checkout-Method', value: 'pickup' }];
	order.line_items = [{ ...order.line_items[0], sku: 'COFFEE', quantity: 1, properties: [] }];
	return order;
}

function directOrder(index: number) {
	return {
		customer: { name: `Direct Bench${index}`, email: `bench${index}@example.org` },
		fulfillment: { type: 'pickup' },
		lines: [{ sku: 'COFFEE', quantity: 1 }]
	};
}

/** A signed-in staff screen, once it is connected. */
function connect(server: RunningServer): Promise<BakerySocket> {
	const socket = connectScreen(server);
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', reject);
	});
}

interface Figures {
	answerMs: { p50: number; p95: number; p99: number };
	toScreenMs: { p50: number; p95: number; p99: number };
	perSecond: number;
	refused: number;
	unseen: number;
}

const spread = (values: number[]) => ({
	p50: percentile(values, 50),
	p95: percentile(values, 95),
	p99: percentile(values, 99)
});

/** Sends `count` orders from `concurrency` clients, by webhook or directly, timing both ends. */
async function send(
	server: RunningServer,
	screen: BakerySocket,
	kind: 'webhook' | 'direct',
	count: number,
	concurrency: number,
	offset: number
): Promise<Figures> {
	const sentAt = new Map<string, number>();
	const seenAt = new Map<string, number>();
	const onEvent = (event: LiveEvent) => {
		if (event.type !== 'order.created') return;
		const name = event.order.customer.name;
		if (!seenAt.has(name)) seenAt.set(name, performance.now());
	};
	screen.on('event', onEvent);

	const answers: number[] = [];
	let refused = 0;
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < count) {
				const index = offset + next++;
				const at = performance.now();
				let response: Response;
				if (kind === 'webhook') {
					const body = JSON.stringify(shopifyOrder(index));
					sentAt.set(`Hook Bench${index}`, at);
					response = await fetch(`${server.url}/api/webhooks/shopify`, {
						method: 'POST',
						headers: {
							'content-type': 'application/json',
							'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
							'x-shopify-webhook-id': `bench-${index}`,
							'x-shopify-topic': 'orders/create'
						},
						body
					});
				} else {
					sentAt.set(`Direct Bench${index}`, at);
					response = await fetch(`${server.url}/api/orders`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(directOrder(index))
					});
				}
				answers.push(performance.now() - at);
				if (response.status !== (kind === 'webhook' ? 200 : 201)) refused += 1;
				await response.arrayBuffer();
			}
		})
	);
	const seconds = (performance.now() - started) / 1000;
	const deadline = performance.now() + 10_000;
	while (seenAt.size < count - refused && performance.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	screen.off('event', onEvent);
	const toScreen = [...seenAt].flatMap(([name, at]) =>
		sentAt.has(name) ? [at - sentAt.get(name)!] : []
	);
	return {
		answerMs: spread(answers),
		toScreenMs: spread(toScreen),
		perSecond: count / seconds,
		refused,
		unseen: count - refused - toScreen.length
	};
}

async function run() {
	const server = await startServer({ SHOPIFY_WEBHOOK_SECRET: SECRET });
	try {
		const screen = await connect(server);
		await send(server, screen, 'webhook', 30, 2, 0);
		await send(server, screen, 'direct', 30, 2, 0);
		const webhookOne = await send(server, screen, 'webhook', ORDERS, 1, 1_000);
		const directOne = await send(server, screen, 'direct', ORDERS, 1, 1_000);
		const webhookEight = await send(server, screen, 'webhook', ORDERS, 8, 10_000);
		const directEight = await send(server, screen, 'direct', ORDERS, 8, 10_000);
		screen.disconnect();
		return { webhookOne, directOne, webhookEight, directEight };
	} finally {
		await server.stop();
	}
}

const runs: Awaited<ReturnType<typeof run>>[] = [];
for (let index = 0; index < RUNS; index += 1) {
	runs.push(await run());
	console.log(`run ${index + 1} of ${RUNS} done`);
}

type Key = keyof (typeof runs)[number];
const mid = (key: Key, pick: (figures: Figures) => number) =>
	median(runs.map((run) => pick(run[key])));
const ms = (value: number) => `${value.toFixed(1)}`;
const trio = (key: Key, which: 'answerMs' | 'toScreenMs') =>
	`${ms(mid(key, (f) => f[which].p50))} / ${ms(mid(key, (f) => f[which].p95))} / ${ms(mid(key, (f) => f[which].p99))} ms`;
const problems = (key: Key) => {
	const refused = Math.max(...runs.map((run) => run[key].refused));
	const unseen = Math.max(...runs.map((run) => run[key].unseen));
	return refused || unseen ? `${refused} refused, ${unseen} never on screen` : 'all on screen';
};
const ratio = (a: Key, b: Key) =>
	(mid(a, (f) => f.toScreenMs.p50) / mid(b, (f) => f.toScreenMs.p50)).toFixed(2);

const rows = [
	['Shopify webhook answered, 1 client', trio('webhookOne', 'answerMs'), problems('webhookOne')],
	['Shopify webhook to screen, 1 client', trio('webhookOne', 'toScreenMs'), ''],
	['/api/orders to screen, 1 client', trio('directOne', 'toScreenMs'), problems('directOne')],
	[
		'Shopify webhook answered, 8 clients',
		trio('webhookEight', 'answerMs'),
		problems('webhookEight')
	],
	['Shopify webhook to screen, 8 clients', trio('webhookEight', 'toScreenMs'), ''],
	['/api/orders to screen, 8 clients', trio('directEight', 'toScreenMs'), problems('directEight')]
];

writeReport(
	'bench-webhooks',
	{ runs, orders: ORDERS },
	[
		`# Platform webhooks (median of ${RUNS} runs, ${ORDERS} orders per row)`,
		'',
		table(['measure', 'p50 / p95 / p99', 'notes'], rows),
		'',
		`Webhook to screen over direct intake to screen (p50): ${ratio('webhookOne', 'directOne')}× with one client, ${ratio('webhookEight', 'directEight')}× with eight.`,
		'The webhook is answered once the delivery is stored (one durable write); the order is made',
		'after, from the inbox, so the second row is the whole way from Shopify to the oven screen.',
		`Webhook throughput with 8 clients: ${mid('webhookEight', (f) => f.perSecond).toFixed(0)} deliveries/s.`
	].join('\n')
);
process.exit(0);
