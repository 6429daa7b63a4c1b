import type { Server as HttpServer } from 'node:http';

import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
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
import { countSince, eventsSince, headSeq } from '../events/log';
import type { Logger } from '../logger';
import { guardStaff, refuseOthers, sessionRoom } from './guard';
import { toTicket, toTracked } from './public-view';

export type BakeryServer = Server<ClientToServerEvents, ServerToClientEvents>;
type PublicNamespace = Namespace<PublicClientToServerEvents, PublicServerToClientEvents>;

interface HubOptions {
	db: Db;
	log: Logger;
	serverId: string;
	redisUrl: string | undefined;
	zone: string;
	snapshot: () => OrderView[];
	findByToken: (token: string) => OrderView | null;
	now: () => number;
}

/**
 * The only place that emits to screens. Services commit a change with its event row, then hand
 * the event here; a screen that missed some asks with `sync` for what came after its last
 * sequence number, and gets a snapshot when it missed too many.
 */
export class RealtimeHub {
	#io: BakeryServer | null = null;
	#public: PublicNamespace | null = null;
	#redis: { close(): Promise<void> }[] = [];

	constructor(private readonly options: HubOptions) {}

	get io(): BakeryServer | null {
		return this.#io;
	}

	async attach(httpServer: HttpServer): Promise<BakeryServer> {
		const io: BakeryServer = new Server(httpServer, { serveClient: false });
		if (this.options.redisUrl) await this.#useRedis(io, this.options.redisUrl);
		guardStaff(io, this.options);

		// Registered once per server; each connection gets its own handler, never a second one.
		io.on('connection', (socket) => {
			socket.on('sync', (request, ack) => {
				if (typeof ack !== 'function') return;
				ack(this.sync(request?.since));
			});
		});
		this.#attachPublic(io);

		this.#io = io;
		this.options.log.info({ redis: Boolean(this.options.redisUrl) }, 'realtime attached');
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
		if (io) {
			// Closing without a disconnect packet lets screens see a lost connection, which they
			// retry on their own; a server-sent disconnect would leave them offline until a reload.
			await new Promise<void>((resolve) => io.close(() => resolve()));
		}
		await Promise.allSettled(this.#redis.map((client) => client.close()));
	}
}
