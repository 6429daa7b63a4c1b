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

export const FULFILLMENT_TYPES = ['pickup', 'delivery'] as const;
export type FulfillmentType = (typeof FULFILLMENT_TYPES)[number];

export interface OrderLineView {
	id: number;
	sku: string;
	name: string;
	quantity: number;
	unitPriceMinor: number;
	modifiers: string[];
	note: string;
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
	promisedAt: string | null;
	createdAt: string;
	updatedAt: string;
	cancelReason: string | null;
}

/** Statuses an order can leave; completed and cancelled are final. */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
	received: ['in_production', 'ready', 'cancelled'],
	in_production: ['ready', 'cancelled'],
	ready: ['out_for_delivery', 'completed', 'cancelled'],
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

export function formatMoney(minor: number, currency: string, locale = 'en-GB'): string {
	return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);
}
