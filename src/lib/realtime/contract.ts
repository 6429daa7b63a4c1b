import type { OrderView } from '../domain/order';
import type { PlanStats } from '../planner/types';

/**
 * The typed contract between the server and every screen. Only the server's realtime hub emits;
 * a wrong payload fails to compile on both sides.
 */

interface EventBase {
	/** Sequence number of the event-log row written in the same transaction as the change. */
	seq: number;
	/** When the change was committed, epoch milliseconds. */
	at: number;
}

export type LiveEvent =
	| (EventBase & { type: 'order.created'; order: OrderView })
	| (EventBase & { type: 'order.updated'; order: OrderView })
	| (EventBase & { type: 'order.cancelled'; order: OrderView })
	| (EventBase & { type: 'plan.updated'; planVersion: number; stats: PlanStats });

export type OrderEvent = Extract<LiveEvent, { order: OrderView }>;

export function isOrderEvent(event: LiveEvent): event is OrderEvent {
	return 'order' in event;
}

export type LiveEventType = LiveEvent['type'];

/** `databaseId` names the event log; it changes when the database is restored from a backup. */
export type SyncAnswer =
	| { kind: 'events'; events: LiveEvent[]; head: number; serverId: string; databaseId: number }
	| { kind: 'snapshot'; orders: OrderView[]; head: number; serverId: string; databaseId: number };

export interface ServerToClientEvents {
	event: (event: LiveEvent) => void;
	/**
	 * The newest sequence number in the database. Sent when Redis comes back and now and then, so
	 * a screen that missed events from another process while they could not reach it catches up.
	 */
	head: (head: { seq: number }) => void;
}

export interface ClientToServerEvents {
	/** Asks for everything after `since`; answered with the events, or a snapshot if too many. */
	/** `databaseId` is the one the screen's `since` belongs to, once it has had an answer. */
	sync: (
		request: { since: number; databaseId?: number },
		ack: (answer: SyncAnswer) => void
	) => void;
}

/** More missed events than this and a screen gets a snapshot instead of the backlog. */
export const SNAPSHOT_THRESHOLD = 1000;

/**
 * The public namespace (`/public`): the pickup board and the tracking page. It carries no phone,
 * e-mail or last name, and takes no commands: only reads.
 */
export interface PublicTicket {
	id: number;
	number: string;
	/** First name and initial: "Lea M." */
	name: string;
	status: OrderView['status'];
	fulfillmentType: OrderView['fulfillment']['type'];
	/** Shop date, for the board to show only today's tickets. */
	shopDate: string;
	/** Pickup time on the shop clock, HH:mm. */
	time: string;
}

/** One customer's view of their order, for the tracking page. */
export interface TrackedOrder {
	number: string;
	status: OrderView['status'];
	firstName: string;
	fulfillment: { type: OrderView['fulfillment']['type']; when: string };
	lines: { name: string; quantity: number; note: string }[];
	totalMinor: number;
	currency: string;
	/** The courier's own tracking page and expected time at the door, for a delivery. */
	courier: { trackingUrl: string | null; arrives: string | null; state: string } | null;
	/** The customer's score once given; the page offers the rating link after handover. */
	rating: number | null;
}

export interface PublicServerToClientEvents {
	ticket: (change: { seq: number; ticket: PublicTicket }) => void;
	tracked: (change: { seq: number; order: TrackedOrder }) => void;
	/** As on the staff namespace: a page further behind than this asks again. */
	head: (head: { seq: number }) => void;
}

export interface PublicClientToServerEvents {
	board: (ack: (answer: { head: number; today: string; tickets: PublicTicket[] }) => void) => void;
	watch: (
		request: { token: string },
		ack: (answer: { order: TrackedOrder | null }) => void
	) => void;
}
