import { performance } from 'node:perf_hooks';

/**
 * The server's clock. A shop runs on the real one. A replay of a past day runs on a simulated
 * one: it starts at a chosen instant and runs `speed` times faster than real time, or stands
 * still (speed 0) and moves only when told, so a whole day can be run as fast as the server
 * answers. Every service reads time through `Deps.now`, so both work the same everywhere.
 */
export interface Clock {
	now(): number;
	readonly simulated: boolean;
	/** Real seconds per simulated second, inverted: 60 runs an hour a minute; 0 stands still. */
	readonly speed: number;
	/** Moves a simulated clock forward to `at`; a clock never goes back. */
	advanceTo(at: number): number;
}

export class ClockError extends Error {}

export function realClock(): Clock {
	return {
		now: () => Date.now(),
		simulated: false,
		speed: 1,
		advanceTo() {
			throw new ClockError(
				'this server runs on the real clock; start it with CLOCK_START to simulate a day'
			);
		}
	};
}

export function simulatedClock(start: number, speed: number): Clock {
	let base = start;
	let setAt = performance.now();
	const now = () => Math.floor(base + (performance.now() - setAt) * speed);
	return {
		now,
		simulated: true,
		speed,
		advanceTo(at: number) {
			const current = now();
			if (at < current) {
				throw new ClockError(
					`the clock is at ${new Date(current).toISOString()} and never goes back; ask for a later time`
				);
			}
			base = at;
			setAt = performance.now();
			return at;
		}
	};
}
