import { RateLimiterMemory } from 'rate-limiter-flexible';

/**
 * Limits on what the public can do, per client address: placing orders, reading tracking pages
 * and slots, rating, and guessing sign-in secrets or pairing codes. Staff sessions are not
 * limited (a busy counter outpaces any public rate). Counts are kept per server process.
 */
export interface RateLimits {
	/** Orders and ratings a minute from one address; reads get four times as many. */
	perMinute: number;
	/** Sign-in and pairing attempts a quarter-hour from one address. */
	signInPer15Minutes: number;
}

type Rule = { limiter: RateLimiterMemory; what: string };

export class PublicLimiter {
	readonly #writes: Rule;
	readonly #reads: Rule;
	readonly #signIn: Rule;

	constructor(limits: RateLimits) {
		this.#writes = {
			limiter: new RateLimiterMemory({
				keyPrefix: 'write',
				points: limits.perMinute,
				duration: 60
			}),
			what: 'orders and ratings'
		};
		this.#reads = {
			limiter: new RateLimiterMemory({
				keyPrefix: 'read',
				points: limits.perMinute * 4,
				duration: 60
			}),
			what: 'requests'
		};
		this.#signIn = {
			limiter: new RateLimiterMemory({
				keyPrefix: 'sign-in',
				points: limits.signInPer15Minutes,
				duration: 15 * 60
			}),
			what: 'sign-in attempts'
		};
	}

	/** Which limit a public request counts against, if any. */
	ruleFor(method: string, pathname: string): Rule | null {
		if (method === 'POST' && /^\/(api\/)?(session|signin|pair)\/?$/.test(pathname)) {
			return this.#signIn;
		}
		if (
			method === 'POST' &&
			(/^\/api\/orders\/?$/.test(pathname) || pathname.startsWith('/rate/'))
		) {
			return this.#writes;
		}
		if (
			method === 'GET' &&
			(/^\/(track|rate)\//.test(pathname) || /^\/api\/(slots|products)\/?$/.test(pathname))
		) {
			return this.#reads;
		}
		return null;
	}

	/**
	 * Counts the request. Answers null while within the limit, otherwise what was limited and how
	 * many seconds until the next request is let through. (A result, not a thrown error: the
	 * limiter lives in the runtime, which server.ts loads apart from SvelteKit's bundle.)
	 */
	async check(
		method: string,
		pathname: string,
		address: string
	): Promise<{ what: string; retryAfterSeconds: number } | null> {
		const rule = this.ruleFor(method, pathname);
		if (!rule) return null;
		try {
			await rule.limiter.consume(address);
			return null;
		} catch (result) {
			// The limiter rejects with its result (how long until a point frees up), or an Error.
			const wait = (result as { msBeforeNext?: unknown } | null)?.msBeforeNext;
			if (result instanceof Error || typeof wait !== 'number') throw result;
			return { what: rule.what, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
		}
	}
}
