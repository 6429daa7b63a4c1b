import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { LINE_ROUTES, type OrderView } from '../../src/lib/domain/order';
import { isOrderEvent } from '../../src/lib/realtime/contract';
import { LiveFeed } from '../../src/lib/realtime/feed';
import type { PlanView } from '../../src/lib/server/production/plan-view';
import {
	connectScreen,
	freePort,
	startServer,
	waitFor,
	type RunningServer
} from '../helpers/server';

const CLIENTS = 16;
/** The kill comes once this many orders are answered 201, with the other clients mid-request. */
const KILL_AFTER_ACKS = 60;

let server: RunningServer | undefined;
afterAll(async () => {
	await server?.stop();
});

/**
 * Online pickup orders as soon as possible, so the shop finds each a slot with room whatever the
 * hour. Every other one has something to bake, so the plan is written with the order.
 */
function anOrder(client: number, round: number) {
	const bakes = (client + round) % 2 === 0;
	return {
		customer: { name: `Client ${client} Round ${round}`, phone: '+44 7700 900123' },
		fulfillment: { type: 'pickup' },
		lines: bakes
			? [
					{ sku: 'CROISSANT', quantity: 2 },
					{ sku: 'COFFEE', quantity: 1 }
				]
			: [{ sku: 'COFFEE', quantity: 1 }]
	};
}

interface Tally {
	sent: number;
	/** Answered 201: the server says these are on disk. */
	acked: Map<number, { key: string; lineCount: number; number: string }>;
	/** Answered with another status (a refusal, say): not a loss, but counted. */
	otherStatus: Map<number, number>;
	/** No answer: the connection died with the server. */
	unanswered: string[];
}

/** One till: places orders one after another until the server stops answering. */
async function till(url: string, client: number, tally: Tally, stop: { now: boolean }) {
	for (let round = 0; !stop.now; round++) {
		const key = `crash-${client}-${round}-${process.pid}`;
		const body = anOrder(client, round);
		tally.sent++;
		try {
			const response = await fetch(`${url}/api/orders`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'idempotency-key': key },
				body: JSON.stringify(body)
			});
			const answer = (await response.json()) as { id: number; number: string };
			if (response.status === 201) {
				tally.acked.set(answer.id, { key, lineCount: body.lines.length, number: answer.number });
			} else {
				tally.otherStatus.set(response.status, (tally.otherStatus.get(response.status) ?? 0) + 1);
			}
		} catch {
			// Reset by the kill: whether it was committed is for the checks after the restart.
			tally.unanswered.push(key);
			return;
		}
	}
}

function count(sqlite: Database.Database, sql: string, ...params: unknown[]): number {
	return (sqlite.prepare(sql).get(...params) as { n: number }).n;
}

describe('a server killed while sixteen tills place orders', () => {
	it('keeps every order it answered 201, whole, on the screens and in the plan', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakery-crash-'));
		const env = {
			PORT: String(await freePort()),
			DATABASE_PATH: path.join(dir, 'bakery.sqlite'),
			BACKUP_EVERY_MINUTES: '0'
		};
		server = await startServer(env);
		const before = new Database(env.DATABASE_PATH, { readonly: true });
		const lastIdBefore = count(before, 'SELECT coalesce(max(id), 0) AS n FROM orders');
		before.close();

		// A screen open through the crash: it may only ever show what was committed.
		const wall = connectScreen(server);
		const shownOnWall = new Map<number, OrderView>();
		const wallFeed = new LiveFeed(wall, {
			onEvent: (event) =>
				void (isOrderEvent(event) && shownOnWall.set(event.order.id, event.order)),
			onSnapshot: (orders) => {
				shownOnWall.clear();
				for (const order of orders) shownOnWall.set(order.id, order);
			}
		});
		await waitFor(() => (wall.connected ? true : undefined));

		const tally: Tally = { sent: 0, acked: new Map(), otherStatus: new Map(), unanswered: [] };
		const stop = { now: false };
		const tills = Array.from({ length: CLIENTS }, (_, client) =>
			till(server!.url, client, tally, stop)
		);
		await waitFor(() => (tally.acked.size >= KILL_AFTER_ACKS ? true : undefined), 60_000);
		const inFlightAtKill =
			tally.sent - tally.acked.size - [...tally.otherStatus.values()].reduce((a, b) => a + b, 0);
		expect(await server.stop('SIGKILL')).toBe(null);
		stop.now = true;
		await Promise.all(tills);
		await waitFor(() => (wall.connected ? undefined : true));

		server = await startServer(env);
		const headers = server.headers;

		// Straight from the file, the way an auditor would look.
		const sqlite = new Database(env.DATABASE_PATH, { readonly: true });
		const newOrders = sqlite
			.prepare('SELECT id, idempotency_key AS key FROM orders WHERE id > ?')
			.all(lastIdBefore) as { id: number; key: string }[];
		const inFile = new Set(newOrders.map((row) => row.id));
		const unansweredKeys = new Set(tally.unanswered);
		const committedUnanswered = newOrders.filter((row) => unansweredKeys.has(row.key)).length;

		console.log(
			`crash test: sent ${tally.sent}, acknowledged ${tally.acked.size}, found after restart ${inFile.size}, ` +
				`unanswered ${tally.unanswered.length} (of them committed: ${committedUnanswered}), ` +
				`in flight at the kill ${inFlightAtKill}, other answers ${JSON.stringify(Object.fromEntries(tally.otherStatus))}`
		);
		expect(tally.unanswered.length).toBeGreaterThan(0);
		expect(inFile.size).toBeGreaterThanOrEqual(tally.acked.size);
		expect([...tally.acked.keys()].filter((id) => !inFile.has(id))).toEqual([]);

		expect(sqlite.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
		// Nothing half written, answered or not: each order has its lines and its event.
		const linesPer = new Map(
			(
				sqlite
					.prepare(
						'SELECT order_id AS id, count(*) AS n FROM order_lines WHERE order_id > ? GROUP BY order_id'
					)
					.all(lastIdBefore) as { id: number; n: number }[]
			).map((row) => [row.id, row.n])
		);
		for (const [id, sent] of tally.acked)
			expect([id, linesPer.get(id)]).toEqual([id, sent.lineCount]);
		expect(newOrders.filter((row) => !linesPer.has(row.id))).toEqual([]);
		expect(
			count(
				sqlite,
				`SELECT count(*) AS n FROM orders o WHERE o.id > ? AND NOT EXISTS
					(SELECT 1 FROM events e WHERE e.order_id = o.id AND e.type = 'order.created')`,
				lastIdBefore
			)
		).toBe(0);
		expect(
			count(
				sqlite,
				'SELECT count(*) AS n FROM order_lines l LEFT JOIN orders o ON o.id = l.order_id WHERE o.id IS NULL'
			)
		).toBe(0);
		// The stock ledger and its running totals agree, and the holds are the lines' holds.
		const stockDrift = sqlite
			.prepare(
				`SELECT s.product_id, s.on_hand, s.reserved,
					coalesce((SELECT sum(m.on_hand_delta) FROM stock_movements m WHERE m.product_id = s.product_id), 0) AS ledger_on_hand,
					coalesce((SELECT sum(m.reserved_delta) FROM stock_movements m WHERE m.product_id = s.product_id), 0) AS ledger_reserved,
					coalesce((SELECT sum(l.reserved_units) FROM order_lines l WHERE l.product_id = s.product_id), 0) AS line_reserved
				FROM product_stock s
				WHERE s.on_hand != ledger_on_hand OR s.reserved != ledger_reserved OR s.reserved != line_reserved`
			)
			.all();
		expect(stockDrift).toEqual([]);
		sqlite.close();

		// Through the API, every acknowledged order as it was answered.
		const views = new Map<number, OrderView>();
		for (const [id, sent] of tally.acked) {
			const response = await fetch(`${server.url}/api/orders/${id}`, { headers });
			expect([id, response.status]).toEqual([id, 200]);
			const view = (await response.json()) as OrderView;
			expect([id, view.number]).toEqual([id, sent.number]);
			views.set(id, view);
		}

		// In the plan: each line has a route, and every line routed to bake feeds a planned tray.
		const plan = (await (await fetch(`${server.url}/api/plan`, { headers })).json()) as PlanView;
		const fed = new Set(
			plan.loads.flatMap((load) =>
				load.trays.flatMap((tray) => tray.feeds.map((feed) => `${feed.orderNumber} ${tray.sku}`))
			)
		);
		const routes = [...views.values()].flatMap((view) => view.lines.map((line) => line.route));
		expect(routes.every((route) => (LINE_ROUTES as readonly string[]).includes(route))).toBe(true);
		const unplanned = [...views.values()].flatMap((view) =>
			view.lines
				.filter((line) => line.route === 'bake' && !fed.has(`${view.number} ${line.sku}`))
				.map((line) => `${view.number} ${line.sku}`)
		);
		expect(unplanned).toEqual([]);
		expect(routes).toContain('bake');

		// On the screens: the one open through the crash catches up, and a new one syncs.
		const shownIds = () => [...shownOnWall.keys()];
		await waitFor(
			() => ([...tally.acked.keys()].every((id) => shownOnWall.has(id)) ? true : undefined),
			20_000
		);
		expect(shownIds().filter((id) => id > lastIdBefore && !inFile.has(id))).toEqual([]);
		wallFeed.stop();
		wall.disconnect();

		const fresh = connectScreen(server);
		const answer = await fresh.emitWithAck('sync', { since: 0 });
		fresh.disconnect();
		const synced = new Set(
			answer.kind === 'snapshot'
				? answer.orders.map((order) => order.id)
				: answer.events.filter(isOrderEvent).map((event) => event.order.id)
		);
		expect([...tally.acked.keys()].filter((id) => !synced.has(id))).toEqual([]);
	});
});
