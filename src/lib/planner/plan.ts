import { improve } from './improve';
import { batchAndPlace, lateReason } from './place';
import { OvenTimeline } from './timeline';
import type {
	DemandLine,
	LateReason,
	LineOutcome,
	OrderOutcome,
	Plan,
	PlanInput,
	PlannedLoad,
	PlannedTray,
	PlannerProduct,
	Shortage,
	TrayFeed
} from './types';

const MINUTE = 60_000;

/** A tray to bake: one product, units from one or more order lines. */
export interface Tray {
	product: PlannerProduct;
	units: number;
	feeds: TrayFeed[];
	/** Latest oven start for the soonest-due line it feeds to be on time. */
	latestStart: number;
	/** Earliest oven start: its prep has to be done first. */
	earliestStart: number;
	/** Order of baking: its latest start, pushed back when its order is deferred. */
	rank: number;
}

/** How far a deferred order's trays move back in the baking order: past any real due time. */
const DEFERRED_MS = 365 * 24 * 60 * MINUTE;

/** Trays at one temperature that go into the oven together. */
export interface Draft {
	tempC: number;
	/** The longest prep of its trays, which must fit in the bakehouse's hours before the bake. */
	prepMs: number;
	trays: Tray[];
	latestStart: number;
	earliestStart: number;
	durationMs: number;
}

export interface Placed {
	draft: Draft;
	ovenId: number;
	startAt: number;
	fixedId: number | null;
	reason: LateReason | null;
}

/**
 * Plans bake work into oven loads. Objectives, in order: no late order (else least lateness,
 * each late line explained); fewest loads with the fullest trays; fewest temperature changes;
 * baking as close to the due time as those allow.
 *
 * How: lines are filled into shared trays per product, soonest due first; trays at one
 * temperature are grouped into loads no bigger than the largest oven that reaches it; loads are
 * placed earliest-due-first at the first time an oven is free (which keeps lateness least),
 * preferring no temperature change and the smallest oven that fits; a load no oven can take on
 * time is split for a smaller free oven. Last, each load moves as late as its due time and the
 * next load in its oven allow, so bread is fresh at pickup.
 */
export function plan(input: PlanInput): Plan {
	const products = new Map(input.products.map((product) => [product.id, product]));
	const windows = [...input.windows].sort((a, b) => a.start - b.start);
	const demand = remainingDemand(input);
	const { shortages, left } = allocateIngredients(demand, products, input.ingredientStock);
	const context: Context = { input, products, windows, demand };

	// Build the plan soonest-due first; when orders are late, also try letting each of the
	// latest wait, then polish the two best with local moves and keep the better.
	const first = construct(context, new Set());
	const candidates = deferralCandidates(first, demand);
	// Each late order deferred alone; then the best of those with others added one by one.
	let single = first;
	for (const orderId of candidates) {
		const trial = construct(context, new Set([orderId]));
		if (compareScores(trial.score, single.score) < 0) single = trial;
	}
	let combined = single;
	for (const orderId of candidates.filter((id) => single !== first && !single.deferred.has(id))) {
		const trial = construct(context, new Set([...combined.deferred, orderId]));
		if (compareScores(trial.score, combined.score) < 0) combined = trial;
	}
	let best = combined;
	if (first.score.lateness > 0) {
		// Local moves can take any of these further: polish each and keep the best.
		const polished = [...new Set([first, single, combined])];
		for (const entry of polished) improve(entry, input.ovens, windows, demand);
		best = polished.sort((a, b) => compareScores(a.score, b.score))[0]!;
	}
	const { placed, unplaced } = best;
	const timelines = rebook(placed, best.fixedOnly);
	shiftLate(placed, timelines, windows);
	for (const load of placed) {
		if (load.fixedId === null && load.startAt > load.draft.latestStart) {
			load.reason = lateReason(load.draft, load.startAt, windows);
		}
	}

	const loads = placed
		.map(toPlannedLoad)
		.sort((a, b) => a.startAt - b.startAt || a.ovenId - b.ovenId);
	if (input.settings.fillTraysForShelf) fillForShelf(loads, products, left);
	const lines = outcomes(input.demand, placed, unplaced, shortages);
	return {
		loads,
		lines,
		orders: byOrder(lines),
		stats: statistics(loads, lines, timelines, products)
	};
}

interface Context {
	input: PlanInput;
	products: Map<number, PlannerProduct>;
	windows: PlanInput['windows'];
	demand: DemandLine[];
}

interface Score {
	lateness: number;
	unplaced: number;
	loads: number;
}

interface Construction {
	deferred: Set<number>;
	placed: Placed[];
	unplaced: { draft: Draft; reason: LateReason }[];
	timelines: Map<number, OvenTimeline>;
	fixedOnly: Map<number, OvenTimeline>;
	score: Score;
	lateOrders: Map<number, number>;
}

function compareScores(a: Score, b: Score): number {
	return a.unplaced - b.unplaced || a.lateness - b.lateness || a.loads - b.loads;
}

/** Late orders worth trying to bake last, most late first; none when the plan is large. */
const MAX_DEFERRALS = 8;
const MAX_TRAYS_TO_DEFER = 3000;

function deferralCandidates(first: Construction, demand: DemandLine[]): number[] {
	if (first.score.lateness === 0 || demand.length > MAX_TRAYS_TO_DEFER) return [];
	return [...first.lateOrders]
		.sort((a, b) => b[1] - a[1] || a[0] - b[0])
		.slice(0, MAX_DEFERRALS)
		.map(([orderId]) => orderId);
}

/**
 * One plan: trays filled and placed with the given orders deferred, that is, baked after the
 * others. Minimising total lateness sometimes means letting one big order wait so that several
 * small ones are on time; trying that is cheap when few orders are late.
 */
function construct(context: Context, deferred: Set<number>): Construction {
	const { input, products, windows, demand } = context;
	const timelines = new Map(
		input.ovens.map((oven) => [oven.id, new OvenTimeline(oven.changeoverMinutes * MINUTE)])
	);
	const placed: Placed[] = [];
	for (const load of input.fixedLoads) {
		const draft = fixedDraft(load.trays, load.tempC, load.startAt, load.endAt, products);
		placed.push({
			draft,
			ovenId: load.ovenId,
			startAt: load.startAt,
			fixedId: load.id,
			reason: null
		});
		timelines
			.get(load.ovenId)
			?.add({ start: load.startAt, end: load.endAt, tempC: load.tempC, load: placed.length - 1 });
	}
	const fixedOnly = new Map([...timelines].map(([id, timeline]) => [id, timeline.copy()]));

	const ordered =
		deferred.size === 0
			? demand
			: [...demand].sort(
					(a, b) =>
						Number(deferred.has(a.orderId)) - Number(deferred.has(b.orderId)) ||
						a.dueAt - b.dueAt ||
						a.lineId - b.lineId
				);
	const trays = fillTrays(ordered, products, input, deferred);
	const unplaced = batchAndPlace(
		trays,
		input.ovens,
		timelines,
		windows,
		placed,
		input.settings.freshnessMinutes
	);

	const lateOrders = new Map<number, number>();
	const due = new Map(demand.map((line) => [line.lineId, line.dueAt]));
	for (const load of placed) {
		for (const tray of load.draft.trays) {
			const ready = load.startAt + (tray.product.bakeMinutes + tray.product.coolMinutes) * MINUTE;
			for (const feed of tray.feeds) {
				const late = Math.max(0, Math.ceil((ready - (due.get(feed.lineId) ?? ready)) / MINUTE));
				if (late > 0)
					lateOrders.set(feed.orderId, Math.max(lateOrders.get(feed.orderId) ?? 0, late));
			}
		}
	}
	let lateness = 0;
	for (const late of lateOrders.values()) lateness += late;
	const score = { lateness, unplaced: unplaced.length, loads: placed.length };
	return { deferred, placed, unplaced, timelines, fixedOnly, score, lateOrders };
}

/** Demand less what loads already in progress will bake. */
function remainingDemand(input: PlanInput): DemandLine[] {
	const covered = new Map<number, number>();
	for (const load of input.fixedLoads) {
		for (const feed of load.trays.flatMap((tray) => tray.feeds)) {
			covered.set(feed.lineId, (covered.get(feed.lineId) ?? 0) + feed.units);
		}
	}
	return input.demand
		.map((line) => ({ ...line, units: line.units - (covered.get(line.lineId) ?? 0) }))
		.filter((line) => line.units > 0)
		.sort((a, b) => a.dueAt - b.dueAt || a.lineId - b.lineId);
}

/**
 * Ingredients go to orders in the order they were accepted (an order not yet accepted, with a
 * negative id, comes last), so a new order can never take what a promise already counts on. A
 * line the store cannot cover takes what is left and is listed with what is missing; it is still
 * planned, so the shop knows when the delivery must arrive.
 */
function allocateIngredients(
	demand: DemandLine[],
	products: Map<number, PlannerProduct>,
	stock: Record<number, number>
): { shortages: Map<number, Shortage[]>; left: Map<number, number> } {
	const left = new Map(Object.entries(stock).map(([id, amount]) => [Number(id), amount]));
	const shortages = new Map<number, Shortage[]>();
	const accepted = (id: number) => (id < 0 ? Number.MAX_SAFE_INTEGER + id : id);
	const byAcceptance = [...demand].sort(
		(a, b) => accepted(a.orderId) - accepted(b.orderId) || a.lineId - b.lineId
	);
	for (const line of byAcceptance) {
		const missing: Shortage[] = [];
		for (const item of products.get(line.productId)?.recipe ?? []) {
			const need = item.quantityPerUnit * line.units;
			const have = Math.max(0, left.get(item.ingredientId) ?? 0);
			left.set(item.ingredientId, have - Math.min(have, need));
			// A hair of tolerance: recipes hold fractions (0.1 egg) that sum with rounding error.
			if (need > have + 1e-9) {
				missing.push({ ingredientId: item.ingredientId, missing: need - have, neededBy: null });
			}
		}
		if (missing.length > 0) shortages.set(line.lineId, missing);
	}
	return { shortages, left };
}

/**
 * Tops up the part trays of new loads to a full tray for the shelf, soonest load first, with
 * what the orders left of each ingredient. The extra units feed no order; the oven time and the
 * tray count do not change, so neither does any promise.
 */
function fillForShelf(
	loads: PlannedLoad[],
	products: Map<number, PlannerProduct>,
	left: Map<number, number>
): void {
	for (const load of loads) {
		if (load.fixedId !== null) continue;
		for (const tray of load.trays) {
			const product = products.get(tray.productId);
			if (!product || tray.units >= product.unitsPerTray) continue;
			const affordable = product.recipe.reduce(
				(most, item) =>
					Math.min(
						most,
						Math.floor((left.get(item.ingredientId) ?? 0) / item.quantityPerUnit + 1e-9)
					),
				product.unitsPerTray - tray.units
			);
			if (affordable <= 0) continue;
			for (const item of product.recipe) {
				left.set(
					item.ingredientId,
					(left.get(item.ingredientId) ?? 0) - affordable * item.quantityPerUnit
				);
			}
			tray.units += affordable;
		}
	}
}

export function freshnessMs(product: PlannerProduct, freshnessMinutes: number): number {
	return Math.min(freshnessMinutes, product.shelfLifeHours * 60) * MINUTE;
}

/** Fills trays per product, soonest due first, sharing trays across orders. */
function fillTrays(
	demand: DemandLine[],
	products: Map<number, PlannerProduct>,
	input: PlanInput,
	deferred: Set<number>
): Tray[] {
	const trays: Tray[] = [];
	const open = new Map<number, { tray: Tray; firstDue: number }>();
	for (const line of demand) {
		const product = products.get(line.productId);
		if (!product) continue;
		const fresh = freshnessMs(product, input.settings.freshnessMinutes);
		const late = deferred.has(line.orderId);
		const key = late ? -product.id : product.id;
		let left = line.units;
		while (left > 0) {
			let current = open.get(key);
			if (
				!current ||
				current.tray.units >= product.unitsPerTray ||
				line.dueAt - current.firstDue > fresh
			) {
				const latestStart = line.dueAt - (product.coolMinutes + product.bakeMinutes) * MINUTE;
				const tray: Tray = {
					product,
					units: 0,
					feeds: [],
					latestStart,
					rank: late ? latestStart + DEFERRED_MS : latestStart,
					earliestStart: input.now + product.prepMinutes * MINUTE
				};
				trays.push(tray);
				current = { tray, firstDue: line.dueAt };
				open.set(key, current);
			}
			const take = Math.min(product.unitsPerTray - current.tray.units, left);
			current.tray.units += take;
			current.tray.feeds.push({ orderId: line.orderId, lineId: line.lineId, units: take });
			// Not out of the oven before the last customer it feeds could still eat it.
			const keepsUntil = line.dueAt - (product.shelfLifeHours * 60 + product.bakeMinutes) * MINUTE;
			current.tray.earliestStart = Math.max(current.tray.earliestStart, keepsUntil);
			left -= take;
		}
	}
	return trays;
}

/** A load in progress, in the shape of a planned one; its trays keep what they feed. */
function fixedDraft(
	trays: PlannedTray[],
	tempC: number,
	startAt: number,
	endAt: number,
	products: Map<number, PlannerProduct>
): Draft {
	const known = trays.flatMap((tray) => {
		const product = products.get(tray.productId);
		if (!product) return [];
		return [
			{
				product,
				units: tray.units,
				feeds: tray.feeds,
				latestStart: startAt,
				earliestStart: startAt,
				rank: startAt
			}
		];
	});
	return {
		tempC,
		prepMs: 0,
		trays: known,
		latestStart: startAt,
		earliestStart: startAt,
		durationMs: endAt - startAt
	};
}

/** Timelines holding the fixed loads and then every placed load at its (new) time. */
function rebook(placed: Placed[], fixedOnly: Map<number, OvenTimeline>): Map<number, OvenTimeline> {
	const timelines = new Map([...fixedOnly].map(([id, timeline]) => [id, timeline.copy()]));
	placed.forEach((load, index) => {
		if (load.fixedId !== null) return;
		timelines.get(load.ovenId)!.add({
			start: load.startAt,
			end: load.startAt + load.draft.durationMs,
			tempC: load.draft.tempC,
			load: index
		});
	});
	return timelines;
}

/**
 * Moves each on-time load as late as its due time allows, into any later gap of its oven (past
 * other loads if need be), so goods come out of the oven close to when they are collected.
 */
function shiftLate(
	placed: Placed[],
	timelines: Map<number, OvenTimeline>,
	windows: PlanInput['windows']
): void {
	for (const timeline of timelines.values()) {
		const movable = timeline.bookings
			.filter((booking) => {
				const load = placed[booking.load]!;
				return load.fixedId === null && load.startAt <= load.draft.latestStart;
			})
			.sort(
				(a, b) =>
					placed[b.load]!.draft.latestStart - placed[a.load]!.draft.latestStart || b.start - a.start
			);
		for (const booking of movable) {
			const load = placed[booking.load]!;
			const duration = booking.end - booking.start;
			timeline.remove(booking);
			const start = timeline.latestFit(
				duration,
				booking.tempC,
				load.draft.latestStart,
				booking.start,
				windows,
				load.draft.prepMs
			);
			if (start !== null && start > booking.start) {
				booking.start = start;
				booking.end = start + duration;
				load.startAt = start;
			}
			timeline.add(booking);
		}
	}
}

function toPlannedLoad(load: Placed): PlannedLoad {
	const prepMinutes = Math.max(0, ...load.draft.trays.map((tray) => tray.product.prepMinutes));
	return {
		fixedId: load.fixedId,
		ovenId: load.ovenId,
		prepStartAt: load.startAt - prepMinutes * MINUTE,
		startAt: load.startAt,
		endAt: load.startAt + load.draft.durationMs,
		tempC: load.draft.tempC,
		trays: load.draft.trays.map((tray) => ({
			productId: tray.product.id,
			units: tray.units,
			feeds: tray.feeds
		}))
	};
}

function outcomes(
	demand: DemandLine[],
	placed: Placed[],
	unplaced: { draft: Draft; reason: LateReason }[],
	shortages: Map<number, Shortage[]>
): LineOutcome[] {
	const readyAt = new Map<number, number>();
	const reasons = new Map<number, LateReason>();
	const firstPrep = new Map<number, number>();
	for (const load of placed) {
		const prepStart = toPlannedLoad(load).prepStartAt;
		for (const tray of load.draft.trays) {
			const ready = load.startAt + (tray.product.bakeMinutes + tray.product.coolMinutes) * MINUTE;
			for (const feed of tray.feeds) {
				readyAt.set(feed.lineId, Math.max(readyAt.get(feed.lineId) ?? 0, ready));
				firstPrep.set(feed.lineId, Math.min(firstPrep.get(feed.lineId) ?? Infinity, prepStart));
				if (load.reason && !reasons.has(feed.lineId)) reasons.set(feed.lineId, load.reason);
			}
		}
	}
	const never = new Map<number, LateReason>();
	for (const { draft, reason } of unplaced) {
		for (const feed of draft.trays.flatMap((tray) => tray.feeds)) never.set(feed.lineId, reason);
	}

	return demand.map((line) => {
		const ready = readyAt.get(line.lineId) ?? null;
		const cannot = never.get(line.lineId);
		const lateMs = ready === null ? 0 : Math.max(0, ready - line.dueAt);
		const neededBy = firstPrep.get(line.lineId) ?? null;
		return {
			orderId: line.orderId,
			lineId: line.lineId,
			readyAt: cannot ? null : ready,
			lateMinutes: cannot ? Number.POSITIVE_INFINITY : Math.ceil(lateMs / MINUTE),
			reason: cannot ?? (lateMs > 0 ? (reasons.get(line.lineId) ?? null) : null),
			shortages: (shortages.get(line.lineId) ?? []).map((shortage) => ({ ...shortage, neededBy }))
		};
	});
}

function byOrder(lines: LineOutcome[]): OrderOutcome[] {
	const orders = new Map<number, OrderOutcome>();
	for (const line of lines) {
		const order = orders.get(line.orderId) ?? {
			orderId: line.orderId,
			readyAt: null,
			lateMinutes: 0,
			reasons: []
		};
		if (line.readyAt !== null) order.readyAt = Math.max(order.readyAt ?? 0, line.readyAt);
		order.lateMinutes = Math.max(order.lateMinutes, line.lateMinutes);
		if (line.reason) order.reasons.push(line.reason);
		orders.set(line.orderId, order);
	}
	return [...orders.values()].sort((a, b) => a.orderId - b.orderId);
}

function statistics(
	loads: PlannedLoad[],
	lines: LineOutcome[],
	timelines: Map<number, OvenTimeline>,
	products: Map<number, PlannerProduct>
) {
	const trays = loads.flatMap((load) => load.trays);
	const capacity = trays.reduce(
		(sum, tray) => sum + (products.get(tray.productId)?.unitsPerTray ?? tray.units),
		0
	);
	const units = trays.reduce((sum, tray) => sum + tray.units, 0);
	const orders = byOrder(lines);
	const late = orders.filter((order) => order.lateMinutes > 0);
	return {
		loads: loads.length,
		trays: trays.length,
		trayFill: capacity === 0 ? 1 : units / capacity,
		temperatureChanges: [...timelines.values()].reduce(
			(sum, timeline) => sum + timeline.temperatureChanges(),
			0
		),
		lateOrders: late.length,
		totalLatenessMinutes: late.reduce(
			(sum, order) => sum + (Number.isFinite(order.lateMinutes) ? order.lateMinutes : 0),
			0
		)
	};
}
