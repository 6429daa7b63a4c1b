import { randomBytes, randomInt, randomUUID } from 'node:crypto';

import { createClient, type RedisClientType } from 'redis';

import { addStaff, ensureManager } from './auth/staff';
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
import { PublicLimiter } from './security/rate-limit';
import { followShopZone } from './settings';

/** Sign-ins made on this start, printed once so the person starting the shop can get in. */
export interface FirstStart {
	manager?: { name: string; password: string };
	staff?: { name: string; pin: string };
	/** A shop found with no active manager: this one was made manager again from the environment. */
	restored?: string;
}

export interface Runtime extends Deps {
	/** Differs per process; lets a test prove that pages and sockets share one runtime. */
	id: string;
	startedAt: number;
	hub: RealtimeHub;
	clock: Clock;
	background: BackgroundWork;
	limiter: PublicLimiter;
	/** Settles once the first manager exists; says what sign-ins were made, to print them. */
	ready: Promise<FirstStart>;
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

/**
 * Loads the demo bakery into an empty database. The emptiness check and the load share one
 * `BEGIN IMMEDIATE`, so two processes starting on a fresh file at once seed it once: the second
 * waits for the first's commit and then finds products.
 */
/** Answers whether this call loaded the demo (false when another process got there first). */
function seedDemoOnce(db: Db, now: number, config: Config, log: Logger): boolean {
	const seeded = db.$client
		.transaction(() => {
			if (!isEmpty(db)) return null;
			const bakery = seedBakery(db, now);
			const history = config.demoHistory ? seedHistory(db, now, config.shopTimeZone) : null;
			return { products: bakery.products.length, shop: bakery.shopName, history };
		})
		.immediate();
	if (seeded) log.info(seeded, 'demo bakery loaded, with a finished day for the reports');
	return seeded !== null;
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
	followShopZone(db, config);
	log
		.child({ module: 'db' })
		.info({ path: config.databasePath }, 'database open, migrations applied');

	const freshDemo = config.demoData && seedDemoOnce(db, now(), config, log);

	const id = randomUUID();
	const hub = new RealtimeHub({
		db,
		log: log.child({ module: 'realtime' }),
		serverId: id,
		redisUrl: config.redisUrl,
		redisKey: config.redisKey,
		headBeaconMs: config.headBeaconMs,
		websocketOnly: config.workers > 1,
		get zone() {
			return config.shopTimeZone;
		},
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
	const { limiter, closeLimiter } = publicLimiter(config, log);
	const ready = firstSignIns(db, Date.now(), config, freshDemo);
	ready.catch((error: unknown) => log.error({ err: error }, 'could not set up the first manager'));
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
		limiter,
		ready,
		async close() {
			await background.stop();
			await backups.stop();
			await closeLimiter();
			await hub.close();
			db.$client.close();
			delete registry[KEY];
		}
	};
}

/**
 * A shop with no manager gets one: from MANAGER_NAME and MANAGER_PASSWORD when set, otherwise with
 * a random password printed once at start. A fresh demo bakery also gets a member of staff with
 * a random PIN, to try the screens as staff see them.
 */
async function firstSignIns(
	db: Db,
	now: number,
	config: Config,
	freshDemo: boolean
): Promise<FirstStart> {
	const first: FirstStart = {};
	const password = config.manager?.password ?? randomBytes(9).toString('base64url');
	const name = config.manager?.name ?? 'Manager';
	const made = await ensureManager(db, now, { name, password });
	if (made === 'created' && !config.manager) first.manager = { name, password };
	if (made === 'restored') first.restored = name;
	if (freshDemo) {
		const pin = String(randomInt(10_000)).padStart(4, '0');
		await addStaff(db, now, { name: 'Sam', role: 'staff', pin });
		first.staff = { name: 'Sam', pin };
	}
	return first;
}

/** The public limits, shared through Redis by the shop's processes when there is one. */
function publicLimiter(
	config: Config,
	log: Logger
): { limiter: PublicLimiter; closeLimiter: () => Promise<void> } {
	if (!config.redisUrl) {
		return { limiter: new PublicLimiter(config.rateLimits), closeLimiter: async () => {} };
	}
	// Without an offline queue a count asked while Redis is away fails at once, and the limiter
	// counts that request in this process instead.
	const client: RedisClientType = createClient({ url: config.redisUrl, disableOfflineQueue: true });
	client.on('error', (error: Error) =>
		log.child({ module: 'limits' }).debug({ err: error }, 'redis unreachable for rate limits')
	);
	client.connect().catch(() => {});
	return {
		limiter: new PublicLimiter(config.rateLimits, { client, key: config.redisKey }),
		closeLimiter: async () => {
			await client.close().catch(() => {});
		}
	};
}
