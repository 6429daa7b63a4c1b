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
	databasePath: string;
	shopTimeZone: string;
	redisUrl: string | undefined;
	demoData: boolean;
	logLevel: string;
}

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
	SHOP_TIMEZONE: z
		.string()
		.refine(isValidTimeZone, 'use an IANA zone name such as Europe/London')
		.default('Europe/London'),
	REDIS_URL: z
		.url({ error: 'use a redis:// address such as redis://127.0.0.1:6379' })
		.refine((value) => /^rediss?:\/\//.test(value), 'use a redis:// or rediss:// address')
		.optional(),
	DEMO_DATA: boolean.default(true),
	LOG_LEVEL: z.enum(LOG_LEVELS, { error: `use one of ${LOG_LEVELS.join(', ')}` }).default('info')
});

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
	return {
		port: values.PORT,
		host: values.HOST,
		origin: values.ORIGIN ?? `http://localhost:${values.PORT}`,
		databasePath: path.resolve(values.DATABASE_PATH ?? './data/bakery.sqlite'),
		shopTimeZone: values.SHOP_TIMEZONE,
		redisUrl: values.REDIS_URL,
		demoData: values.DEMO_DATA,
		logLevel: values.LOG_LEVEL
	};
}
