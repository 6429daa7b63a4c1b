import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../src/lib/server/config';

describe('loadConfig', () => {
	it('gives working defaults for a fresh clone', () => {
		const config = loadConfig({});
		expect(config).toMatchObject({
			port: 3000,
			origin: 'http://localhost:3000',
			shopTimeZone: 'Europe/London',
			redisUrl: undefined,
			demoData: true
		});
		expect(config.databasePath).toMatch(/data\/bakery\.sqlite$/);
	});

	it.each([
		['PORT', 'eighty', 'port number'],
		['PORT', '70000', 'use 0 to 65535'],
		['SHOP_TIMEZONE', 'Europe/Londres', 'IANA zone'],
		['REDIS_URL', 'http://127.0.0.1:6379', 'redis://'],
		['DEMO_DATA', 'maybe', 'true or false'],
		['LOG_LEVEL', 'loud', 'use one of']
	])('stops on a bad %s with its name and the fix', (name, value, hint) => {
		expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
		expect(() => loadConfig({ [name]: value })).toThrow(
			new RegExp(`${name}=.*${hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)
		);
	});
});
