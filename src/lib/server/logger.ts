import pino, { type Logger } from 'pino';

/**
 * One root logger for the process; each module takes a child named after itself, so a line says
 * where it came from. Levels mean: error, a person must act; warn, degraded but working; info,
 * lifecycle (started, stopped, migrated); debug, detail for a developer.
 */
export function createRootLogger(level: string): Logger {
	return pino({
		level,
		base: { pid: process.pid },
		redact: {
			paths: ['*.email', '*.phone', 'customer.email', 'customer.phone', 'req.headers.cookie'],
			censor: '[hidden]'
		}
	});
}

export type { Logger };
