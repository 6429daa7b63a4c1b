import { AppError } from '../errors';
import type { Runtime } from '../runtime';

/** The refusals that are guesses: a wrong name or secret, an unknown pairing code. */
const GUESSES = new Set(['wrong_sign_in', 'invalid_code']);

/**
 * Runs a sign-in or pairing attempt under the limit on failed ones: refused with a 429 while the
 * address (or the name) has failed too often, and counted when it fails again.
 */
export async function limitedAttempt<T>(
	rt: Runtime,
	who: { address: string; name: string | null },
	attempt: () => Promise<T> | T
): Promise<T> {
	const blocked = await rt.limiter.signInBlocked(who.address, who.name);
	if (blocked) {
		throw new AppError(
			429,
			'rate_limited',
			`too many ${blocked.what} from here; try again in ${blocked.retryAfterSeconds} s, or ask a manager`,
			{ retryAfterSeconds: blocked.retryAfterSeconds }
		);
	}
	try {
		return await attempt();
	} catch (error) {
		if (error instanceof AppError && GUESSES.has(error.code)) {
			await rt.limiter.signInFailed(who.address, who.name);
		}
		throw error;
	}
}
