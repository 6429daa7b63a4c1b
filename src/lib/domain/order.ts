/**
 * An order as every screen and the API see it. Instants are UTC epoch milliseconds; the pages
 * format them on the shop's wall clock with `shop-time`.
 */

export const ORDER_STATUSES = [
	'received',
	'in_production',
	'ready',
	'out_for_delivery',
	'completed',
	'cancelled'
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const CHANNELS = ['online', 'pos', 'shopify', 'square', 'woocommerce', 'replay'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Where a line's goods come from. */
export const LINE_ROUTES = ['stock', 'bake', 'procure', 'counter'] as const;
export type LineRoute = (typeof LINE_ROUTES)[number];

/** How a customer hears about their order; the shop's webhook hears about every order. */
export const NOTICE_CHANNELS = ['email', 'sms', 'webhook'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

export const PAYMENT_STATES = ['unpaid', 'authorized', 'paid', 'refunded'] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

export const DELIVERY_STATES = [
	'requested',
	'created',
	'assigned',
	'picked_up',
	'delivered',
	'failed',
	'cancelled'
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface PaymentView {
	state: PaymentState;
	/** Taken and kept: captured or recorded, less refunds. */
	paidMinor: number;
	/** Held on a card, to be captured at handover. */
	authorizedMinor: number;
	method: 'cash' | 'card' | null;
	/** The shop platform it was paid on (Shopify, Square, WooCommerce); nothing is taken here. */
	paidOn: string | null;
	/** Why the last try to take payment failed; null once paid. */
	problem: string | null;
}

export interface DeliveryView {
	state: DeliveryState;
	trackingUrl: string | null;
	courierName: string | null;
	/** ISO-8601: when the courier is expected at the shop, and at the door. */
	pickupEta: string | null;
	dropoffEta: string | null;
	failureReason: string | null;
}

export const FULFILLMENT_TYPES = ['pickup', 'delivery'] as const;
export type FulfillmentType = (typeof FULFILLMENT_TYPES)[number];

export interface ShortageView {
	ingredient: string;
	unit: string;
	/** How much is missing, in the ingredient's unit. */
	missing: number;
	/** ISO-8601: when it must arrive for the bake to start on time. */
	neededBy: string | null;
}

export interface OrderLineView {
	id: number;
	sku: string;
	name: string;
	quantity: number;
	unitPriceMinor: number;
	modifiers: string[];
	note: string;
	route: LineRoute;
	/** Units held from the shelf. */
	reservedUnits: number;
	/** ISO-8601: when the plan has its baked units cooled; null when nothing is left to bake. */
	readyAt: string | null;
	/** Minutes the plan says it is late; null when it cannot be made at all. */
	lateMinutes: number | null;
	shortages: ShortageView[];
	/** What went into the box; null until packed. */
	packedQuantity: number | null;
}

export interface OrderView {
	id: number;
	number: string;
	status: OrderStatus;
	version: number;
	channel: string;
	externalId: string | null;
	customer: { name: string; email: string | null; phone: string | null };
	fulfillment: {
		type: FulfillmentType;
		/** ISO-8601 in UTC, for machines. */
		at: string;
		/** The same instant on the shop's wall clock, `yyyy-MM-dd HH:mm`, for people. */
		atShopTime: string;
		address: { line1: string; line2?: string; city: string; postcode: string } | null;
	};
	note: string;
	lines: OrderLineView[];
	totalMinor: number;
	currency: string;
	trackingToken: string;
	/** ISO-8601: the time the shop promised, which the plan was checked against. */
	promisedAt: string | null;
	/** ISO-8601: when the plan has every baked item cooled; null when nothing is left to bake. */
	estimatedReadyAt: string | null;
	/** Minutes the plan says the order will be late; null when it cannot be made at all. */
	lateMinutes: number | null;
	/** Every line is on the shelf for it (or made at the counter): it can be packed. */
	goodsReady: boolean;
	packedAt: string | null;
	/** Packed at the counts ordered, the first time; null until packed. */
	packedRight: boolean | null;
	createdAt: string;
	updatedAt: string;
	cancelReason: string | null;
	/** Channels the customer chose; null = every channel their details allow. */
	notifyChannels: NoticeChannel[] | null;
	/** ISO-8601: when it was collected or delivered. */
	completedAt: string | null;
	payment: PaymentView;
	/** The courier's side of a delivery order; null for pickup or before it is booked. */
	delivery: DeliveryView | null;
	/** The customer's score, 1 to 5, once they rated. */
	rating: number | null;
}

/** Statuses an order can leave; completed and cancelled are final. */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
	received: ['in_production', 'ready', 'cancelled'],
	in_production: ['ready', 'cancelled'],
	// Back from ready when a packer recalls a ticket bumped by mistake.
	ready: ['out_for_delivery', 'completed', 'cancelled', 'received', 'in_production'],
	out_for_delivery: ['completed', 'cancelled'],
	completed: [],
	cancelled: []
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
	return NEXT[from].includes(to);
}

export function isOpen(status: OrderStatus): boolean {
	return status !== 'completed' && status !== 'cancelled';
}

export function totalUnits(lines: Pick<OrderLineView, 'quantity'>[]): number {
	return lines.reduce((sum, line) => sum + line.quantity, 0);
}

/**
 * A price typed in the shop's currency, such as "2.40", "2,40" (a decimal comma) or "2", in
 * minor units (240); null when the text is not a price. Read from the digits, not through a
 * float, so "1.15" is 115 and never 114.
 */
export function parseMoney(text: string): number | null {
	const match = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(text);
	if (!match) return null;
	const [, units = '', cents = ''] = match;
	return Number(units) * 100 + Number(cents.padEnd(2, '0'));
}

export function formatMoney(minor: number, currency: string, locale = 'en-GB'): string {
	return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);
}

/** The shop platforms orders come from, by their channel id, as staff read them. */
export const PLATFORM_NAMES = {
	shopify: 'Shopify',
	square: 'Square',
	woocommerce: 'WooCommerce'
} as const;

/** A platform's name for a channel or payment provider id; null when it is not a platform. */
export function platformName(id: string | null | undefined): string | null {
	return id && Object.hasOwn(PLATFORM_NAMES, id)
		? PLATFORM_NAMES[id as keyof typeof PLATFORM_NAMES]
		: null;
}
