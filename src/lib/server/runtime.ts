import { randomUUID } from 'node:crypto';

import { BackgroundWork, createProviders } from './background';
import { realClock, simulatedClock, type Clock } from './clock';
import { loadConfig, type Config } from './config';
import { BackupSchedule } from './db/backup-schedule';
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
	backups: BackupSchedule;
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

	if (config.demoData && isEmpty(db)) {
		const bakery = seedBakery(db, now());
		const history = config.demoHistory ? seedHistory(db, now(), config.shopTimeZone) : null;
		log.info(
			{ products: bakery.products.length, shop: bakery.shopName, history },
			'demo bakery loaded, with a finished day for the reports'
		);
	}

	const id = randomUUID();
	const hub = new RealtimeHub({
		db,
		log: log.child({ module: 'realtime' }),
		serverId: id,
		redisUrl: config.redisUrl,
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
	const backups = new BackupSchedule({
		db,
		settings: config.backup,
		log: log.child({ module: 'backup' })
	});
	backups.start();

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
		backups,
		providers,
		publish,
		group,
		async close() {
			await background.stop();
			await backups.stop();
			await hub.close();
			db.$client.close();
			delete registry[KEY];
		}
	};
}
