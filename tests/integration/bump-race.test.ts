import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { postJson, startServer, type RunningServer } from '../helpers/server';

/*
 * Two packing screens bump the same ticket at the same moment, 1,000 times, each from its own
 * server process over one database file: every round exactly one wins, the other is told why.
 */

const ROUNDS = 1000;

/** One packing screen: its server, and the order as this screen last saw it. */
interface Screen {
	name: string;
	server: RunningServer;
	version: number;
}

let first: RunningServer;
let second: RunningServer;
let databasePath: string;

beforeAll(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakery-bump-race-'));
	databasePath = path.join(dir, 'bakery.sqlite');
	// The first process loads the demo bakery; the second opens the same file as it is.
	first = await startServer({
		DATABASE_PATH: databasePath,
		PUBLIC_RATE_LIMIT_PER_MINUTE: '100000000'
	});
	second = await startServer({
		DATABASE_PATH: databasePath,
		DEMO_DATA: 'false',
		PUBLIC_RATE_LIMIT_PER_MINUTE: '100000000'
	});
});
afterAll(async () => {
	await Promise.all([first?.stop(), second?.stop()]);
});

/** What the database holds about one order: its version, status history and events. */
function recorded(orderId: number) {
	const db = new Database(databasePath, { readonly: true });
	try {
		const row = db.prepare('SELECT version, status FROM orders WHERE id = ?').get(orderId) as {
			version: number;
			status: string;
		};
		const moves = db
			.prepare(
				'SELECT from_status AS "from", to_status AS "to" FROM order_status_history WHERE order_id = ? ORDER BY id'
			)
			.all(orderId) as { from: string; to: string }[];
		const events = db
			.prepare(`SELECT count(*) AS n FROM events WHERE order_id = ? AND type = 'order.updated'`)
			.get(orderId) as { n: number };
		return { ...row, moves, updates: events.n };
	} finally {
		db.close();
	}
}

describe('the same ticket bumped from two screens on two processes', () => {
	it(`lets exactly one screen win each of ${ROUNDS} rounds of pack and recall`, async () => {
		// A counter order of coffee needs no oven, so it can be packed the moment it is taken.
		const placed = await postJson(
			`${first.url}/api/orders`,
			{
				customer: { name: 'Race Tester' },
				fulfillment: { type: 'pickup' },
				lines: [{ sku: 'COFFEE', quantity: 1 }],
				channel: 'pos'
			},
			first.headers
		);
		expect(placed.status).toBe(201);
		const id: number = placed.body.id;
		const before = recorded(id);

		const screens: Screen[] = [
			{ name: 'first', server: first, version: placed.body.version },
			{ name: 'second', server: second, version: placed.body.version }
		];
		const wins = { first: 0, second: 0 };
		const refusals = new Map<string, number>();

		for (let round = 0; round < ROUNDS; round++) {
			const command = round % 2 === 0 ? 'pack' : 'recall';
			const answers = await Promise.all(
				screens.map((screen) =>
					postJson(
						`${screen.server.url}/api/orders/${id}/${command}`,
						{ expectedVersion: screen.version },
						screen.server.headers
					)
				)
			);

			const statuses = answers.map((answer) => answer.status).sort();
			if (statuses[0] !== 200 || statuses[1] !== 409) {
				throw new Error(
					`round ${round} (${command}): answers ${JSON.stringify(answers.map((a) => [a.status, a.body]))}`
				);
			}
			answers.forEach((answer, index) => {
				const screen = screens[index]!;
				if (answer.status === 200) {
					wins[screen.name as keyof typeof wins]++;
					screen.version = answer.body.version;
					return;
				}
				// The loser learns why and what the order is now, as a screen shows it.
				expect(answer.body.error.code).toBe('conflict');
				expect(answer.body.error.message).toMatch(/changed on another screen|already packed/);
				const reason = answer.body.error.message.replace(/\d+/g, 'N');
				refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
				screen.version = answer.body.error.current.version;
			});
			expect(screens[0]!.version).toBe(screens[1]!.version);
		}

		const after = recorded(id);
		const moves = after.moves.slice(before.moves.length);
		console.log('bump race: wins per screen', wins, 'refusals', Object.fromEntries(refusals));
		expect(wins.first + wins.second).toBe(ROUNDS);
		expect(after.version).toBe(before.version + ROUNDS);
		expect(after.updates - before.updates).toBe(ROUNDS);
		expect(moves).toHaveLength(ROUNDS);
		// One transition per round, alternating: packed, recalled, packed, ...
		expect(
			moves.every((move, index) => move.to === (index % 2 === 0 ? 'ready' : before.status))
		).toBe(true);
		expect(after.status).toBe(before.status);
	}, 120_000);
});
