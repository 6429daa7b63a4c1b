import { io } from 'socket.io-client';

import { goToSignIn, UNAUTHORIZED } from '../client/sign-in';
import { isOpen, type OrderView } from '../domain/order';
import { isOrderEvent, type LiveEvent } from './contract';
import { LiveFeed, type BakerySocket } from './feed';

/**
 * The orders a staff screen shows, kept live. Starts from the server-rendered snapshot and its
 * sequence number, then applies events from the feed.
 */
export class OrderBoard {
	orders = $state<Record<number, OrderView>>({});
	online = $state(false);
	/** Ids changed in the last few seconds, for a highlight. */
	fresh = $state<Record<number, true>>({});
	#feed: LiveFeed | null = null;
	#socket: BakerySocket | null = null;

	constructor(
		initial: OrderView[],
		head: number,
		private readonly onNew?: (order: OrderView) => void
	) {
		this.#replace(initial);
		this.head = head;
	}

	head: number;

	all = $derived(Object.values(this.orders).sort(byDueTime));
	active = $derived(this.all.filter((order) => isOpen(order.status)));

	connect(): void {
		this.#socket = io({ transports: ['websocket', 'polling'] });
		this.#socket.on('connect_error', (error) => {
			if (error.message === UNAUTHORIZED) goToSignIn();
		});
		this.#feed = new LiveFeed(
			this.#socket,
			{
				onEvent: (event) => this.#apply(event),
				onSnapshot: (orders) => this.#replace(orders),
				onConnectionChange: (online) => (this.online = online)
			},
			this.head
		);
	}

	disconnect(): void {
		this.#feed?.stop();
		this.#socket?.disconnect();
	}

	#replace(orders: OrderView[]): void {
		this.orders = Object.fromEntries(orders.map((order) => [order.id, order]));
	}

	#apply(event: LiveEvent): void {
		if (!isOrderEvent(event)) return;
		const order = event.order;
		const known = this.orders[order.id];
		if (known && known.version > order.version) return;
		this.orders[order.id] = order;
		if (event.type === 'order.created') this.onNew?.(order);
		this.#flash(order.id);
	}

	#flash(id: number): void {
		this.fresh[id] = true;
		setTimeout(() => delete this.fresh[id], 4000);
	}
}

function byDueTime(a: OrderView, b: OrderView): number {
	return a.fulfillment.at.localeCompare(b.fulfillment.at) || a.id - b.id;
}
