import type { Server as HttpServer } from 'node:http';

import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';

import type { OrderView } from '../../domain/order';
import {
	SNAPSHOT_THRESHOLD,
	type ClientToServerEvents,
	type LiveEvent,
	type ServerToClientEvents,
	type SyncAnswer
} from '../../realtime/contract';
import type { Db } from '../db/client';
import { countSince, eventsSince, headSeq } from '../events/log';
import type { Logger } from '../logger';

export type BakeryServer = Server<ClientToServerEvents, ServerToClientEvents>;

interface HubOptions {
	db: Db;
	log: Logger;
	serverId: string;
	redisUrl: string | undefined;
	snapshot: () => OrderView[];
}

/**
 * The only place that emits to screens. Services commit a change with its event row, then hand
 * the event here; a screen that missed some asks with `sync` for what came after its last
 * sequence number, and gets a snapshot when it missed too many.
 */
export class RealtimeHub {
	#io: BakeryServer | null = null;
	#redis: { close(): Promise<void> }[] = [];

	constructor(private readonly options: HubOptions) {}

	get io(): BakeryServer | null {
		return this.#io;
	}

	async attach(httpServer: HttpServer): Promise<BakeryServer> {
		const io: BakeryServer = new Server(httpServer, { serveClient: false });
		if (this.options.redisUrl) await this.#useRedis(io, this.options.redisUrl);

		// Registered once per server; each connection gets its own handler, never a second one.
		io.on('connection', (socket) => {
			socket.on('sync', (request, ack) => {
				if (typeof ack !== 'function') return;
				ack(this.sync(request?.since));
			});
		});

		this.#io = io;
		this.options.log.info({ redis: Boolean(this.options.redisUrl) }, 'realtime attached');
		return io;
	}

	async #useRedis(io: BakeryServer, url: string): Promise<void> {
		const pub = createClient({ url });
		const sub = pub.duplicate();
		for (const client of [pub, sub]) {
			client.on('error', (error: Error) =>
				this.options.log.warn({ err: error }, 'redis connection problem')
			);
		}
		await Promise.all([pub.connect(), sub.connect()]);
		io.adapter(createAdapter(pub, sub));
		this.#redis = [pub, sub];
	}

	/** Every order a screen shows and the sequence number they are current to, read as one. */
	snapshot(): { orders: OrderView[]; head: number } {
		const { db } = this.options;
		return db.transaction(() => ({ head: headSeq(db), orders: this.options.snapshot() }));
	}

	/** What a screen that last applied `since` must apply to be current. */
	sync(since: unknown): SyncAnswer {
		const { db, serverId } = this.options;
		const valid = typeof since === 'number' && Number.isInteger(since) && since >= 0;
		// Too far behind, or ahead of this database (it was restored): start the screen afresh.
		if (!valid || since > headSeq(db) || countSince(db, since) > SNAPSHOT_THRESHOLD) {
			return { kind: 'snapshot', ...this.snapshot(), serverId };
		}
		const events = eventsSince(db, since, SNAPSHOT_THRESHOLD);
		return { kind: 'events', events, head: events.at(-1)?.seq ?? since, serverId };
	}

	publish(events: LiveEvent[]): void {
		if (!this.#io) return;
		// In sequence order, so a screen can apply them as they come.
		for (const event of [...events].sort((a, b) => a.seq - b.seq)) this.#io.emit('event', event);
	}

	async close(): Promise<void> {
		const io = this.#io;
		this.#io = null;
		if (io) {
			io.disconnectSockets(true);
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
		await Promise.allSettled(this.#redis.map((client) => client.close()));
	}
}
