import type { Window } from './types';

/** A load's place in one oven, for fitting others around it. */
export interface Booking {
	start: number;
	end: number;
	tempC: number;
	/** Index into the planner's load list. */
	load: number;
}

/**
 * The bookings of one oven in start order, and the arithmetic of fitting a load between them:
 * no overlap, and the changeover time between two loads at different temperatures.
 */
export class OvenTimeline {
	readonly bookings: Booking[] = [];

	constructor(private readonly changeoverMs: number) {}

	copy(): OvenTimeline {
		const copy = new OvenTimeline(this.changeoverMs);
		copy.bookings.push(...this.bookings.map((booking) => ({ ...booking })));
		return copy;
	}

	gap(fromTemp: number, toTemp: number): number {
		return fromTemp === toTemp ? 0 : this.changeoverMs;
	}

	add(booking: Booking): void {
		let index = this.bookings.length;
		while (index > 0 && this.bookings[index - 1]!.start > booking.start) index--;
		this.bookings.splice(index, 0, booking);
	}

	/**
	 * The earliest start at or after `from` inside a window where the load fits, or null. The
	 * prep before it must happen inside the same window: bakers work the bakehouse's hours too.
	 */
	earliestFit(
		durationMs: number,
		tempC: number,
		from: number,
		windows: Window[],
		prepMs = 0
	): number | null {
		for (const window of windows) {
			if (window.end <= from) continue;
			let start = Math.max(from, window.start + prepMs);
			for (const booking of this.bookings) {
				if (booking.end + this.gap(booking.tempC, tempC) <= start) continue;
				if (start + durationMs + this.gap(tempC, booking.tempC) <= booking.start) break;
				start = Math.max(start, booking.end + this.gap(booking.tempC, tempC));
			}
			if (start + durationMs <= window.end) return start;
		}
		return null;
	}

	remove(booking: Booking): void {
		this.bookings.splice(this.bookings.indexOf(booking), 1);
	}

	/**
	 * The latest start in [notBefore, latest] where the load fits between the bookings, with its
	 * prep inside the window, or null.
	 */
	latestFit(
		durationMs: number,
		tempC: number,
		latest: number,
		notBefore: number,
		windows: Window[],
		prepMs = 0
	): number | null {
		let best: number | null = null;
		for (let index = 0; index <= this.bookings.length; index++) {
			const before = this.bookings[index - 1];
			const after = this.bookings[index];
			const lower = before ? before.end + this.gap(before.tempC, tempC) : Number.NEGATIVE_INFINITY;
			const upper = after ? after.start - this.gap(tempC, after.tempC) : Number.POSITIVE_INFINITY;
			for (const window of windows) {
				const from = Math.max(lower, notBefore, window.start + prepMs);
				const start = Math.min(latest, upper - durationMs, window.end - durationMs);
				if (start >= from && (best === null || start > best)) best = start;
			}
		}
		return best;
	}

	/** Temperature changes a load at `start` would add between its neighbours. */
	changesAdded(start: number, tempC: number): number {
		const next = this.bookings.findIndex((booking) => booking.start >= start);
		const after = next === -1 ? undefined : this.bookings[next];
		const before = this.bookings[(next === -1 ? this.bookings.length : next) - 1];
		const added =
			Number(before !== undefined && before.tempC !== tempC) +
			Number(after !== undefined && after.tempC !== tempC);
		const removed = Number(
			before !== undefined && after !== undefined && before.tempC !== after.tempC
		);
		return added - removed;
	}

	temperatureChanges(): number {
		return this.bookings.reduce(
			(changes, booking, index) =>
				changes + Number(index > 0 && this.bookings[index - 1]!.tempC !== booking.tempC),
			0
		);
	}
}
