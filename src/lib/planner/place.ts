import type { Draft, Placed, Tray } from './plan';
import { freshnessMs } from './plan';
import { OvenTimeline } from './timeline';
import type { LateReason, PlannerOven, Window } from './types';

const MINUTE = 60_000;

export function reaches(oven: PlannerOven, tempC: number): boolean {
	return oven.minTempC <= tempC && tempC <= oven.maxTempC;
}

export function draftOf(trays: Tray[], tempC: number): Draft {
	return {
		tempC,
		prepMs: Math.max(...trays.map((tray) => tray.product.prepMinutes)) * MINUTE,
		trays,
		latestStart: Math.min(...trays.map((tray) => tray.latestStart)),
		earliestStart: Math.max(...trays.map((tray) => tray.earliestStart)),
		durationMs: Math.max(...trays.map((tray) => tray.product.bakeMinutes)) * MINUTE
	};
}

interface Choice {
	oven: PlannerOven;
	start: number;
	trays: Tray[];
	durationMs: number;
	onTime: boolean;
	changes: number;
}

/** Trays at one temperature, soonest due first, with a cursor past the ones already baked. */
class Queue {
	readonly trays: Tray[];
	readonly taken = new Set<Tray>();
	#front = 0;

	constructor(trays: Tray[]) {
		// Baking order: by rank (the latest start, pushed back for a deferred order).
		this.trays = trays.sort(
			(a, b) => a.rank - b.rank || a.earliestStart - b.earliestStart || a.product.id - b.product.id
		);
	}

	head(): Tray | undefined {
		while (this.#front < this.trays.length && this.taken.has(this.trays[this.#front]!))
			this.#front++;
		return this.trays[this.#front];
	}

	*after(head: Tray): Generator<Tray> {
		for (
			let index = this.trays.indexOf(head, this.#front) + 1;
			index < this.trays.length;
			index++
		) {
			const tray = this.trays[index]!;
			if (!this.taken.has(tray)) yield tray;
		}
	}
}

/**
 * Builds loads while placing them. The most urgent tray goes first; each oven that reaches its
 * temperature offers the first time it is free, and fills the load with the next most urgent
 * trays at that temperature that are prepped by then and not baked too early for freshness.
 * Preference: on time; then the most trays (fewest loads); no new temperature change; the
 * smallest oven; the earliest start. A tray no oven can take on time goes where it is ready
 * soonest, and is marked late.
 */
export function batchAndPlace(
	trays: Tray[],
	ovens: PlannerOven[],
	timelines: Map<number, OvenTimeline>,
	windows: Window[],
	placed: Placed[],
	freshnessMinutes: number
): { draft: Draft; reason: LateReason }[] {
	const unplaced: { draft: Draft; reason: LateReason }[] = [];
	const queues = new Map<number, Queue>();
	for (const tray of trays) {
		const tempC = tray.product.bakeTempC;
		if (!queues.has(tempC)) queues.set(tempC, new Queue([]));
		queues.get(tempC)!.trays.push(tray);
	}
	for (const [tempC, queue] of queues) queues.set(tempC, new Queue(queue.trays));

	for (;;) {
		const heads = [...queues].flatMap(([tempC, queue]) => {
			const head = queue.head();
			return head ? [{ tempC, queue, head }] : [];
		});
		if (heads.length === 0) break;
		const { tempC, queue, head } = heads.sort(
			(a, b) =>
				a.head.rank - b.head.rank ||
				a.head.earliestStart - b.head.earliestStart ||
				a.tempC - b.tempC
		)[0]!;

		const candidates = ovens.filter((oven) => reaches(oven, tempC));
		if (candidates.length === 0) {
			queue.taken.add(head);
			unplaced.push({
				draft: draftOf([head], tempC),
				reason: { code: 'no-oven', productId: head.product.id, tempC }
			});
			continue;
		}

		const choices = candidates.flatMap((oven) => {
			const choice = fill(oven, timelines.get(oven.id)!, head, queue, windows, freshnessMinutes);
			return choice ? [choice] : [];
		});
		const choice = choices.sort(compareChoices)[0];
		if (!choice) {
			queue.taken.add(head);
			unplaced.push({
				draft: draftOf([head], tempC),
				reason: { code: 'horizon', productId: head.product.id }
			});
			continue;
		}

		for (const tray of choice.trays) queue.taken.add(tray);
		const draft = draftOf(choice.trays, tempC);
		placed.push({
			draft,
			ovenId: choice.oven.id,
			startAt: choice.start,
			fixedId: null,
			reason: null
		});
		timelines.get(choice.oven.id)!.add({
			start: choice.start,
			end: choice.start + draft.durationMs,
			tempC,
			load: placed.length - 1
		});
	}
	return unplaced;
}

function fill(
	oven: PlannerOven,
	timeline: OvenTimeline,
	head: Tray,
	queue: Queue,
	windows: Window[],
	freshnessMinutes: number
): Choice | null {
	const tempC = head.product.bakeTempC;
	let durationMs = head.product.bakeMinutes * MINUTE;
	let prepMs = head.product.prepMinutes * MINUTE;
	const start = timeline.earliestFit(durationMs, tempC, head.earliestStart, windows, prepMs);
	if (start === null) return null;

	const trays = [head];
	for (const tray of queue.after(head)) {
		if (trays.length >= oven.capacityTrays) break;
		// The load will move as late as the head allows, or stays at `start` if that is later.
		// Sorted by due: once one would wait too long after baking, all later ones would too.
		const bakedAt = Math.max(start, head.latestStart);
		if (tray.rank - bakedAt > freshnessMs(tray.product, freshnessMinutes)) break;
		if (tray.earliestStart > start) continue;
		// A tray that bakes or preps longer joins only if the load still fits as placed.
		const longer = Math.max(durationMs, tray.product.bakeMinutes * MINUTE);
		const longerPrep = Math.max(prepMs, tray.product.prepMinutes * MINUTE);
		const grows = longer > durationMs || longerPrep > prepMs;
		if (grows && timeline.earliestFit(longer, tempC, start, windows, longerPrep) !== start)
			continue;
		durationMs = longer;
		prepMs = longerPrep;
		trays.push(tray);
	}
	return {
		oven,
		start,
		trays,
		durationMs,
		onTime: start <= head.latestStart,
		changes: timeline.changesAdded(start, tempC)
	};
}

function compareChoices(a: Choice, b: Choice): number {
	if (a.onTime !== b.onTime) return a.onTime ? -1 : 1;
	if (!a.onTime)
		return (
			a.start + a.durationMs - (b.start + b.durationMs) ||
			b.trays.length - a.trays.length ||
			a.oven.id - b.oven.id
		);
	return (
		b.trays.length - a.trays.length ||
		a.changes - b.changes ||
		a.oven.capacityTrays - b.oven.capacityTrays ||
		a.start - b.start ||
		a.oven.id - b.oven.id
	);
}

/** The constraint that made a load late: its prep, the bakehouse's hours, or busy ovens. */
export function lateReason(draft: Draft, start: number, windows: Window[]): LateReason {
	const soonest = [...draft.trays].sort((a, b) => a.latestStart - b.latestStart)[0]!;
	const productId = soonest.product.id;
	if (soonest.earliestStart > soonest.latestStart) {
		return {
			code: 'prep-time',
			productId,
			at:
				soonest.earliestStart + (soonest.product.bakeMinutes + soonest.product.coolMinutes) * MINUTE
		};
	}
	const emptyOven = new OvenTimeline(0).earliestFit(
		draft.durationMs,
		draft.tempC,
		soonest.earliestStart,
		windows,
		draft.prepMs
	);
	if (emptyOven === null || emptyOven > soonest.latestStart) {
		return { code: 'bakehouse-hours', productId, at: emptyOven ?? soonest.earliestStart };
	}
	return { code: 'oven-capacity', productId, tempC: draft.tempC, at: start };
}
