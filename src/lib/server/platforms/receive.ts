import { createHash } from 'node:crypto';

import { json } from '@sveltejs/kit';

import { AppError, invalid } from '../errors';
import { readText } from '../http';
import type { Runtime } from '../runtime';
import { receiveDelivery, type Delivery } from './inbox';
import {
	SHOPIFY_SIGNATURE_HEADER,
	SQUARE_SIGNATURE_HEADER,
	WOOCOMMERCE_SIGNATURE_HEADER,
	verifyPlatformSignature
} from './signature';
import { shopifyEnvelope } from './shopify';
import { squareEnvelope } from './square';
import { wooEnvelope } from './woocommerce';
import type { Platform } from './common';

/**
 * The three webhook endpoints in one: check the platform is set up, verify its signature on the
 * raw body, store the delivery, answer 200 and let the background loop do the rest. Platforms
 * turn a webhook off after repeated failures, so nothing slow or fallible happens before the 200.
 */

interface PlatformHooks {
	label: string;
	/** The variable that sets it up, named in the answer when it is not. */
	setting: string;
	signatureHeader: string;
	/** The secret and the exact text it signs, or undefined when the platform is not set up. */
	signing(rt: Runtime, raw: string): { secret: string; signed: string } | undefined;
	/** What to store, or null for a delivery the shop does not follow (a ping, another topic). */
	envelope(request: Request, body: unknown, raw: string): Omit<Delivery, 'rawBody'> | null;
}

const bodyHash = (raw: string) => createHash('sha256').update(raw).digest('base64url');

const HOOKS: Record<Platform, PlatformHooks> = {
	shopify: {
		label: 'Shopify',
		setting: 'SHOPIFY_WEBHOOK_SECRET',
		signatureHeader: SHOPIFY_SIGNATURE_HEADER,
		signing: (rt, raw) => {
			const shop = rt.config.platforms.shopify;
			return shop && { secret: shop.webhookSecret, signed: raw };
		},
		envelope(request, body, raw) {
			const topic = request.headers.get('X-Shopify-Topic') ?? 'orders/unknown';
			if (!topic.startsWith('orders/')) return null;
			const { orderId, version } = shopifyEnvelope(body);
			const deliveryId = request.headers.get('X-Shopify-Webhook-Id') ?? `body:${bodyHash(raw)}`;
			return { platform: 'shopify', deliveryId, topic, platformOrderId: orderId, version };
		}
	},
	woocommerce: {
		label: 'WooCommerce',
		setting: 'WOOCOMMERCE_WEBHOOK_SECRET',
		signatureHeader: WOOCOMMERCE_SIGNATURE_HEADER,
		signing: (rt, raw) => {
			const shop = rt.config.platforms.woocommerce;
			return shop && { secret: shop.webhookSecret, signed: raw };
		},
		envelope(request, body, raw) {
			const topic = request.headers.get('X-WC-Webhook-Topic') ?? 'order.unknown';
			if (!topic.startsWith('order.')) return null;
			const { orderId, version } = wooEnvelope(body);
			const deliveryId = request.headers.get('X-WC-Webhook-Delivery-ID') ?? `body:${bodyHash(raw)}`;
			return { platform: 'woocommerce', deliveryId, topic, platformOrderId: orderId, version };
		}
	},
	square: {
		label: 'Square',
		setting: 'SQUARE_WEBHOOK_SIGNATURE_KEY',
		signatureHeader: SQUARE_SIGNATURE_HEADER,
		signing: (rt, raw) => {
			const square = rt.config.platforms.square;
			return square && { secret: square.signatureKey, signed: square.notificationUrl + raw };
		},
		envelope(_request, body) {
			const event = squareEnvelope(body);
			if (!event.type.startsWith('order.') || !event.orderId) return null;
			return {
				platform: 'square',
				deliveryId: event.eventId,
				topic: event.type,
				platformOrderId: event.orderId,
				version: event.version
			};
		}
	}
};

export async function receiveWebhook(
	rt: Runtime,
	platform: Platform,
	request: Request,
	from: string
): Promise<Response> {
	const hooks = HOOKS[platform];
	const log = rt.log.child({ module: 'platforms', platform });
	const raw = await readText(request);
	const signing = hooks.signing(rt, raw);
	if (!signing) {
		throw new AppError(
			404,
			'not_found',
			`${hooks.label} is not set up in this shop; set ${hooks.setting} (see the README)`
		);
	}

	const signature = request.headers.get(hooks.signatureHeader);
	if (!verifyPlatformSignature(signing.signed, signature, signing.secret)) {
		log.warn({ from, signed: signature !== null }, `${hooks.label} webhook refused: bad signature`);
		throw new AppError(
			401,
			'bad_signature',
			`${hooks.signatureHeader} does not sign this body with the shop's ${hooks.label} secret (${hooks.setting})`,
			{ problems: [{ field: hooks.signatureHeader, message: 'is missing or wrong' }] }
		);
	}

	let body: unknown;
	try {
		body = JSON.parse(raw);
	} catch {
		// WooCommerce's ping on saving a webhook is a form body (`webhook_id=12`), not an order.
		log.info({ bytes: raw.length }, `${hooks.label} webhook without JSON acknowledged`);
		return json({ received: true, stored: false, reason: 'not a JSON order' });
	}

	let envelope;
	try {
		envelope = hooks.envelope(request, body, raw);
	} catch (error) {
		throw invalid([
			{ field: 'body', message: error instanceof Error ? error.message : String(error) }
		]);
	}
	if (!envelope) {
		log.info({}, `${hooks.label} webhook for a topic the shop does not follow acknowledged`);
		return json({ received: true, stored: false, reason: 'topic not followed' });
	}

	const { stored } = receiveDelivery(rt.db, { ...envelope, rawBody: raw }, rt.now());
	if (stored) rt.background.kickInbox();
	log.info({ deliveryId: envelope.deliveryId, topic: envelope.topic, stored }, 'webhook received');
	return json({ received: true, stored, duplicate: !stored });
}
