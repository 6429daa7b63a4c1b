import {
	RateLimiterMemory,
	RateLimiterRedis,
	type RateLimiterAbstract
} from 'rate-limiter-flexible';
import type { RedisClientType } from 'redis';

/**
 * Limits on what the public can do, per client address: placing orders, reading tracking pages
 * and slots, rating, and guessing sign-in secrets or pairing codes. Staff sessions are not
 * limited (a busy counter outpaces any public rate). With Redis the counts are shared by every
 * process of the shop; while Redis is away, or without it, each process counts on its own.
 */
export interface RateLimits {
	/** Orders and ratings a minute from one address; reads get four times as many. */
	perMinute: number;
	/** Sign-in and pairing attempts a quarter-hour from one address. */
	signInPer15Minutes: number;
}

type Rule = { limiter: RateLimiterAbstract; what: string };

export class PublicLimiter {
	readonly #writes: Rule;
	readonly #reads: Rule;
	readonly #signIn: Rule;
	readonly #signInPoints: number;

	constructor(limits: RateLimits, redis?: { client: RedisClientType; key: string }) {
		const limiter = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract => {
			const local = new RateLimiterMemory({ keyPrefix, points, duration });
			if (!redis) return local;
			return new RateLimiterRedis({
				storeClient: redis.client,
				useRedisPackage: true,
				rejectIfRedisNotReady: true,
				keyPrefix: `${redis.key}:limit:${keyPrefix}`,
				points,
				duration,
				insuranceLimiter: local
			});
		};
		this.#writes = {
			limiter: limiter('write', limits.perMinute, 60),
			what: 'orders and ratings'
		};
		this.#reads = { limiter: limiter('read', limits.perMinute * 4, 60), what: 'requests' };
		this.#signIn = {
			limiter: limiter('sign-in', limits.signInPer15Minutes, 15 * 60),
			what: 'failed sign-in attempts'
		};
		this.#signInPoints = limits.signInPer15Minutes;
	}

	/*
	 * Sign-in and pairing count failures only, so a shop whose tablets share one address is not
	 * locked out by its own busy morning. They are counted per address and, for sign-in, per name
	 * as well, so guessing one person's PIN from many addresses is held back too.
	 */
	#signInKeys(address: string, name: string | null): string[] {
		const keys = [`address:${address}`];
		if (name !== null) keys.push(`name:${name.trim().toLowerCase().slice(0, 60)}`);
		return keys;
	}

	/** Whether sign-in from this address, or as this name, must wait; null when it may go on. */
	async signInBlocked(
		address: string,
		name: string | null
	): Promise<{ what: string; retryAfterSeconds: number } | null> {
		for (const key of this.#signInKeys(address, name)) {
			const seen = await this.#signIn.limiter.get(key).catch(() => null);
			if (seen && seen.consumedPoints >= this.#signInPoints) {
				const seconds = Math.max(1, Math.ceil(seen.msBeforeNext / 1000));
				return { what: this.#signIn.what, retryAfterSeconds: seconds };
			}
		}
		return null;
	}

	/** Counts a wrong name, password, PIN or pairing code. */
	async signInFailed(address: string, name: string | null): Promise<void> {
		await Promise.all(
			this.#signInKeys(address, name).map((key) =>
				this.#signIn.limiter.consume(key).catch(() => undefined)
			)
		);
	}

	/** Which limit a public request counts against, if any (sign-in counts only failures). */
	ruleFor(method: string, pathname: string): Rule | null {
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
