import type { FulfillmentType } from '../../domain/order';
import { wallClock } from '../../domain/shop-time';
import type { ShopifyAttributes } from '../settings';

/**
 * What the three platform mappers share: the order they produce, the catalogue they match items
 * against, and the readings of times, phones and texts that the platforms send loosely.
 */

export type Platform = 'shopify' | 'square' | 'woocommerce';

/** The body `placeOrder` takes, as a platform order becomes it. */
export interface IntakeBody {
	channel: Platform;
	externalId: string;
	customer: { name: string; email?: string; phone?: string };
	fulfillment: {
		type: FulfillmentType;
		/** Shop wall time (`2026-06-14T13:00`) or an instant with its offset; absent = soonest. */
		at?: string;
		address?: { line1: string; line2?: string; city: string; postcode: string };
	};
	lines: { sku: string; quantity: number; modifiers: string[]; note: string }[];
	note: string;
}

export interface PlatformOrder {
	externalId: string;
	/** Square's order version, or the platform's update time in epoch ms; newer replaces older. */
	version: number | null;
	/** `cancelled`: cancel ours; `waiting`: not to bake yet (WooCommerce awaiting payment). */
	state: 'open' | 'cancelled' | 'waiting';
	cancelReason: string;
	body: IntakeBody;
	/**
	 * Paid (or held) on the platform, so nothing is taken at handover: recorded with the order as
	 * a payment on that platform. Null when the customer pays when they collect.
	 */
	paid: PaidOnPlatform | null;
	/** The platform gave the money back (or let the hold go) with the cancellation. */
	refunded?: boolean;
}

export interface PaidOnPlatform {
	amountMinor: number;
	/** Only part of the order was paid there (a Square tender short of the total). */
	partial?: boolean;
	/** ISO 4217, as the platform sent it; null when it sent none (the shop's is used). */
	currency: string | null;
}

/** A platform's decimal money text ("29.35") in minor units, or null when there is none. */
export function minorUnits(text: string | null | undefined): number | null {
	if (!text) return null;
	const value = Math.round(Number(text) * 100);
	return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** What a mapper needs to know about the shop; passed in so the mappers stay pure. */
export interface MappingContext {
	zone: string;
	catalogue: { sku: string; name: string }[];
	/** Our SKU per platform item reference, such as `square:<catalog_object_id>`. */
	itemSkus: Record<string, string>;
	shopifyAttributes: ShopifyAttributes;
}

/** A platform order the shop cannot take as it is: kept in the inbox with this message. */
export class MappingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MappingError';
	}
}

const MODIFIER_CHARS = 60;
const LINE_NOTE_CHARS = 200;
const ORDER_NOTE_CHARS = 500;
const MAX_MODIFIERS = 10;

export interface ItemReference {
	/** The SKU the platform sent, perhaps empty. */
	sku?: string | null;
	/** The platform's own id for the item, as in `MappingContext.itemSkus` (`square:ABC`). */
	reference?: string;
	name: string;
	/** Where in the payload, for the error message. */
	field: string;
}

/**
 * Our SKU for a platform item: the configured one for its reference, else its own SKU when we sell
 * it, else a product of exactly the same name. An item matching none is refused, never dropped:
 * a bakery would rather hear about an order it cannot read than bake it without the cake.
 */
export function resolveSku(item: ItemReference, context: MappingContext): string {
	const configured = item.reference ? context.itemSkus[item.reference] : undefined;
	if (configured) return configured;

	const sku = item.sku?.trim();
	if (sku && context.catalogue.some((product) => product.sku === sku)) return sku;

	const name = item.name.trim().toLowerCase();
	const byName = context.catalogue.find((product) => product.name.toLowerCase() === name);
	if (byName) return byName.sku;

	const said = sku ? `SKU ${JSON.stringify(sku)}` : 'no SKU';
	const mapping = item.reference ? ` or map ${item.reference} in the platformItemSkus setting` : '';
	throw new MappingError(
		`${item.field}: ${JSON.stringify(item.name)} (${said}) is not on our menu; give it one of our SKUs on the platform${mapping}`
	);
}

/** A whole count of items; bakery goods are not sold by the half croissant. */
export function wholeQuantity(value: number | string, field: string): number {
	const quantity = typeof value === 'string' ? Number(value.trim()) : value;
	if (!Number.isInteger(quantity) || quantity < 1) {
		throw new MappingError(`${field}: ${JSON.stringify(value)} is not a whole number of items`);
	}
	return quantity;
}

/** Minutes after midnight for `13:00`, `1:00 PM`, `1 pm` or `1:00PM`; null for anything else. */
export function parseClockTime(text: string): number | null {
	const match = /^(\d{1,2})(?::(\d{2}))?\s*([ap])?\.?\s*m?\.?$/i.exec(text.trim());
	if (!match) return null;
	const [, hourText, minuteText = '0', half] = match;
	let hour = Number(hourText);
	const minute = Number(minuteText);
	if (minute > 59) return null;
	if (half) {
		if (hour < 1 || hour > 12) return null;
		hour = (hour % 12) + (half.toLowerCase() === 'p' ? 12 : 0);
	} else if (hour > 23) {
		return null;
	}
	return hour * 60 + minute;
}

/** The start of a time or a range such as `13:00 - 14:00` or `1:00 PM-2:00PM`. */
export function rangeStart(text: string): number | null {
	const [first = ''] = text.split(/\s*[-–]\s*(?=\d)/);
	return parseClockTime(first);
}

/** A date without a zone, `2026-06-14` or `2026/06/14`, as `2026-06-14`; null otherwise. */
export function parseDateOnly(text: string): string | null {
	const match = /^(\d{4})[-/](\d{2})[-/](\d{2})$/.exec(text.trim());
	return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

/** Shop wall time as intake reads it: a date and minutes after midnight, without a zone. */
export function wallTime(date: string, minuteOfDay: number): string {
	const hours = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
	const minutes = String(minuteOfDay % 60).padStart(2, '0');
	return `${date}T${hours}:${minutes}`;
}

/** The shop day of an instant, for a date plugin that stores midnight as a timestamp. */
export function shopDate(instant: number, zone: string): string {
	return wallClock(instant, zone).date;
}

/** An instant as intake reads it, with its zone spelled out. */
export function instantText(instant: number): string {
	return new Date(instant).toISOString();
}

/**
 * A phone number intake accepts: platforms send `(555) 555-5555` and worse; the digits and a
 * leading plus are what a courier or SMS needs. Too short to be a number: left out.
 */
export function cleanPhone(raw: string | null | undefined): string | undefined {
	if (!raw) return undefined;
	const digits = raw.trim().replace(/(?!^\+)[^\d]/g, '');
	return /^\+?\d{6,20}$/.test(digits) ? digits : undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function cleanEmail(raw: string | null | undefined): string | undefined {
	const email = raw?.trim();
	return email && EMAIL.test(email) && email.length <= 254 ? email : undefined;
}

/** A person's name from its parts, or the fallback when the platform has none. */
export function personName(parts: (string | null | undefined)[], fallback: string): string {
	const name = parts
		.map((part) => part?.trim())
		.filter(Boolean)
		.join(' ');
	return /[\p{L}\p{N}]/u.test(name) ? name.slice(0, 120) : fallback;
}

function clip(text: string, max: number): string {
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Modifiers for staff from a platform's name/value pairs. A name starting with `_` is the
 * platform's or an app's own (Zapiet's `_ZapietId`): hidden from customers there, and from staff
 * here. Beyond ten, the rest go to the line's note.
 */
export function visibleModifiers(pairs: { name: string; value: string }[]): {
	modifiers: string[];
	overflow: string[];
} {
	const shown = pairs
		.filter((pair) => !pair.name.startsWith('_') && pair.value.trim() !== '')
		.map((pair) => clip(`${pair.name.trim()}: ${pair.value.trim()}`, MODIFIER_CHARS));
	return { modifiers: shown.slice(0, MAX_MODIFIERS), overflow: shown.slice(MAX_MODIFIERS) };
}

export function lineNote(parts: (string | null | undefined)[]): string {
	return clip(parts.filter((part) => part && part.trim()).join('; '), LINE_NOTE_CHARS);
}

export function orderNote(parts: (string | null | undefined)[]): string {
	return clip(parts.filter((part) => part && part.trim()).join('\n'), ORDER_NOTE_CHARS);
}

/** Epoch ms of an RFC 3339 time, or null when absent or unreadable. */
export function instantOf(text: string | null | undefined): number | null {
	if (!text) return null;
	const instant = Date.parse(text);
	return Number.isNaN(instant) ? null : instant;
}
