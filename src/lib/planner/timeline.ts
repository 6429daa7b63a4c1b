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

	/** The earliest start at or after `from` inside a window where the load fits, or null. */
	earliestFit(durationMs: number, tempC: number, from: number, windows: Window[]): number | null {
		for (const window of windows) {
			if (window.end <= from) continue;
			let start = Math.max(from, window.start);
			for (const booking of this.bookings) {
				if (booking.end + this.gap(booking.tempC, tempC) <= start) continue;
				if (start + durationMs + this.gap(tempC, booking.tempC) <= booking.start) break;
				start = Math.max(start, booking.end + this.gap(booking.tempC, tempC));
			}
			if (start + durationMs <= window.end) return start;
		}
		return null;
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

/** The latest start ≤ `latest` and ≥ `from` that keeps [start, start + duration) in one window. */
export function latestInWindows(
	from: number,
	latest: number,
	durationMs: number,
	windows: Window[]
): number | null {
	for (let index = windows.length - 1; index >= 0; index--) {
		const window = windows[index]!;
		const start = Math.min(latest, window.end - durationMs);
		if (start >= window.start && start >= from) return start;
		if (window.end <= from) return null;
	}
	return null;
}
