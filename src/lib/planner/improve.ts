import type { Placed } from './plan';
import { reaches } from './place';
import { OvenTimeline } from './timeline';
import type { DemandLine, PlannerOven, Window } from './types';

const MINUTE = 60_000;

/** Beyond this many loads the search is skipped: its cost grows with the square of them. */
export const MAX_LOADS_TO_IMPROVE = 40;
/** Sequences tried before the search stops, whatever it has found. */
const MAX_TRIES = 1500;

interface Score {
	lateness: number;
	changes: number;
}

/** Maximal stretches [from, to) of a sequence baked at one temperature, longer than one load. */
function runs(sequence: number[], placed: Placed[]): [number, number][] {
	const found: [number, number][] = [];
	let start = 0;
	for (let index = 1; index <= sequence.length; index++) {
		const same =
			index < sequence.length &&
			placed[sequence[index]!]!.draft.tempC === placed[sequence[start]!]!.draft.tempC;
		if (same) continue;
		if (index - start > 1) found.push([start, index]);
		start = index;
	}
	return found;
}

const better = (a: Score, b: Score) =>
	a.lateness < b.lateness || (a.lateness === b.lateness && a.changes < b.changes);

/**
 * When the plan leaves orders late, tries moving each planned load to another place in its oven's
 * sequence or another oven's, re-times the sequences, and keeps any move that lowers the total
 * lateness (then the temperature changes). This catches what placing soonest-due-first misses,
 * such as baking all loads of one temperature together when changeovers cost the ovens' time.
 * Deterministic, and bounded by a number of tries.
 */
export function improve(
	construction: {
		placed: Placed[];
		fixedOnly: Map<number, OvenTimeline>;
		score: { lateness: number };
	},
	ovens: PlannerOven[],
	windows: Window[],
	demand: DemandLine[]
): void {
	const { placed, fixedOnly: fixedTimelines } = construction;
	const movable = placed
		.map((load, index) => ({ load, index }))
		.filter(({ load }) => load.fixedId === null);
	if (movable.length < 2 || movable.length > MAX_LOADS_TO_IMPROVE) return;

	const sequences = new Map(ovens.map((oven) => [oven.id, [] as number[]]));
	for (const { load, index } of [...movable].sort((a, b) => a.load.startAt - b.load.startAt)) {
		sequences.get(load.ovenId)!.push(index);
	}
	const ovenById = new Map(ovens.map((oven) => [oven.id, oven]));
	const dueOf = new Map(demand.map((line) => [line.lineId, line]));

	const evaluate = (
		candidate: Map<number, number[]>
	): { score: Score; starts: Map<number, number> } | null => {
		const starts = new Map<number, number>();
		let changes = 0;
		for (const [ovenId, sequence] of candidate) {
			const timeline = fixedTimelines.get(ovenId)!;
			let from = Number.NEGATIVE_INFINITY;
			let previousTemp: number | null = null;
			for (const index of sequence) {
				const { draft } = placed[index]!;
				const gap = previousTemp === null ? 0 : timeline.gap(previousTemp, draft.tempC);
				const start = timeline.earliestFit(
					draft.durationMs,
					draft.tempC,
					Math.max(draft.earliestStart, from + gap),
					windows,
					draft.prepMs
				);
				if (start === null) return null;
				if (previousTemp !== null && previousTemp !== draft.tempC) changes++;
				starts.set(index, start);
				from = start + draft.durationMs;
				previousTemp = draft.tempC;
			}
		}

		const ready = new Map<number, number>();
		for (const [index, start] of starts) {
			for (const tray of placed[index]!.draft.trays) {
				const at = start + (tray.product.bakeMinutes + tray.product.coolMinutes) * MINUTE;
				for (const feed of tray.feeds)
					ready.set(feed.lineId, Math.max(ready.get(feed.lineId) ?? 0, at));
			}
		}
		const orderLate = new Map<number, number>();
		for (const [lineId, at] of ready) {
			const line = dueOf.get(lineId);
			if (!line) continue;
			const late = Math.max(0, Math.ceil((at - line.dueAt) / MINUTE));
			orderLate.set(line.orderId, Math.max(orderLate.get(line.orderId) ?? 0, late));
		}
		let lateness = 0;
		for (const late of orderLate.values()) lateness += late;
		return { score: { lateness, changes }, starts };
	};

	let best = evaluate(sequences);
	if (!best || best.score.lateness === 0) return;

	let tries = 0;
	let improved = true;
	while (improved && tries < MAX_TRIES) {
		improved = false;
		search: for (const [fromOven, fromSequence] of sequences) {
			for (let position = 0; position < fromSequence.length; position++) {
				const index = fromSequence[position]!;
				const { draft } = placed[index]!;
				for (const [toOven, toSequence] of sequences) {
					const oven = ovenById.get(toOven)!;
					if (!reaches(oven, draft.tempC) || oven.capacityTrays < draft.trays.length) continue;
					const slots = toSequence.length + (toOven === fromOven ? 0 : 1);
					for (let target = 0; target < slots; target++) {
						if (toOven === fromOven && target === position) continue;
						if (++tries > MAX_TRIES) break search;
						const candidate = new Map(sequences);
						const shortened = fromSequence.filter((_, at) => at !== position);
						candidate.set(fromOven, shortened);
						const base = toOven === fromOven ? shortened : toSequence;
						candidate.set(toOven, [...base.slice(0, target), index, ...base.slice(target)]);
						const result = evaluate(candidate);
						if (result && better(result.score, best!.score)) {
							best = result;
							for (const [ovenId, sequence] of candidate) sequences.set(ovenId, sequence);
							improved = true;
							break search;
						}
					}
				}
			}
		}
		if (improved) continue;

		// No single load helps: try moving a whole run of loads at one temperature, so that a
		// temperature is baked in one campaign and the ovens lose less time to changeovers.
		campaigns: for (const [ovenId, sequence] of sequences) {
			for (const [from, to] of runs(sequence, placed)) {
				const block = sequence.slice(from, to);
				const rest = [...sequence.slice(0, from), ...sequence.slice(to)];
				for (let target = 0; target <= rest.length; target++) {
					if (target === from) continue;
					if (++tries > MAX_TRIES) break campaigns;
					const moved = [...rest.slice(0, target), ...block, ...rest.slice(target)];
					const result = evaluate(new Map(sequences).set(ovenId, moved));
					if (result && better(result.score, best!.score)) {
						best = result;
						sequences.set(ovenId, moved);
						improved = true;
						break campaigns;
					}
				}
			}
		}
	}

	for (const [ovenId, sequence] of sequences) {
		for (const index of sequence) {
			placed[index]!.ovenId = ovenId;
			placed[index]!.startAt = best!.starts.get(index)!;
		}
	}
	construction.score.lateness = best!.score.lateness;
}
