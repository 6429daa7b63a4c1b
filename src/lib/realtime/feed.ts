import type { Socket } from 'socket.io-client';

import type { OrderView } from '../domain/order';
import type { ClientToServerEvents, LiveEvent, ServerToClientEvents, SyncAnswer } from './contract';

export type BakerySocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface FeedHandlers {
	/** Called once per event, in sequence order. */
	onEvent(event: LiveEvent): void;
	/** Called instead of the events when the screen missed too many: replace everything. */
	onSnapshot(orders: OrderView[], head: number): void;
	onConnectionChange?(online: boolean): void;
}

/** How long an out-of-order event waits for the ones before it before the feed asks for them. */
const GAP_WAIT_MS = 500;
/** How long a screen waits before reconnecting after the server closed its connection. */
const RECONNECT_MS = 1000;

/**
 * Keeps a screen in step with the server. It remembers the last sequence number it applied; on
 * every (re)connection it asks for what came after, and it applies each event exactly once and
 * in order, holding back any that arrive ahead of a gap. Handlers are registered once for the
 * life of the socket, never per connection, so reconnecting cannot double them.
 */
export class LiveFeed {
	#lastSeq: number;
	/** The event log `#lastSeq` belongs to; a restore of the database gives it a new id. */
	#databaseId: number | undefined;
	#ahead = new Map<number, LiveEvent>();
	#syncing = false;
	#gapTimer: ReturnType<typeof setTimeout> | null = null;

	constructor(
		private readonly socket: BakerySocket,
		private readonly handlers: FeedHandlers,
		lastSeq = 0
	) {
		this.#lastSeq = lastSeq;
		socket.on('connect', () => {
			handlers.onConnectionChange?.(true);
			this.resync();
		});
		socket.on('disconnect', (reason) => {
			handlers.onConnectionChange?.(false);
			// Socket.IO retries a lost connection by itself, but not one the server closed on
			// purpose (a restart of an older server, a kicked session); a wall screen must.
			if (reason === 'io server disconnect') setTimeout(() => socket.connect(), RECONNECT_MS);
		});
		socket.on('event', (event) => this.#receive(event));
		// Events from another process can be lost while Redis is away; the head says so.
		socket.on('head', ({ seq }) => {
			if (seq > this.#lastSeq) this.resync();
		});
	}

	get lastSeq(): number {
		return this.#lastSeq;
	}

	resync(): void {
		if (this.#syncing || !this.socket.connected) return;
		this.#syncing = true;
		const request = { since: this.#lastSeq, databaseId: this.#databaseId };
		this.socket.timeout(10_000).emit('sync', request, (error, answer) => {
			this.#syncing = false;
			if (error) {
				this.#scheduleGapCheck();
				return;
			}
			this.#applyAnswer(answer);
		});
	}

	#applyAnswer(answer: SyncAnswer): void {
		this.#databaseId = answer.databaseId;
		if (answer.kind === 'snapshot') {
			this.#lastSeq = answer.head;
			this.#ahead = new Map([...this.#ahead].filter(([seq]) => seq > answer.head));
			this.handlers.onSnapshot(answer.orders, answer.head);
		} else {
			for (const event of answer.events) this.#hold(event);
		}
		this.#drain();
	}

	#receive(event: LiveEvent): void {
		this.#hold(event);
		this.#drain();
	}

	#hold(event: LiveEvent): void {
		if (event.seq > this.#lastSeq) this.#ahead.set(event.seq, event);
	}

	#drain(): void {
		for (
			let next = this.#ahead.get(this.#lastSeq + 1);
			next;
			next = this.#ahead.get(this.#lastSeq + 1)
		) {
			this.#ahead.delete(next.seq);
			this.#lastSeq = next.seq;
			this.handlers.onEvent(next);
		}
		if (this.#ahead.size > 0) this.#scheduleGapCheck();
	}

	#scheduleGapCheck(): void {
		if (this.#gapTimer) return;
		this.#gapTimer = setTimeout(() => {
			this.#gapTimer = null;
			if (this.#ahead.size > 0) this.resync();
		}, GAP_WAIT_MS);
	}

	stop(): void {
		if (this.#gapTimer) clearTimeout(this.#gapTimer);
		this.socket.off('connect');
		this.socket.off('disconnect');
		this.socket.off('event');
		this.socket.off('head');
	}
}
