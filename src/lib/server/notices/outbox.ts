import type { NoticeChannel, OrderView } from '../../domain/order';
import type { Executor } from '../db/client';
import { notifications, type NoticeKind } from '../db/schema';

/** What a notice tells, frozen when the change commits; the dispatcher renders it later. */
export interface NoticeFacts {
	orderId: number;
	number: string;
	customerName: string;
	fulfillmentType: OrderView['fulfillment']['type'];
	/** Epoch ms: the time promised to the customer. */
	promisedAt: number | null;
	/** Epoch ms: the new expected time, for a changed order. */
	expectedAt?: number | null;
	items: { name: string; quantity: number; packed: number | null }[];
	totalMinor: number;
	currency: string;
	trackingToken: string;
	paymentState: OrderView['payment']['state'];
	courierTrackingUrl?: string | null;
	/** Why it changed or was cancelled, in words for the customer. */
	reason?: string;
}

export interface NoticeRequest {
	kind: NoticeKind;
	/**
	 * Tells two notices of the same kind apart: a second "changed" for a new time is news, the
	 * same one written again by a retried command is not.
	 */
	discriminator?: string;
	expectedAt?: number | null;
	courierTrackingUrl?: string | null;
	reason?: string;
}

/** Where each channel goes for this order, following the customer's details and choice. */
function recipients(order: OrderView): [NoticeChannel, string][] {
	const chosen = order.notifyChannels;
	const wants = (channel: NoticeChannel) => chosen === null || chosen.includes(channel);
	const list: [NoticeChannel, string][] = [];
	if (order.customer.email && wants('email')) list.push(['email', order.customer.email]);
	if (order.customer.phone && wants('sms')) list.push(['sms', order.customer.phone]);
	// The shop's own webhook hears about every order; it is the shop's choice, not the customer's.
	list.push(['webhook', 'shop webhook']);
	return list;
}

/**
 * Writes the notices a change announces, in the caller's transaction: if the change rolls back,
 * so do they, and a notice is never sent for something that did not happen. Writing the same
 * notice twice (a retried command) adds nothing.
 */
export function enqueueNotices(
	tx: Executor,
	order: OrderView,
	request: NoticeRequest,
	now: number
): void {
	const facts: NoticeFacts = {
		orderId: order.id,
		number: order.number,
		customerName: order.customer.name,
		fulfillmentType: order.fulfillment.type,
		promisedAt: order.promisedAt ? Date.parse(order.promisedAt) : null,
		expectedAt: request.expectedAt,
		items: order.lines.map((line) => ({
			name: line.name,
			quantity: line.quantity,
			packed: line.packedQuantity
		})),
		// What the customer pays: once packed, for what went into the box.
		totalMinor: order.lines.reduce(
			(sum, line) => sum + (line.packedQuantity ?? line.quantity) * line.unitPriceMinor,
			0
		),
		currency: order.currency,
		trackingToken: order.trackingToken,
		paymentState: order.payment.state,
		courierTrackingUrl: request.courierTrackingUrl,
		reason: request.reason
	};
	const suffix = request.discriminator ? `:${request.discriminator}` : '';
	for (const [channel, recipient] of recipients(order)) {
		tx.insert(notifications)
			.values({
				orderId: order.id,
				kind: request.kind,
				channel,
				recipient,
				data: facts as unknown as Record<string, unknown>,
				dedupeKey: `${order.id}:${request.kind}:${channel}${suffix}`,
				nextAttemptAt: now,
				createdAt: now
			})
			.onConflictDoNothing({ target: notifications.dedupeKey })
			.run();
	}
}
