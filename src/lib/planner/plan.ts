import { latestInWindows, OvenTimeline } from './timeline';
import type {
	DemandLine,
	LateReason,
	LineOutcome,
	OrderOutcome,
	Plan,
	PlanInput,
	PlannedLoad,
	PlannedTray,
	PlannerOven,
	PlannerProduct,
	Shortage,
	TrayFeed
} from './types';

const MINUTE = 60_000;

/** A tray to bake: one product, units from one or more order lines. */
interface Tray {
	product: PlannerProduct;
	units: number;
	feeds: TrayFeed[];
	/** Latest oven start for the soonest-due line it feeds to be on time. */
	latestStart: number;
	/** Earliest oven start: its prep has to be done first. */
	earliestStart: number;
}

/** Trays at one temperature that go into the oven together. */
interface Draft {
	tempC: number;
	trays: Tray[];
	latestStart: number;
	earliestStart: number;
	durationMs: number;
}

interface Placed {
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
	const shortages = allocateIngredients(demand, products, input.ingredientStock);

	const trays = fillTrays(demand, products, input);
	const { drafts, unplaceable } = groupIntoLoads(
		trays,
		input.ovens,
		input.settings.freshnessMinutes
	);

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

	const unplaced = placeAll(drafts, input.ovens, timelines, windows, placed);
	unplaced.push(...unplaceable);
	shiftLate(placed, timelines, windows);

	const loads = placed
		.map(toPlannedLoad)
		.sort((a, b) => a.startAt - b.startAt || a.ovenId - b.ovenId);
	const lines = outcomes(input.demand, placed, unplaced, shortages);
	return {
		loads,
		lines,
		orders: byOrder(lines),
		stats: statistics(loads, lines, timelines, products)
	};
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
 * Ingredients go to the soonest-due lines first. A line whose recipe cannot be covered claims
 * nothing and is listed with what is missing; it is still planned, so the shop knows when the
 * delivery must arrive.
 */
function allocateIngredients(
	demand: DemandLine[],
	products: Map<number, PlannerProduct>,
	stock: Record<number, number>
): Map<number, Shortage[]> {
	const left = new Map(Object.entries(stock).map(([id, amount]) => [Number(id), amount]));
	const shortages = new Map<number, Shortage[]>();
	for (const line of demand) {
		const recipe = products.get(line.productId)?.recipe ?? [];
		const needs = recipe.map((item) => ({
			id: item.ingredientId,
			amount: item.quantityPerUnit * line.units
		}));
		// A hair of tolerance: recipes hold fractions (0.1 egg) that sum with rounding error.
		const missing = needs.filter((need) => need.amount > (left.get(need.id) ?? 0) + 1e-9);
		if (missing.length === 0) {
			for (const need of needs) left.set(need.id, (left.get(need.id) ?? 0) - need.amount);
			continue;
		}
		shortages.set(
			line.lineId,
			missing.map((need) => ({
				ingredientId: need.id,
				missing: need.amount - Math.max(0, left.get(need.id) ?? 0),
				neededBy: null
			}))
		);
	}
	return shortages;
}

function freshnessMs(product: PlannerProduct, freshnessMinutes: number): number {
	return Math.min(freshnessMinutes, product.shelfLifeHours * 60) * MINUTE;
}

/** Fills trays per product, soonest due first, sharing trays across orders. */
function fillTrays(
	demand: DemandLine[],
	products: Map<number, PlannerProduct>,
	input: PlanInput
): Tray[] {
	const trays: Tray[] = [];
	const open = new Map<number, { tray: Tray; firstDue: number }>();
	for (const line of demand) {
		const product = products.get(line.productId);
		if (!product) continue;
		const fresh = freshnessMs(product, input.settings.freshnessMinutes);
		let left = line.units;
		while (left > 0) {
			let current = open.get(product.id);
			if (
				!current ||
				current.tray.units >= product.unitsPerTray ||
				line.dueAt - current.firstDue > fresh
			) {
				const tray: Tray = {
					product,
					units: 0,
					feeds: [],
					latestStart: line.dueAt - (product.coolMinutes + product.bakeMinutes) * MINUTE,
					earliestStart: input.now + product.prepMinutes * MINUTE
				};
				trays.push(tray);
				current = { tray, firstDue: line.dueAt };
				open.set(product.id, current);
			}
			const take = Math.min(product.unitsPerTray - current.tray.units, left);
			current.tray.units += take;
			current.tray.feeds.push({ orderId: line.orderId, lineId: line.lineId, units: take });
			left -= take;
		}
	}
	return trays;
}

function reaches(oven: PlannerOven, tempC: number): boolean {
	return oven.minTempC <= tempC && tempC <= oven.maxTempC;
}

function draftOf(trays: Tray[], tempC: number): Draft {
	return {
		tempC,
		trays,
		latestStart: Math.min(...trays.map((tray) => tray.latestStart)),
		earliestStart: Math.max(...trays.map((tray) => tray.earliestStart)),
		durationMs: Math.max(...trays.map((tray) => tray.product.bakeMinutes)) * MINUTE
	};
}

/** Trays at one temperature, in due order, share a load while it fits the largest oven. */
function groupIntoLoads(trays: Tray[], ovens: PlannerOven[], freshnessMinutes: number) {
	const byTemp = new Map<number, Tray[]>();
	for (const tray of trays)
		byTemp.set(tray.product.bakeTempC, [...(byTemp.get(tray.product.bakeTempC) ?? []), tray]);

	const drafts: Draft[] = [];
	const unplaceable: { draft: Draft; reason: LateReason }[] = [];
	for (const [tempC, group] of [...byTemp].sort((a, b) => a[0] - b[0])) {
		group.sort((a, b) => a.latestStart - b.latestStart || a.product.id - b.product.id);
		const capacity = Math.max(
			0,
			...ovens.filter((oven) => reaches(oven, tempC)).map((oven) => oven.capacityTrays)
		);
		if (capacity === 0) {
			for (const tray of group) {
				unplaceable.push({
					draft: draftOf([tray], tempC),
					reason: { code: 'no-oven', productId: tray.product.id, tempC }
				});
			}
			continue;
		}

		let current: Tray[] = [];
		for (const tray of group) {
			const first = current[0];
			const joins =
				first !== undefined &&
				current.length < capacity &&
				tray.earliestStart <= first.latestStart &&
				tray.latestStart - first.latestStart <= freshnessMs(tray.product, freshnessMinutes);
			if (!joins && current.length > 0) {
				drafts.push(draftOf(current, tempC));
				current = [];
			}
			current.push(tray);
		}
		if (current.length > 0) drafts.push(draftOf(current, tempC));
	}
	return { drafts, unplaceable };
}

function fixedDraft(
	trays: PlannedTray[],
	tempC: number,
	startAt: number,
	endAt: number,
	products: Map<number, PlannerProduct>
): Draft {
	const known = trays.flatMap((tray) => {
		const product = products.get(tray.productId);
		return product
			? [
					{
						product,
						units: tray.units,
						feeds: tray.feeds,
						latestStart: startAt,
						earliestStart: startAt
					}
				]
			: [];
	});
	return {
		tempC,
		trays: known,
		latestStart: startAt,
		earliestStart: startAt,
		durationMs: endAt - startAt
	};
}

interface Option {
	oven: PlannerOven;
	start: number;
	changes: number;
}

function optionsFor(
	draft: Draft,
	ovens: PlannerOven[],
	timelines: Map<number, OvenTimeline>,
	windows: PlanInput['windows'],
	trays: number
): Option[] {
	return ovens
		.filter((oven) => reaches(oven, draft.tempC) && oven.capacityTrays >= trays)
		.flatMap((oven) => {
			const timeline = timelines.get(oven.id)!;
			const start = timeline.earliestFit(
				draft.durationMs,
				draft.tempC,
				draft.earliestStart,
				windows
			);
			return start === null
				? []
				: [{ oven, start, changes: timeline.changesAdded(start, draft.tempC) }];
		});
}

/** On time first; then no new temperature change, the smallest oven, the earliest start. */
function best(options: Option[]): Option | undefined {
	return [...options].sort(
		(a, b) =>
			a.changes - b.changes ||
			a.oven.capacityTrays - b.oven.capacityTrays ||
			a.start - b.start ||
			a.oven.id - b.oven.id
	)[0];
}

function placeAll(
	drafts: Draft[],
	ovens: PlannerOven[],
	timelines: Map<number, OvenTimeline>,
	windows: PlanInput['windows'],
	placed: Placed[]
): { draft: Draft; reason: LateReason }[] {
	const unplaced: { draft: Draft; reason: LateReason }[] = [];
	const queue = [...drafts].sort(
		(a, b) =>
			a.latestStart - b.latestStart || a.earliestStart - b.earliestStart || a.tempC - b.tempC
	);

	const book = (draft: Draft, option: Option, reason: LateReason | null) => {
		placed.push({ draft, ovenId: option.oven.id, startAt: option.start, fixedId: null, reason });
		timelines.get(option.oven.id)!.add({
			start: option.start,
			end: option.start + draft.durationMs,
			tempC: draft.tempC,
			load: placed.length - 1
		});
	};

	while (queue.length > 0) {
		const draft = queue.shift()!;
		const options = optionsFor(draft, ovens, timelines, windows, draft.trays.length);
		const onTime = best(options.filter((option) => option.start <= draft.latestStart));
		if (onTime) {
			book(draft, onTime, null);
			continue;
		}

		// A smaller oven free in time takes the soonest-due trays; the rest waits its turn.
		const smaller =
			draft.trays.length > 1 ? splitOption(draft, ovens, timelines, windows) : undefined;
		if (smaller) {
			const head = draftOf(draft.trays.slice(0, smaller.oven.capacityTrays), draft.tempC);
			const rest = draftOf(draft.trays.slice(smaller.oven.capacityTrays), draft.tempC);
			book(head, smaller, null);
			const at = queue.findIndex((other) => other.latestStart > rest.latestStart);
			queue.splice(at === -1 ? queue.length : at, 0, rest);
			continue;
		}

		const soonest = [...options].sort(
			(a, b) => a.start - b.start || a.changes - b.changes || a.oven.id - b.oven.id
		)[0];
		if (!soonest) {
			unplaced.push({ draft, reason: { code: 'horizon', productId: draft.trays[0]!.product.id } });
			continue;
		}
		book(draft, soonest, lateReason(draft, soonest.start, windows));
	}
	return unplaced;
}

function splitOption(
	draft: Draft,
	ovens: PlannerOven[],
	timelines: Map<number, OvenTimeline>,
	windows: PlanInput['windows']
): Option | undefined {
	const candidates = ovens
		.filter((oven) => reaches(oven, draft.tempC) && oven.capacityTrays < draft.trays.length)
		.flatMap((oven) => {
			const head = draftOf(draft.trays.slice(0, oven.capacityTrays), draft.tempC);
			return optionsFor(head, [oven], timelines, windows, head.trays.length).filter(
				(option) => option.start <= head.latestStart
			);
		});
	return [...candidates].sort(
		(a, b) =>
			b.oven.capacityTrays - a.oven.capacityTrays || a.changes - b.changes || a.start - b.start
	)[0];
}

/** The constraint that made a load late: its prep, the bakehouse's hours, or busy ovens. */
function lateReason(draft: Draft, start: number, windows: PlanInput['windows']): LateReason {
	const productId = draft.trays[0]!.product.id;
	const soonest = draft.trays[0]!.product;
	if (draft.earliestStart > draft.latestStart) {
		return {
			code: 'prep-time',
			productId,
			at: draft.earliestStart + draft.durationMs + soonest.coolMinutes * MINUTE
		};
	}
	const emptyOven = new OvenTimeline(0).earliestFit(
		draft.durationMs,
		draft.tempC,
		draft.earliestStart,
		windows
	);
	if (emptyOven === null || emptyOven > draft.latestStart) {
		return { code: 'bakehouse-hours', productId, at: emptyOven ?? draft.earliestStart };
	}
	return { code: 'oven-capacity', productId, tempC: draft.tempC, at: start };
}

/** Moves each on-time load as late as its due time and the next load in its oven allow. */
function shiftLate(
	placed: Placed[],
	timelines: Map<number, OvenTimeline>,
	windows: PlanInput['windows']
): void {
	for (const timeline of timelines.values()) {
		const bookings = timeline.bookings;
		for (let index = bookings.length - 1; index >= 0; index--) {
			const booking = bookings[index]!;
			const load = placed[booking.load]!;
			if (load.fixedId !== null || load.startAt > load.draft.latestStart) continue;

			const next = bookings[index + 1];
			const duration = booking.end - booking.start;
			const limit = next
				? Math.min(
						load.draft.latestStart,
						next.start - timeline.gap(booking.tempC, next.tempC) - duration
					)
				: load.draft.latestStart;
			const start = latestInWindows(booking.start, limit, duration, windows);
			if (start === null || start <= booking.start) continue;
			booking.start = start;
			booking.end = start + duration;
			load.startAt = start;
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
