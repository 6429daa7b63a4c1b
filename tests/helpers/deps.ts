import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pino from 'pino';

import type { LiveEvent } from '../../src/lib/realtime/contract';
import { loadConfig } from '../../src/lib/server/config';
import { openDatabase, type Db } from '../../src/lib/server/db/client';
import { seedBakery } from '../../src/lib/server/demo/seed';
import type { Deps } from '../../src/lib/server/deps';
import { AppError } from '../../src/lib/server/errors';
import { writeSettings, type ShopSettings } from '../../src/lib/server/settings';

export interface TestBakery {
	deps: Deps;
	db: Db;
	published: LiveEvent[];
	/** Moves the fixed clock. */
	setNow(instant: number): void;
	close(): void;
}

/** A demo bakery in a fresh SQLite file with the real migrations, a fixed clock and a recorder. */
export function testBakery(options: {
	now: number;
	zone?: string;
	data?: unknown;
	settings?: Partial<ShopSettings>;
}): TestBakery {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakery-test-'));
	const file = path.join(dir, 'bakery.sqlite');
	const config = loadConfig({
		DATABASE_PATH: file,
		SHOP_TIMEZONE: options.zone ?? 'Europe/London',
		LOG_LEVEL: 'silent'
	});
	const db = openDatabase(file);
	seedBakery(db, options.now, options.data);
	if (options.settings) writeSettings(db, options.settings);

	let now = options.now;
	const published: LiveEvent[] = [];
	const deps: Deps = {
		config,
		db,
		log: pino({ level: 'silent' }),
		now: () => now,
		publish: (events) => published.push(...events)
	};
	return {
		deps,
		db,
		published,
		setNow: (instant) => (now = instant),
		close: () => {
			db.$client.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** Row counts of every table an order touches, to prove a refusal wrote nothing. */
export function footprint(db: Db): Record<string, number> {
	const tables = [
		'orders',
		'order_lines',
		'order_status_history',
		'events',
		'counters',
		'stock_movements'
	];
	return Object.fromEntries(
		tables.map((table) => [
			table,
			(db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n
		])
	);
}

/** The AppError a call throws, for its status and the fields it names. */
export function refusal(call: () => unknown): AppError {
	try {
		call();
	} catch (error) {
		if (error instanceof AppError) return error;
		throw error;
	}
	throw new Error('expected the call to be refused');
}
