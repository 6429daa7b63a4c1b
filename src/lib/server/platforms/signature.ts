import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The platforms' webhook signatures. All three are a base64 HMAC-SHA256 in a header: Shopify's
 * and WooCommerce's over the raw body, Square's over its notification URL followed by the body.
 * Compared in constant time, on the bytes as they came: parsing and re-serialising the JSON
 * would change them.
 */

export const SHOPIFY_SIGNATURE_HEADER = 'X-Shopify-Hmac-Sha256';
export const WOOCOMMERCE_SIGNATURE_HEADER = 'X-WC-Webhook-Signature';
export const SQUARE_SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

export function platformSignature(secret: string, signed: string): string {
	return createHmac('sha256', secret).update(signed, 'utf8').digest('base64');
}

/** Whether `header` is the base64 HMAC-SHA256 of `signed` under `secret`. */
export function verifyPlatformSignature(
	signed: string,
	header: string | null,
	secret: string
): boolean {
	if (!header) return false;
	const given = Buffer.from(header.trim(), 'base64');
	const expected = createHmac('sha256', secret).update(signed, 'utf8').digest();
	// timingSafeEqual needs equal lengths; a digest of another length is wrong anyway.
	return given.length === expected.length && timingSafeEqual(given, expected);
}
