import type { Server as HttpServer } from 'node:http';

import { createAdapter } from '@socket.io/redis-adapter';
import { createClient, type RedisClientType } from 'redis';
import { Server, type Namespace } from 'socket.io';

import type { OrderView } from '../../domain/order';
import { wallClock } from '../../domain/shop-time';
import {
	isOrderEvent,
	SNAPSHOT_THRESHOLD,
	type PublicClientToServerEvents,
	type PublicServerToClientEvents,
	type PublicTicket,
	type ClientToServerEvents,
	type LiveEvent,
	type ServerToClientEvents,
	type SyncAnswer
} from '../../realtime/contract';
import type { Db } from '../db/client';
import { countSince, databaseId, eventsSince, headSeq } from '../events/log';
import type { Logger } from '../logger';
import { guardStaff, refuseOthers, sessionRoom } from './guard';
import { toTicket, toTracked } from './public-view';

export type BakeryServer = Server<ClientToServerEvents, ServerToClientEvents>;

/** How the hub reaches the other processes: not at all (one process), or through Redis. */
export type RedisState = 'not used' | 'connected' | 'down';

/** How long start waits for Redis before serving its own screens alone. */
const REDIS_START_WAIT_MS = 5_000;
type PublicNamespace = Namespace<PublicClientToServerEvents, PublicServerToClientEvents>;

interface HubOptions {
	db: Db;
	log: Logger;
	serverId: string;
	redisUrl: string | undefined;
	/** Prefix of this bakery's Redis channels. */
	redisKey: string;
	/** How often screens are told the head sequence number; see `#beacon`. */
	headBeaconMs: number;
	/** Several processes share one port through node:cluster, which cannot keep polling sticky. */
	websocketOnly: boolean;
	zone: string;
	snapshot: () => OrderView[];
	findByToken: (token: string) => OrderView | null;
	now: () => number;
}

/**
 * The client as the adapter sees it: the same, except that a publish Redis could not take
 * resolves (through `dropped`) instead of rejecting, since the adapter never awaits it.
 */
function droppingPublish(client: RedisClientType, dropped: (error: unknown) => number) {
	return new Proxy(client, {
		get(target, property) {
			if (property === 'publish') {
				return (...args: Parameters<RedisClientType['publish']>) =>
					target.publish(...args).catch(dropped);
			}
			const value: unknown = Reflect.get(target, property, target);
			// The client keeps private fields, so its methods must run on it, not on the proxy.
			return typeof value === 'function' ? value.bind(target) : value;
		}
	});
}

/**
 * The only place that emits to screens. Services commit a change with its event row, then hand
 * the event here; a screen that missed some asks with `sync` for what came after its last
 * sequence number, and gets a snapshot when it missed too many.
 */
export class RealtimeHub {
	#io: BakeryServer | null = null;
	#public: PublicNamespace | null = null;
	#redis: RedisClientType[] = [];
	#redisUp = new Set<RedisClientType>();
	#redisState: RedisState = 'not used';
	#beacon: NodeJS.Timeout | undefined;
	#closing = false;

	constructor(private readonly options: HubOptions) {}

	get io(): BakeryServer | null {
		return this.#io;
	}

	get redis(): RedisState {
		return this.#redisState;
	}

	async attach(httpServer: HttpServer): Promise<BakeryServer> {
		const io: BakeryServer = new Server(httpServer, {
			serveClient: false,
			// Long polling sends each request on its own; behind node:cluster they can land on
			// different processes, which Socket.IO refuses. WebSocket is one connection.
			transports: this.options.websocketOnly ? ['websocket'] : ['polling', 'websocket']
		});
		if (this.options.redisUrl) await this.#useRedis(io, this.options.redisUrl);
		guardStaff(io, this.options);

		// Registered once per server; each connection gets its own handler, never a second one.
		io.on('connection', (socket) => {
			socket.on('sync', (request, ack) => {
				if (typeof ack !== 'function') return;
				ack(this.sync(request?.since, request?.databaseId));
			});
		});
		this.#attachPublic(io);

		this.#io = io;
		this.#beacon = setInterval(() => this.#tellHead('local'), this.options.headBeaconMs);
		this.#beacon.unref();
		this.options.log.info({ redis: this.#redisState }, 'realtime attached');
		return io;
	}

	/** The pickup board and tracking pages: redacted tickets, read only. */
	#attachPublic(io: BakeryServer): void {
		const board: PublicNamespace = io.of('/public');
		refuseOthers(board, ['board', 'watch'], this.options.log);
		board.on('connection', (socket) => {
			socket.on('board', (ack) => {
				if (typeof ack === 'function') ack(this.board());
			});
			socket.on('watch', (request, ack) => {
				if (typeof ack !== 'function') return;
				const token = typeof request?.token === 'string' ? request.token : '';
				const order = /^[A-Za-z0-9_-]{16,64}$/.test(token) ? this.options.findByToken(token) : null;
				if (order) void socket.join(`track:${token}`);
				ack({ order: order ? toTracked(order, this.options.zone) : null });
			});
		});
		this.#public = board;
	}

	/** Pickup tickets for the board: today's being prepared, and every packed one not collected. */
	board(): { head: number; today: string; tickets: PublicTicket[] } {
		const { zone } = this.options;
		const today = wallClock(this.options.now(), zone).date;
		const { head, orders } = this.snapshot();
		const tickets = orders
			.filter(
				(order) =>
					order.fulfillment.type === 'pickup' &&
					['received', 'in_production', 'ready'].includes(order.status)
			)
			.map((order) => toTicket(order, zone))
			.filter((ticket) => ticket.status === 'ready' || ticket.shopDate === today);
		return { head, today, tickets };
	}

	/**
	 * Fan-out through Redis. The adapter publishes without waiting for the answer, so while Redis
	 * is away the publisher must neither queue (memory would grow with every order) nor reject
	 * unheard (an unhandled rejection ends the process): it drops the message and the screens of
	 * other processes catch up by sequence once Redis is back. Local emits go on regardless.
	 */
	async #useRedis(io: BakeryServer, url: string): Promise<void> {
		const pub: RedisClientType = createClient({ url, disableOfflineQueue: true });
		// The subscriber keeps its queue: it holds only the adapter's few subscriptions.
		const sub: RedisClientType = pub.duplicate({ disableOfflineQueue: false });
		const dropped = (error: unknown) => {
			this.options.log.debug({ err: error }, 'redis publish dropped');
			return 0;
		};

		this.#redis = [pub, sub];
		this.#redisState = 'down';
		for (const client of [pub, sub]) {
			client.on('ready', () => this.#redisChanged(client, true));
			client.on('end', () => this.#redisChanged(client, false));
			client.on('error', (error: Error) => {
				this.#redisChanged(client, false);
				this.options.log.debug({ err: error }, 'redis connection problem');
			});
		}
		// connect() keeps retrying until Redis answers; start serving alone if it takes long.
		const connected = Promise.all([pub.connect(), sub.connect()]);
		connected.catch(() => {});
		const waited = await Promise.race([
			connected.then(() => true),
			new Promise<false>((resolve) => setTimeout(resolve, REDIS_START_WAIT_MS, false).unref())
		]);
		if (!waited) {
			this.options.log.warn(
				{ redis: this.#redisState, key: this.options.redisKey, waitedMs: REDIS_START_WAIT_MS },
				"redis does not answer: serving this process's screens only until it does"
			);
		}
		io.adapter(createAdapter(droppingPublish(pub, dropped), sub, { key: this.options.redisKey }));
	}

	/** One warn when Redis goes, one info when it is back: never one line per retry. */
	#redisChanged(client: RedisClientType, up: boolean): void {
		if (up) this.#redisUp.add(client);
		else this.#redisUp.delete(client);
		const state: RedisState = this.#redisUp.size === this.#redis.length ? 'connected' : 'down';
		const before = this.#redisState;
		if (state === before) return;
		this.#redisState = state;

		const fields = { redis: state, key: this.options.redisKey };
		if (this.#closing) return;
		if (state === 'down') {
			this.options.log.warn(fields, "redis is down: serving this process's screens only");
			return;
		}
		this.options.log.info(
			fields,
			this.#io ? 'redis is back: events reach every process again' : 'redis connected'
		);
		// Screens anywhere may have missed events while this process could not publish or hear.
		this.#tellHead('everywhere');
	}

	/**
	 * Tells screens the newest sequence number; one that is behind asks for the rest. Sent
	 * everywhere when Redis returns, and to this process's screens now and then as a safety net
	 * for events another process published while only it had lost Redis.
	 */
	#tellHead(scope: 'local' | 'everywhere'): void {
		const io = this.#io;
		if (!io) return;
		const head = { seq: headSeq(this.options.db) };
		const staff = scope === 'local' ? io.local : io;
		const board = scope === 'local' ? io.of('/public').local : io.of('/public');
		staff.emit('head', head);
		board.emit('head', head);
	}

	/** Every order a screen shows and the sequence number they are current to, read as one. */
	snapshot(): { orders: OrderView[]; head: number } {
		const { db } = this.options;
		return db.transaction(() => ({ head: headSeq(db), orders: this.options.snapshot() }));
	}

	/** Read once: a restore happens only while no server has the database open. */
	get databaseId(): number {
		return (this.#databaseId ??= databaseId(this.options.db));
	}
	#databaseId: number | undefined;

	/**
	 * What a screen that last applied `since` (of the log named `knownDatabase`) must apply to be
	 * current.
	 */
	sync(since: unknown, knownDatabase?: unknown): SyncAnswer {
		const { db, serverId } = this.options;
		const { databaseId } = this;
		const valid = typeof since === 'number' && Number.isInteger(since) && since >= 0;
		// Too far behind, ahead of this log, or of another log (the database was restored since):
		// start the screen afresh.
		const otherLog = typeof knownDatabase === 'number' && knownDatabase !== databaseId;
		if (!valid || otherLog || since > headSeq(db) || countSince(db, since) > SNAPSHOT_THRESHOLD) {
			return { kind: 'snapshot', ...this.snapshot(), serverId, databaseId };
		}
		const events = eventsSince(db, since, SNAPSHOT_THRESHOLD);
		return { kind: 'events', events, head: events.at(-1)?.seq ?? since, serverId, databaseId };
	}

	publish(events: LiveEvent[]): void {
		if (!this.#io) return;
		// In sequence order, so a screen can apply them as they come.
		for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
			this.#io.emit('event', event);
			if (!isOrderEvent(event) || !this.#public) continue;
			const { order, seq } = event;
			// The board lists pickups only; delivery orders are followed on their tracking page.
			if (order.fulfillment.type === 'pickup') {
				this.#public.emit('ticket', { seq, ticket: toTicket(order, this.options.zone) });
			}
			this.#public
				.to(`track:${order.trackingToken}`)
				.emit('tracked', { seq, order: toTracked(order, this.options.zone) });
		}
	}

	/** Closes every socket of a revoked session, on whichever process it is connected to. */
	disconnectSession(sessionId: string): void {
		this.#io?.in(sessionRoom(sessionId)).disconnectSockets(true);
	}

	async close(): Promise<void> {
		const io = this.#io;
		this.#io = null;
		this.#closing = true;
		clearInterval(this.#beacon);
		if (io) {
			// Closing without a disconnect packet lets screens see a lost connection, which they
			// retry on their own; a server-sent disconnect would leave them offline until a reload.
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
		await Promise.allSettled(this.#redis.map((client) => client.close()));
	}
}
