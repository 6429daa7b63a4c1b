import { createHmac, timingSafeEqual } from 'node:crypto';

import { DEFAULT_TIMEOUT_MS, callProvider, isSuccess, refusal } from './errors';

/**
 * The shop's own outgoing webhooks: a JSON POST to an address the bakery's owner chose (their
 * shop system, a chat bot), signed so the receiver can tell it came from us and was not replayed.
 *
 * The signature header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the scheme
 * Stripe made familiar: binding the time into the signature lets a receiver refuse an old request
 * captured and sent again.
 */

export const BAKERY_EVENT_HEADER = 'X-Bakery-Event';
export const BAKERY_DELIVERY_HEADER = 'X-Bakery-Delivery';
export const BAKERY_SIGNATURE_HEADER = 'X-Bakery-Signature';

/** How far a signature's time may be from the receiver's clock before it counts as a replay. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

const PROVIDER = 'webhook';

/** Longest part of a refusing receiver's body quoted in the error. */
const QUOTE_CHARS = 200;

export interface SignedWebhook {
	url: string;
	secret: string;
	/** What happened, such as `order.ready`. */
	event: string;
	payload: unknown;
	/** The same on every retry of one notice, so a receiver can ignore a repeat. */
	id: string;
	now: number;
	timeoutMs?: number;
}

/** Posts the payload; any answer outside 2xx is a ProviderError quoting what the receiver said. */
export async function sendSignedWebhook(webhook: SignedWebhook): Promise<void> {
	const body = JSON.stringify(webhook.payload);
	const answer = await callProvider({
		provider: PROVIDER,
		method: 'POST',
		url: webhook.url,
		headers: {
			'content-type': 'application/json',
			[BAKERY_EVENT_HEADER]: webhook.event,
			[BAKERY_DELIVERY_HEADER]: webhook.id,
			[BAKERY_SIGNATURE_HEADER]: signBakeryPayload(body, webhook.secret, webhook.now)
		},
		body,
		timeoutMs: webhook.timeoutMs ?? DEFAULT_TIMEOUT_MS
	});

	if (!isSuccess(answer)) {
		const said = `${webhook.url} said ${quote(answer.body)}`;
		throw refusal(PROVIDER, answer.status, { message: said });
	}
}

/** The signature header for `rawBody`, exactly the bytes that are sent. */
export function signBakeryPayload(rawBody: string, secret: string, now: number): string {
	const timestamp = String(Math.floor(now / 1000));
	return `t=${timestamp},v1=${hmacHex(secret, timestamp, rawBody)}`;
}

/**
 * Whether `header` signs `rawBody` with `secret` at a time within `toleranceMs` of `now`. Any of
 * several `v1` entries may match, so a sender can sign with the old and new secret while rotating.
 */
export function verifyBakerySignature(
	rawBody: string,
	header: string | null,
	secret: string,
	now: number,
	toleranceMs = SIGNATURE_TOLERANCE_MS
): boolean {
	const signature = parseSignatureHeader(header);
	if (!signature) return false;
	if (Math.abs(now - Number(signature.timestamp) * 1000) > toleranceMs) return false;

	const expected = Buffer.from(hmacHex(secret, signature.timestamp, rawBody), 'hex');
	return signature.digests.some((digest) => timingSafeEqual(digest, expected));
}

interface SignatureHeader {
	/** As written in the header: the HMAC covers these characters, not a re-formatted number. */
	timestamp: string;
	/** Only well-formed SHA-256 digests, so each has the length timingSafeEqual requires. */
	digests: Buffer[];
}

function parseSignatureHeader(header: string | null): SignatureHeader | null {
	const entries = (header ?? '').split(',').map((entry) => entry.trim().split('=', 2));
	const timestamp = entries.find(([key]) => key === 't')?.[1];
	if (!timestamp || !/^\d+$/.test(timestamp)) return null;

	const digests = entries
		.filter(([key, value]) => key === 'v1' && /^[0-9a-f]{64}$/i.test(value ?? ''))
		.map(([, value]) => Buffer.from(value!, 'hex'));
	return { timestamp, digests };
}

function hmacHex(secret: string, timestamp: string, rawBody: string): string {
	return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

function quote(body: unknown): string {
	if (body === undefined) return 'nothing';
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
}
