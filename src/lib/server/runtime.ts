import { randomUUID } from 'node:crypto';

import { BackgroundWork, createProviders } from './background';
import { realClock, simulatedClock, type Clock } from './clock';
import { loadConfig, type Config } from './config';
import { openDatabase, type Db } from './db/client';
import { GroupCommit } from './db/group-commit';
import type { Deps } from './deps';
import { seedHistory } from './demo/history';
import { isEmpty, seedBakery } from './demo/seed';
import { createRootLogger, type Logger } from './logger';
import { boardOrders, findOrderByToken } from './orders/queries';
import { RealtimeHub } from './realtime/hub';

export interface Runtime extends Deps {
	/** Differs per process; lets a test prove that pages and sockets share one runtime. */
	id: string;
	startedAt: number;
	hub: RealtimeHub;
	clock: Clock;
	background: BackgroundWork;
	close(): Promise<void>;
}

/*
 * SvelteKit's server bundle and server.ts each load their own copy of this module, and Vite's
 * dev server may reload it. The runtime (one database connection, one Socket.IO server) must
 * still be one per process, so it lives on globalThis under a registered symbol.
 */
const KEY = Symbol.for('bakery-flow.runtime');
const registry = globalThis as typeof globalThis & { [KEY]?: Runtime };

export function runtime(): Runtime {
	return (registry[KEY] ??= createRuntime(loadConfig(process.env)));
}

/**
 * Loads the demo bakery into an empty database. The emptiness check and the load share one
 * `BEGIN IMMEDIATE`, so two processes starting on a fresh file at once seed it once: the second
 * waits for the first's commit and then finds products.
 */
function seedDemoOnce(db: Db, now: number, config: Config, log: Logger): void {
	const seeded = db.$client
		.transaction(() => {
			if (!isEmpty(db)) return null;
			const bakery = seedBakery(db, now);
			const history = config.demoHistory ? seedHistory(db, now, config.shopTimeZone) : null;
			return { products: bakery.products.length, shop: bakery.shopName, history };
		})
		.immediate();
	if (seeded) log.info(seeded, 'demo bakery loaded, with a finished day for the reports');
}

function createRuntime(config: Config): Runtime {
	const log: Logger = createRootLogger(config.logLevel);
	const clock = config.clock ? simulatedClock(config.clock.start, config.clock.speed) : realClock();
	const now = () => clock.now();
	if (clock.simulated) {
		log
			.child({ module: 'clock' })
			.warn(
				{ start: new Date(now()).toISOString(), speed: clock.speed },
				'running on a simulated clock (CLOCK_START is set): for replays, not for a shop'
			);
	}
	const db: Db = openDatabase(config.databasePath);
	log
		.child({ module: 'db' })
		.info({ path: config.databasePath }, 'database open, migrations applied');

	if (config.demoData) seedDemoOnce(db, now(), config, log);

	const id = randomUUID();
	const hub = new RealtimeHub({
		db,
		log: log.child({ module: 'realtime' }),
		serverId: id,
		redisUrl: config.redisUrl,
		redisKey: config.redisKey,
		headBeaconMs: config.headBeaconMs,
		websocketOnly: config.workers > 1,
		zone: config.shopTimeZone,
		now,
		snapshot: () => boardOrders(db, now(), config.shopTimeZone),
		findByToken: (token) => findOrderByToken(db, token, config.shopTimeZone)
	});

	const providers = createProviders(config);
	const publish = (events: Parameters<Deps['publish']>[0]) => {
		hub.publish(events);
		background.kick();
	};
	const background = new BackgroundWork({ config, db, log, now, publish, providers });
	background.start();
	const group = new GroupCommit({ db, publish });

	return {
		id,
		startedAt: now(),
		config,
		db,
		log,
		now,
		hub,
		clock,
		background,
		providers,
		publish,
		group,
		async close() {
			await background.stop();
			await hub.close();
			db.$client.close();
			delete registry[KEY];
		}
	};
}
