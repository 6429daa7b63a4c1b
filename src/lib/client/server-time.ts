/** The server's clock as the server read it when the page was made. */
export interface ClockReading {
	nowMs: number;
	/** 1 for real time; a replay may run faster, or stand still (0). */
	speed: number;
}

/**
 * The server's time on a screen. Countdowns and urgency colours compare against it rather than
 * the tablet's own clock, which is often minutes off on a wall screen, and which knows nothing of
 * a replayed day running at sixty times real speed.
 */
export function serverTime(reading: ClockReading, local: () => number = () => Date.now()) {
	const readAt = local();
	return () => Math.floor(reading.nowMs + (local() - readAt) * reading.speed);
}
