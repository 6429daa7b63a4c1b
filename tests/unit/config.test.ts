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

	it('backs up hourly beside the database unless told otherwise', () => {
		expect(loadConfig({ DATABASE_PATH: '/srv/shop/bakery.sqlite' }).backup).toEqual({
			dir: '/srv/shop/backups',
			everyMinutes: 60,
			keep: 48
		});
		const off = loadConfig({ BACKUP_EVERY_MINUTES: '0', BACKUP_DIR: '/mnt/usb', BACKUP_KEEP: '7' });
		expect(off.backup).toEqual({ dir: '/mnt/usb', everyMinutes: 0, keep: 7 });
	});

	it.each([
		['PORT', 'eighty', 'port number'],
		['PORT', '70000', 'use 0 to 65535'],
		['SHOP_TIMEZONE', 'Europe/Londres', 'IANA zone'],
		['REDIS_URL', 'http://127.0.0.1:6379', 'redis://'],
		['DEMO_DATA', 'maybe', 'true or false'],
		['LOG_LEVEL', 'loud', 'use one of'],
		['BACKUP_EVERY_MINUTES', 'hourly', 'number of minutes'],
		['BACKUP_EVERY_MINUTES', '-5', 'use 0 (only on demand)'],
		['BACKUP_KEEP', '0', 'keep at least 1'],
		['BACKUP_KEEP', '2.5', 'whole number'],
		['WORKERS', 'two', 'whole number of processes'],
		['REDIS_KEY', 'a key with spaces', 'letters, digits'],
		['HEAD_BEACON_MS', '5', 'at least 100']
	])('stops on a bad %s with its name and the fix', (name, value, hint) => {
		expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
		expect(() => loadConfig({ [name]: value })).toThrow(
			new RegExp(`${name}=.*${hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)
		);
	});

	it('refuses several workers without Redis, naming the fix', () => {
		expect(() => loadConfig({ WORKERS: '2' })).toThrow(/WORKERS=2 needs REDIS_URL/);
		const config = loadConfig({ WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' });
		expect(config.workers).toBe(2);
	});

	it('gives each database its own Redis key unless one is set', () => {
		const key = (env: Record<string, string>) => loadConfig(env).redisKey;
		expect(key({ DATABASE_PATH: '/srv/a.sqlite' })).toBe(key({ DATABASE_PATH: '/srv/a.sqlite' }));
		expect(key({ DATABASE_PATH: '/srv/a.sqlite' })).not.toBe(
			key({ DATABASE_PATH: '/srv/b.sqlite' })
		);
		expect(key({ DATABASE_PATH: '/srv/a.sqlite', REDIS_KEY: 'corner-shop' })).toBe('corner-shop');
	});
});
