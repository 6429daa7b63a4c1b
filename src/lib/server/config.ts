import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

import { isValidTimeZone } from '../domain/shop-time';

/**
 * Everything the server reads from its environment, parsed once at start. A bad value stops the
 * process with the variable's name, what was wrong and what to write instead.
 */
export interface Config {
	port: number;
	host: string;
	origin: string;
	/** ORIGIN was set: pages and the CSRF check use it rather than the address a browser used. */
	originFixed: boolean;
	databasePath: string;
	/** Online backups of the database: where, how often (0 = only on demand), how many kept. */
	backup: { dir: string; everyMinutes: number; keep: number };
	shopTimeZone: string;
	redisUrl: string | undefined;
	/**
	 * Prefix of the Redis channels this bakery's processes share; two bakeries (or two test runs)
	 * on one Redis with different keys never see each other's events.
	 */
	redisKey: string;
	/** How many processes `server.ts` runs on the one port (node:cluster); 1 = no cluster. */
	workers: number;
	/** How often each process tells its own screens the newest sequence number, as a safety net. */
	headBeaconMs: number;
	demoData: boolean;
	/** Also load the demo's finished day for the reports (off for a replay of a real day). */
	demoHistory: boolean;
	/** A simulated clock for replays: where it starts and how fast it runs; unset = real time. */
	clock: { start: number; speed: number } | undefined;
	logLevel: string;
	/** Where the notice templates are read from. */
	templatesDir: string;
	/** Each provider is off (undefined) until its variables are set. */
	mail: { url: string; from: string } | undefined;
	sms: { baseUrl: string; accountSid: string; authToken: string; from: string } | undefined;
	webhook: { url: string; secret: string } | undefined;
	courier: { baseUrl: string; apiKey: string; webhookSecret: string } | undefined;
	payments: { baseUrl: string; secretKey: string } | undefined;
	/** The shop platforms whose order webhooks the shop takes; each is off until set up. */
	platforms: PlatformsConfig;
	/** The shop's first manager, created on a start that finds none. */
	manager: { name: string; password: string } | undefined;
	rateLimits: { perMinute: number; signInPer15Minutes: number };
	/** A bearer token that lets a metrics scraper read /metrics without a session. */
	metricsToken: string | undefined;
}

export interface PlatformsConfig {
	shopify?: { webhookSecret: string };
	woocommerce?: { webhookSecret: string };
	square?: {
		/** Signs each notification together with the URL Square posts it to. */
		signatureKey: string;
		/** Exactly the notification URL registered with Square, which the signature covers. */
		notificationUrl: string;
		accessToken: string;
		baseUrl: string;
		apiVersion: string;
	};
}

/** The Square API version the adapter was written against; sent as `Square-Version`. */
export const SQUARE_API_VERSION = '2025-01-23';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const boolean = z
	.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'use true or false' })
	.transform((value) => ['true', '1', 'yes'].includes(value));

const schema = z.object({
	PORT: z.coerce
		.number({ error: 'use a port number such as 3000' })
		.int('use a whole port number such as 3000')
		.min(0, 'use 0 to 65535')
		.max(65535, 'use 0 to 65535')
		.default(3000),
	HOST: z.string().min(1, 'use an address such as 0.0.0.0').default('0.0.0.0'),
	ORIGIN: z
		.url({ error: 'use the full origin browsers see, such as http://localhost:3000' })
		.optional(),
	DATABASE_PATH: z.string().min(1, 'use a file path such as ./data/bakery.sqlite').optional(),
	BACKUP_DIR: z.string().min(1, 'use a folder path such as /var/backups/bakery').optional(),
	BACKUP_EVERY_MINUTES: z.coerce
		.number({ error: 'use a number of minutes such as 60, or 0 to back up only on demand' })
		.min(0, 'use 0 (only on demand) or more minutes')
		.max(7 * 24 * 60, 'use at most 10080 minutes (a week)')
		.refine((value) => value === 0 || value >= 0.01, 'use 0 or at least 0.01 minutes')
		.default(60),
	BACKUP_KEEP: z.coerce
		.number({ error: 'use a number of backups to keep, such as 48' })
		.int('use a whole number of backups, such as 48')
		.min(1, 'keep at least 1 backup')
		.max(10_000, 'keep at most 10000 backups')
		.default(48),
	SHOP_TIMEZONE: z
		.string()
		.refine(isValidTimeZone, 'use an IANA zone name such as Europe/London')
		.default('Europe/London'),
	REDIS_URL: z
		.url({ error: 'use a redis:// address such as redis://127.0.0.1:6379' })
		.refine((value) => /^rediss?:\/\//.test(value), 'use a redis:// or rediss:// address')
		.optional(),
	REDIS_KEY: z
		.string()
		.regex(/^[\w.:-]{1,100}$/, 'use up to 100 letters, digits, dots, colons, dashes or underscores')
		.optional(),
	WORKERS: z.coerce
		.number({ error: 'use a whole number of processes such as 2' })
		.int('use a whole number of processes such as 2')
		.min(1, 'use 1 or more')
		.max(64, 'use at most 64')
		.default(1),
	HEAD_BEACON_MS: z.coerce
		.number({ error: 'use milliseconds such as 30000' })
		.int('use whole milliseconds such as 30000')
		.min(100, 'use at least 100')
		.default(30_000),
	DEMO_DATA: boolean.default(true),
	DEMO_HISTORY: boolean.default(true),
	CLOCK_START: z
		.string()
		.refine(
			(value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value),
			'use an ISO-8601 instant with its offset, such as 2017-02-04T04:00:00Z'
		)
		.transform((value) => Date.parse(value))
		.refine((value) => Number.isFinite(value), 'use a real date and time')
		.optional(),
	CLOCK_SPEED: z.coerce
		.number({
			error: 'use a number: 1 for real time, 60 for an hour a minute, 0 to move only when told'
		})
		.min(0, 'use 0 or more')
		.max(100_000, 'use at most 100000')
		.optional(),
	LOG_LEVEL: z.enum(LOG_LEVELS, { error: `use one of ${LOG_LEVELS.join(', ')}` }).default('info'),
	TEMPLATES_DIR: z.string().min(1).optional(),
	SMTP_URL: z
		.url({ error: 'use an address such as smtp://user:password@mail.example.com:587' })
		.refine((value) => /^smtps?:\/\//.test(value), 'use an smtp:// or smtps:// address')
		.optional(),
	MAIL_FROM: z.string().min(3).optional(),
	SMS_BASE_URL: z.url({ error: 'use the API base, such as https://api.twilio.com' }).optional(),
	SMS_ACCOUNT_SID: z.string().min(1).optional(),
	SMS_AUTH_TOKEN: z.string().min(1).optional(),
	SMS_FROM: z.string().min(1).optional(),
	NOTIFY_WEBHOOK_URL: z.url({ error: 'use the full address the shop receives at' }).optional(),
	NOTIFY_WEBHOOK_SECRET: z.string().min(16, 'use at least 16 characters').optional(),
	COURIER_BASE_URL: z
		.url({ error: 'use the API base, such as https://openapi.doordash.com' })
		.optional(),
	COURIER_API_KEY: z.string().min(1).optional(),
	COURIER_WEBHOOK_SECRET: z.string().min(16, 'use at least 16 characters').optional(),
	PAYMENTS_BASE_URL: z
		.url({ error: 'use the API base, such as https://api.stripe.com' })
		.optional(),
	PAYMENTS_SECRET_KEY: z.string().min(1).optional(),
	SHOPIFY_WEBHOOK_SECRET: z
		.string()
		.min(16, 'use the app secret Shopify shows (16+ characters)')
		.optional(),
	WOOCOMMERCE_WEBHOOK_SECRET: z
		.string()
		.min(8, "use the webhook's secret from WooCommerce (8+ characters)")
		.optional(),
	SQUARE_WEBHOOK_SIGNATURE_KEY: z.string().min(8, 'use the signature key Square shows').optional(),
	SQUARE_NOTIFICATION_URL: z
		.url({ error: 'use the exact notification URL registered with Square' })
		.optional(),
	SQUARE_ACCESS_TOKEN: z.string().min(1).optional(),
	SQUARE_BASE_URL: z
		.url({ error: 'use the API base, such as https://connect.squareup.com' })
		.default('https://connect.squareup.com'),
	SQUARE_API_VERSION: z
		.string()
		.regex(/^\d{4}-\d{2}-\d{2}$/, 'use a Square API version such as 2025-01-23')
		.default(SQUARE_API_VERSION),
	MANAGER_NAME: z.string().trim().min(1).max(60, 'use at most 60 characters').default('Manager'),
	MANAGER_PASSWORD: z
		.string()
		.min(10, 'use at least 10 characters')
		.max(200, 'use at most 200 characters')
		.optional(),
	PUBLIC_RATE_LIMIT_PER_MINUTE: z.coerce
		.number({ error: 'use a whole number of requests a minute, such as 30' })
		.int('use a whole number such as 30')
		.min(1, 'use 1 or more')
		.default(30),
	SIGN_IN_ATTEMPTS_PER_15_MINUTES: z.coerce
		.number({ error: 'use a whole number of attempts, such as 10' })
		.int('use a whole number such as 10')
		.min(1, 'use 1 or more')
		.default(10),
	METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional()
});

/** Variables that only work together: set one of a group and the others are required. */
const GROUPS: Record<string, readonly string[]> = {
	mail: ['SMTP_URL', 'MAIL_FROM'],
	sms: ['SMS_BASE_URL', 'SMS_ACCOUNT_SID', 'SMS_AUTH_TOKEN', 'SMS_FROM'],
	webhook: ['NOTIFY_WEBHOOK_URL', 'NOTIFY_WEBHOOK_SECRET'],
	courier: ['COURIER_BASE_URL', 'COURIER_API_KEY', 'COURIER_WEBHOOK_SECRET'],
	payments: ['PAYMENTS_BASE_URL', 'PAYMENTS_SECRET_KEY'],
	square: ['SQUARE_WEBHOOK_SIGNATURE_KEY', 'SQUARE_NOTIFICATION_URL', 'SQUARE_ACCESS_TOKEN']
};

function incompleteGroups(values: Record<string, unknown>): string[] {
	return Object.values(GROUPS).flatMap((names) => {
		const missing = names.filter((name) => values[name] === undefined);
		if (missing.length === 0 || missing.length === names.length) return [];
		const given = names.filter((name) => !missing.includes(name));
		return missing.map((name) => `${name} is unset: it is needed with ${given.join(', ')}`);
	});
}

export class ConfigError extends Error {
	constructor(readonly problems: string[]) {
		super(`Bad environment:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
		this.name = 'ConfigError';
	}
}

/** Empty strings count as unset, as they do in most shells' `VAR= command`. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
	return Object.fromEntries(
		Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1]))
	);
}

/**
 * Processes share events exactly when they share a database, so the default key is made from
 * the database file's path: one bakery's processes agree on it without being told, and another
 * bakery on the same Redis (another file) gets another key.
 */
function defaultRedisKey(databasePath: string): string {
	const digest = createHash('sha256').update(databasePath).digest('hex').slice(0, 12);
	return `bakery-flow:${digest}`;
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
	const parsed = schema.safeParse(withoutEmpty(env));
	if (!parsed.success) {
		const problems = parsed.error.issues.map((issue) => {
			const name = String(issue.path[0]);
			return `${name}=${JSON.stringify(env[name])}: ${issue.message}`;
		});
		throw new ConfigError(problems);
	}

	const values = parsed.data;
	const incomplete = incompleteGroups(values);
	if (values.CLOCK_SPEED !== undefined && values.CLOCK_START === undefined) {
		incomplete.push('CLOCK_SPEED is set but CLOCK_START is not: a simulated clock needs both');
	}
	if (values.WORKERS > 1 && !values.REDIS_URL) {
		incomplete.push(
			`WORKERS=${values.WORKERS} needs REDIS_URL: without Redis a screen sees only the orders ` +
				'of the process it is connected to; set REDIS_URL=redis://127.0.0.1:6379 or use WORKERS=1'
		);
	}
	if (incomplete.length > 0) throw new ConfigError(incomplete);
	const databasePath = path.resolve(values.DATABASE_PATH ?? './data/bakery.sqlite');
	return {
		port: values.PORT,
		host: values.HOST,
		origin: values.ORIGIN ?? `http://localhost:${values.PORT}`,
		originFixed: values.ORIGIN !== undefined,
		databasePath,
		backup: {
			dir: path.resolve(values.BACKUP_DIR ?? path.join(path.dirname(databasePath), 'backups')),
			everyMinutes: values.BACKUP_EVERY_MINUTES,
			keep: values.BACKUP_KEEP
		},
		shopTimeZone: values.SHOP_TIMEZONE,
		redisUrl: values.REDIS_URL,
		redisKey: values.REDIS_KEY ?? defaultRedisKey(databasePath),
		workers: values.WORKERS,
		headBeaconMs: values.HEAD_BEACON_MS,
		demoData: values.DEMO_DATA,
		demoHistory: values.DEMO_HISTORY,
		clock:
			values.CLOCK_START === undefined
				? undefined
				: { start: values.CLOCK_START, speed: values.CLOCK_SPEED ?? 1 },
		logLevel: values.LOG_LEVEL,
		templatesDir: path.resolve(values.TEMPLATES_DIR ?? './templates/notices'),
		mail: values.SMTP_URL ? { url: values.SMTP_URL, from: values.MAIL_FROM! } : undefined,
		sms: values.SMS_BASE_URL
			? {
					baseUrl: values.SMS_BASE_URL,
					accountSid: values.SMS_ACCOUNT_SID!,
					authToken: values.SMS_AUTH_TOKEN!,
					from: values.SMS_FROM!
				}
			: undefined,
		webhook: values.NOTIFY_WEBHOOK_URL
			? { url: values.NOTIFY_WEBHOOK_URL, secret: values.NOTIFY_WEBHOOK_SECRET! }
			: undefined,
		courier: values.COURIER_BASE_URL
			? {
					baseUrl: values.COURIER_BASE_URL,
					apiKey: values.COURIER_API_KEY!,
					webhookSecret: values.COURIER_WEBHOOK_SECRET!
				}
			: undefined,
		payments: values.PAYMENTS_BASE_URL
			? { baseUrl: values.PAYMENTS_BASE_URL, secretKey: values.PAYMENTS_SECRET_KEY! }
			: undefined,
		platforms: {
			shopify: values.SHOPIFY_WEBHOOK_SECRET
				? { webhookSecret: values.SHOPIFY_WEBHOOK_SECRET }
				: undefined,
			woocommerce: values.WOOCOMMERCE_WEBHOOK_SECRET
				? { webhookSecret: values.WOOCOMMERCE_WEBHOOK_SECRET }
				: undefined,
			square: values.SQUARE_WEBHOOK_SIGNATURE_KEY
				? {
						signatureKey: values.SQUARE_WEBHOOK_SIGNATURE_KEY,
						notificationUrl: values.SQUARE_NOTIFICATION_URL!,
						accessToken: values.SQUARE_ACCESS_TOKEN!,
						baseUrl: values.SQUARE_BASE_URL,
						apiVersion: values.SQUARE_API_VERSION
					}
				: undefined
		},
		manager: values.MANAGER_PASSWORD
			? { name: values.MANAGER_NAME, password: values.MANAGER_PASSWORD }
			: undefined,
		rateLimits: {
			perMinute: values.PUBLIC_RATE_LIMIT_PER_MINUTE,
			signInPer15Minutes: values.SIGN_IN_ATTEMPTS_PER_15_MINUTES
		},
		metricsToken: values.METRICS_TOKEN
	};
}
