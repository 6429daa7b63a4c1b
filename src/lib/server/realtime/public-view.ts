import { formatShopTime, wallClock } from '../../domain/shop-time';
import type { OrderView } from '../../domain/order';
import type { PublicTicket, TrackedOrder } from '../../realtime/contract';

/** A word that is an e-mail address or a phone number, typed into the name field. */
const CONTACT = /@|\d/;
const GIVEN_NAME_MAX = 20;

/**
 * "Lea Martin" or "Martin, Lea" → "Lea M.": enough for a customer to spot their order, no more.
 * A single word is taken as a first name. Words with an @ or a digit are contact details that
 * landed in the name field, never shown; with nothing else left the board says "Guest".
 */
export function displayName(full: string): string {
	const [last, first] = full.includes(',') ? full.split(',', 2).map((part) => part.trim()) : [];
	const words = (first && last ? `${first} ${last}` : full)
		.trim()
		.split(/\s+/)
		.filter((word) => word && !CONTACT.test(word));
	const [given, ...rest] = words;
	if (!given) return 'Guest';
	const initial = rest.at(-1)?.[0];
	const shown = [...given].slice(0, GIVEN_NAME_MAX).join('');
	return initial ? `${shown} ${initial.toUpperCase()}.` : shown;
}

export function toTicket(order: OrderView, zone: string): PublicTicket {
	const at = Date.parse(order.fulfillment.at);
	return {
		id: order.id,
		number: order.number,
		name: displayName(order.customer.name),
		status: order.status,
		fulfillmentType: order.fulfillment.type,
		shopDate: wallClock(at, zone).date,
		time: formatShopTime(at, zone, 'HH:mm')
	};
}

export function toTracked(order: OrderView, zone: string): TrackedOrder {
	return {
		number: order.number,
		status: order.status,
		firstName: displayName(order.customer.name).split(' ')[0]!,
		fulfillment: {
			type: order.fulfillment.type,
			when: formatShopTime(Date.parse(order.fulfillment.at), zone, 'EEEE d MMMM, HH:mm')
		},
		lines: order.lines.map(({ name, quantity, note }) => ({ name, quantity, note })),
		totalMinor: order.totalMinor,
		currency: order.currency,
		courier: order.delivery && {
			trackingUrl: order.delivery.trackingUrl,
			arrives: order.delivery.dropoffEta
				? formatShopTime(Date.parse(order.delivery.dropoffEta), zone, 'HH:mm')
				: null,
			state: order.delivery.state
		},
		rating: order.rating
	};
}
