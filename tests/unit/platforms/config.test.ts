import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../../src/lib/server/config';

describe('platform settings from the environment', () => {
	it('leaves every platform off by default', () => {
		expect(loadConfig({}).platforms).toEqual({
			shopify: undefined,
			woocommerce: undefined,
			square: undefined
		});
	});

	it('sets Square up with its default API base and version', () => {
		const config = loadConfig({
			SQUARE_WEBHOOK_SIGNATURE_KEY: 'sq-signature-key',
			SQUARE_NOTIFICATION_URL: 'https://orders.example-bakery.co.uk/api/webhooks/square',
			SQUARE_ACCESS_TOKEN: 'EAAA-token'
		});
		expect(config.platforms.square).toEqual({
			signatureKey: 'sq-signature-key',
			notificationUrl: 'https://orders.example-bakery.co.uk/api/webhooks/square',
			accessToken: 'EAAA-token',
			baseUrl: 'https://connect.squareup.com',
			apiVersion: '2025-01-23'
		});
	});

	it('names what Square still needs when only its key is set', () => {
		expect(() => loadConfig({ SQUARE_WEBHOOK_SIGNATURE_KEY: 'sq-signature-key' })).toThrow(
			new ConfigError([
				'SQUARE_NOTIFICATION_URL is unset: it is needed with SQUARE_WEBHOOK_SIGNATURE_KEY',
				'SQUARE_ACCESS_TOKEN is unset: it is needed with SQUARE_WEBHOOK_SIGNATURE_KEY'
			])
		);
	});

	it('refuses a short Shopify secret, naming the variable', () => {
		expect(() => loadConfig({ SHOPIFY_WEBHOOK_SECRET: 'short' })).toThrow(/SHOPIFY_WEBHOOK_SECRET/);
	});
});
