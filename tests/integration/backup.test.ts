import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import type { OrderView } from '../../src/lib/domain/order';
import { isOrderEvent, type SyncAnswer } from '../../src/lib/realtime/contract';
import { LiveFeed } from '../../src/lib/realtime/feed';
import { claimBackupSlot } from '../../src/lib/server/db/backup-schedule';
import { listBackups } from '../../src/lib/server/db/backup';
import { openDatabase } from '../../src/lib/server/db/client';
import {
	connectScreen,
	firstSlot,
	freePort,
	postJson,
	signIn,
	startServer,
	waitFor,
	type RunningServer
} from '../helpers/server';

const running: RunningServer[] = [];
afterEach(async () => {
	await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function start(env: Record<string, string>): Promise<RunningServer> {
	const server = await startServer(env);
	running.push(server);
	return server;
}

async function stop(server: RunningServer): Promise<number | null> {
	running.splice(running.indexOf(server), 1);
	return server.stop('SIGTERM');
}

function tempDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'bakery-backup-'));
}

/** Runs `npm run backup` or `npm run restore` the way an operator does, with its own env. */
function runScript(script: 'backup' | 'restore', args: string[], env: Record<string, string>) {
	const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk));
	return new Promise<{ code: number | null; output: string }>((resolve) =>
		child.once('exit', (code) => resolve({ code, output }))
	);
}

/** A coffee needs no oven, so these orders are valid whatever the hour the tests run. */
function anOrder(name: string, pickupAt: string) {
	return {
		customer: { name, phone: '+44 7700 900123' },
		fulfillment: { type: 'pickup', at: pickupAt },
		lines: [{ sku: 'COFFEE', quantity: 1 }]
	};
}

async function placeOrders(server: RunningServer, names: string[]): Promise<number[]> {
	const pickupAt = await firstSlot(server);
	const ids: number[] = [];
	for (const name of names) {
		const placed = await postJson(`${server.url}/api/orders`, anOrder(name, pickupAt));
		expect(placed.status).toBe(201);
		ids.push(placed.body.id as number);
	}
	return ids;
}

function readFile<T>(file: string, read: (sqlite: Database.Database) => T): T {
	const sqlite = new Database(file, { readonly: true, fileMustExist: true });
	try {
		return read(sqlite);
	} finally {
		sqlite.close();
	}
}

const orderIdsIn = (file: string) =>
	readFile(file, (sqlite) =>
		(sqlite.prepare('SELECT id FROM orders').all() as { id: number }[]).map((row) => row.id)
	);

/** A staff screen's picture of the orders, kept by the browser's own LiveFeed. */
function watchOrders(server: RunningServer) {
	const socket = connectScreen(server);
	const shown = new Map<number, OrderView>();
	const snapshots: number[] = [];
	const feed = new LiveFeed(socket, {
		onEvent: (event) => {
			if (isOrderEvent(event)) shown.set(event.order.id, event.order);
		},
		onSnapshot: (orders, head) => {
			shown.clear();
			for (const order of orders) shown.set(order.id, order);
			snapshots.push(head);
		}
	});
	return { socket, feed, shown, snapshots };
}

describe('backups and restore', () => {
	it('restores a backup taken on demand: orders before it are back, later ones gone, screens follow', async () => {
		const dir = tempDir();
		const backupDir = path.join(dir, 'backups');
		const databasePath = path.join(dir, 'bakery.sqlite');
		const env = {
			PORT: String(await freePort()),
			DATABASE_PATH: databasePath,
			BACKUP_DIR: backupDir,
			BACKUP_EVERY_MINUTES: '0'
		};
		let server = await start(env);
		const screen = watchOrders(server);
		// A second screen that is switched off during the restore and on again well after it.
		const away = watchOrders(server);
		await waitFor(() => (screen.socket.connected && away.socket.connected ? true : undefined));

		const before = await placeOrders(server, ['Ada Byrne', 'Bo Chen', 'Cy Dunn']);
		const late = await postJson(
			`${server.url}/api/admin/staff`,
			{ name: 'Late Leaver', role: 'staff', pin: '8642' },
			server.headers
		);
		const leaver = await signIn(server.url, { name: 'Late Leaver', password: '8642' });
		const made = await postJson(`${server.url}/api/admin/backups`, {}, server.headers);
		expect(made.status).toBe(201);
		expect(made.body).toMatchObject({ name: path.basename(made.body.file), pruned: [] });
		const listed = (await (
			await fetch(`${server.url}/api/admin/backups`, { headers: server.headers })
		).json()) as { dir: string; backups: { file: string }[] };
		expect(listed.dir).toBe(backupDir);
		expect(listed.backups.map((backup) => backup.file)).toEqual([made.body.file]);

		const between = await placeOrders(server, ['Di Egan', 'Ed Foy']);
		// The script copies the same live database from another process while the server runs.
		const script = await runScript('backup', [], {
			DATABASE_PATH: databasePath,
			BACKUP_DIR: backupDir
		});
		expect(script).toMatchObject({ code: 0, output: expect.stringContaining('intact') });
		const scripted = listBackups(backupDir)[0]!.file;
		expect(orderIdsIn(scripted)).toEqual(expect.arrayContaining([...before, ...between]));

		const after = await placeOrders(server, ['Flo Gray', 'Gus Hale']);
		await waitFor(() => (after.every((id) => screen.shown.has(id)) ? true : undefined));
		const aheadSeq = screen.feed.lastSeq;
		const snapshotsBefore = screen.snapshots.length;
		await waitFor(() => (away.feed.lastSeq === aheadSeq ? true : undefined));
		away.socket.disconnect();

		const refused = await runScript('restore', [made.body.file], { DATABASE_PATH: databasePath });
		expect(refused.code).toBe(1);
		expect(refused.output).toContain('open in another process');

		// Signed in before the backup, taken off after it: still off once the backup is restored.
		await fetch(`${server.url}/api/admin/staff/${late.body.id}`, {
			method: 'PATCH',
			headers: { ...server.headers, 'content-type': 'application/json' },
			body: JSON.stringify({ active: false })
		});
		const managerBefore = server.headers;

		expect(await stop(server)).toBe(0);
		const restored = await runScript('restore', [made.body.file], { DATABASE_PATH: databasePath });
		expect(restored).toMatchObject({ code: 0, output: expect.stringContaining('Restored') });
		const setAside = /kept as (\S+)/.exec(restored.output)?.[1];
		expect(setAside && orderIdsIn(setAside)).toEqual(
			expect.arrayContaining([...before, ...between, ...after])
		);

		expect(restored.output).toContain('staff and sign-ins are as they were');
		server = await start(env);
		const asLeaver = await fetch(`${server.url}/api/orders`, { headers: leaver });
		const asManager = await fetch(`${server.url}/api/orders`, { headers: managerBefore });
		expect([asLeaver.status, asManager.status]).toEqual([401, 200]);
		for (const id of before) {
			const found = await fetch(`${server.url}/api/orders/${id}`, { headers: server.headers });
			expect([id, found.status]).toEqual([id, 200]);
		}
		for (const id of [...between, ...after]) {
			const found = await fetch(`${server.url}/api/orders/${id}`, { headers: server.headers });
			expect([id, found.status]).toEqual([id, 404]);
		}
		expect(readFile(databasePath, (sqlite) => sqlite.pragma('integrity_check'))).toEqual([
			{ integrity_check: 'ok' }
		]);

		// The screen from before is ahead of the restored database, so it is answered a snapshot.
		await waitFor(() => (screen.snapshots.length > snapshotsBefore ? true : undefined), 15_000);
		const fresh = connectScreen(server);
		const answer: SyncAnswer = await fresh.emitWithAck('sync', { since: aheadSeq });
		fresh.disconnect();
		screen.socket.disconnect();
		expect(answer.kind).toBe('snapshot');
		if (answer.kind !== 'snapshot') return;
		const headInFile = readFile(
			databasePath,
			(sqlite) =>
				(sqlite.prepare('SELECT max(seq) AS head FROM events').get() as { head: number }).head
		);
		expect(answer.head).toBe(headInFile);
		expect(screen.snapshots.at(-1)).toBe(headInFile);
		const snapshotIds = answer.orders.map((order) => order.id).sort((a, b) => a - b);
		expect([...screen.shown.keys()].sort((a, b) => a - b)).toEqual(snapshotIds);
		expect(snapshotIds).toEqual(expect.arrayContaining(before));
		expect(snapshotIds.filter((id) => [...between, ...after].includes(id))).toEqual([]);

		// The restored log grows past the screen that was away: its sequence number alone would
		// look current, but it belongs to the log before the restore, so it too gets a snapshot.
		const later: number[] = [];
		const head = () =>
			readFile(
				databasePath,
				(sqlite) =>
					(sqlite.prepare('SELECT max(seq) AS head FROM events').get() as { head: number }).head
			);
		while (head() <= aheadSeq + 1) later.push(...(await placeOrders(server, ['Hal Ives'])));
		const awaySnapshots = away.snapshots.length;
		away.socket.connect();
		await waitFor(() => (away.snapshots.length > awaySnapshots ? true : undefined), 15_000);
		await waitFor(() => (later.every((id) => away.shown.has(id)) ? true : undefined));
		away.socket.disconnect();
		// Ids are not proof (the restored log hands out the lost orders' ids again); names are.
		const awayNames = [...away.shown.values()].map((order) => order.customer.name);
		expect(awayNames).toEqual(expect.arrayContaining(['Ada Byrne', 'Hal Ives']));
		expect(
			awayNames.filter((name) => ['Di Egan', 'Ed Foy', 'Flo Gray', 'Gus Hale'].includes(name))
		).toEqual([]);
	}, 60_000);

	it('backs up on a schedule from one of two processes per interval and keeps the newest', async () => {
		const dir = tempDir();
		const backupDir = path.join(dir, 'backups');
		const everyMinutes = 0.02; // 1.2 seconds
		const env = {
			DATABASE_PATH: path.join(dir, 'bakery.sqlite'),
			BACKUP_DIR: backupDir,
			BACKUP_EVERY_MINUTES: String(everyMinutes),
			BACKUP_KEEP: '2'
		};
		const first = await start(env);
		const second = await start(env);

		const made = () =>
			[...first.output, ...second.output]
				.filter((line) => line.includes('"msg":"database backed up"'))
				.map((line) => JSON.parse(line) as { file: string; takenAt: string; pruned: string[] });
		const lines = await waitFor(() => (made().length >= 4 ? made() : undefined), 30_000);

		const intervalMs = everyMinutes * 60_000;
		const slots = lines.map((line) => Math.floor(Date.parse(line.takenAt) / intervalMs));
		expect(slots.every(Number.isInteger)).toBe(true);
		expect(new Set(slots).size).toBe(slots.length);
		expect(lines.flatMap((line) => line.pruned).length).toBeGreaterThan(0);

		await Promise.all([stop(first), stop(second)]);
		const kept = listBackups(backupDir);
		expect(kept).toHaveLength(2);
		const everyName = lines.map((line) => path.basename(line.file)).sort();
		expect(kept.map((backup) => backup.name)).toEqual(everyName.slice(-2).reverse());
		expect(fs.readdirSync(backupDir).filter((name) => name.endsWith('.partial'))).toEqual([]);
		for (const backup of kept) {
			expect(readFile(backup.file, (sqlite) => sqlite.pragma('integrity_check'))).toEqual([
				{ integrity_check: 'ok' }
			]);
		}
	});

	it('gives each interval to the first process that claims it', () => {
		const file = path.join(tempDir(), 'bakery.sqlite');
		const one = openDatabase(file);
		const two = openDatabase(file);
		try {
			expect([claimBackupSlot(one, 7), claimBackupSlot(two, 7), claimBackupSlot(two, 8)]).toEqual([
				true,
				false,
				true
			]);
			expect(claimBackupSlot(one, 7)).toBe(false);
		} finally {
			one.$client.close();
			two.$client.close();
		}
	});

	it('refuses a backup from a newer version of the app and a damaged one', async () => {
		const dir = tempDir();
		const databasePath = path.join(dir, 'bakery.sqlite');
		const newer = path.join(dir, 'newer.sqlite');
		const db = openDatabase(newer);
		db.$client
			.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)')
			.run('from-the-future', Date.parse('2100-01-01T00:00:00Z'));
		db.$client.pragma('journal_mode = DELETE');
		db.$client.close();
		const tooNew = await runScript('restore', [newer], { DATABASE_PATH: databasePath });
		expect(tooNew.code).toBe(1);
		expect(tooNew.output).toContain('newer version of the app');

		const damaged = path.join(dir, 'damaged.sqlite');
		fs.copyFileSync(newer, damaged);
		const bytes = fs.readFileSync(damaged);
		bytes.fill(0x5a, 4096, 4096 * 3);
		fs.writeFileSync(damaged, bytes);
		const broken = await runScript('restore', [damaged], { DATABASE_PATH: databasePath });
		expect(broken.code).toBe(1);
		expect(broken.output).toMatch(/integrity check|malformed|not a database/);
		expect(fs.existsSync(databasePath)).toBe(false);
	});
});
