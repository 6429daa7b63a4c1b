import { addShopDays, instantAt, MINUTE_MS, parseShopTime, wallClock } from '../domain/shop-time';
import { seeded } from '../domain/random';
import type { Sale } from './sources';

/**
 * Turns one day of a real till's sales into the orders a replay sends: which item is which
 * catalogue product, which sales were ordered ahead online, what the shelf held at opening and
 * when the shop was open. Pure: the same file, day and seed give the same replay everywhere.
 */

export interface Mapping {
	/** Till name → SKU; null for a name that is known but not sold through this catalogue. */
	items: Record<string, string | null>;
}

/** Case, surrounding spaces and doubled spaces do not make another item. */
function normalName(name: string): string {
	return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function mapper(mapping: Mapping) {
	const byName = new Map(
		Object.entries(mapping.items).map(([name, sku]) => [normalName(name), sku])
	);
	return (name: string): { sku: string } | { sku: null; known: boolean } => {
		const found = byName.get(normalName(name));
		if (found) return { sku: found };
		return { sku: null, known: found === null };
	};
}

export interface ReplayLine {
	sku: string;
	quantity: number;
}

export interface ReplayOrder {
	ticket: string;
	/** The sale's instant: walk-ins are placed then, pre-orders are collected then. */
	saleAt: number;
	/** The sale's time on the shop's wall clock, `yyyy-MM-ddTHH:mm`, as the API takes it. */
	saleShopTime: string;
	channel: 'online' | 'pos';
	placeAt: number;
	lines: ReplayLine[];
}

export interface ReplayRefund {
	ticket: string;
	at: number;
	sku: string;
	quantity: number;
	/** The file line, for the report. */
	line: number;
}

export interface UnmappedName {
	name: string;
	/** Known to the mapping as not sold here (like NONE), or missing from it. */
	known: boolean;
	lines: number;
	units: number;
}

export interface DayPlan {
	date: string;
	orders: ReplayOrder[];
	refunds: ReplayRefund[];
	unmapped: UnmappedName[];
	/** Transactions of the day, and those with no item this catalogue sells. */
	transactions: number;
	emptyTransactions: number;
	/** Units sold in the file that map to a product, and those that do not. */
	mappedUnits: number;
	unmappedUnits: number;
	/** Mapped units per SKU, positive sales only. */
	soldBySku: Record<string, number>;
}

export interface DayOptions {
	zone: string;
	/** Share of transactions that arrive as online pre-orders, 0 to 1. */
	preorderShare: number;
	seed: number;
	/** When the replay's clock starts; no pre-order is placed before it. */
	startsAt: number;
}

/** Earliest and latest hours ahead that a pre-order is placed. */
const PREORDER_AHEAD_MINUTES = [60, 12 * 60] as const;

export function saleInstant(date: string, time: string, zone: string): number {
	const parsed = parseShopTime(`${date}T${time}`, zone);
	if (parsed.ok) return parsed.instant;
	// A till time inside the hour the clocks skip: the minute just after the gap.
	const [hours, minutes] = time.split(':').map(Number) as [number, number];
	return instantAt(date, hours * 60 + minutes, zone);
}

export function planDay(
	sales: Sale[],
	date: string,
	mapping: Mapping,
	options: DayOptions
): DayPlan {
	const map = mapper(mapping);
	const random = seeded(options.seed);
	const unmapped = new Map<string, UnmappedName>();
	const soldBySku: Record<string, number> = {};
	const orders: ReplayOrder[] = [];
	const refunds: ReplayRefund[] = [];
	let mappedUnits = 0;
	let unmappedUnits = 0;
	let emptyTransactions = 0;

	const day = sales
		.filter((sale) => sale.date === date)
		.map((sale) => ({ sale, at: saleInstant(sale.date, sale.time, options.zone) }))
		.sort((a, b) => a.at - b.at);

	for (const { sale, at } of day) {
		const units = new Map<string, number>();
		for (const item of sale.items) {
			const found = map(item.name);
			if (found.sku === null) {
				const entry = unmapped.get(item.name) ?? {
					name: item.name,
					known: found.known,
					lines: 0,
					units: 0
				};
				entry.lines += 1;
				entry.units += Math.abs(item.quantity);
				unmapped.set(item.name, entry);
				unmappedUnits += Math.abs(item.quantity);
				continue;
			}
			mappedUnits += Math.abs(item.quantity);
			if (item.quantity < 0) {
				refunds.push({
					ticket: sale.ticket,
					at,
					sku: found.sku,
					quantity: -item.quantity,
					line: item.line
				});
				continue;
			}
			units.set(found.sku, (units.get(found.sku) ?? 0) + item.quantity);
			soldBySku[found.sku] = (soldBySku[found.sku] ?? 0) + item.quantity;
		}

		// Drawn for every transaction, so one more unmapped item does not reshuffle the rest.
		const draw = random();
		const ahead = random();
		if (units.size === 0) {
			if (!sale.items.some((item) => item.quantity < 0)) emptyTransactions += 1;
			continue;
		}
		const [least, most] = PREORDER_AHEAD_MINUTES;
		const placeAhead = Math.max(
			options.startsAt,
			at - Math.round(least + ahead * (most - least)) * MINUTE_MS
		);
		const online = draw < options.preorderShare && at - placeAhead >= least * MINUTE_MS;
		orders.push({
			ticket: sale.ticket,
			saleAt: at,
			saleShopTime: `${sale.date}T${sale.time.slice(0, 5)}`,
			channel: online ? 'online' : 'pos',
			placeAt: online ? placeAhead : at,
			lines: [...units].map(([sku, quantity]) => ({ sku, quantity }))
		});
	}

	return {
		date,
		orders,
		refunds,
		unmapped: [...unmapped.values()].sort((a, b) => b.units - a.units),
		transactions: day.length,
		emptyTransactions,
		mappedUnits,
		unmappedUnits,
		soldBySku
	};
}

export interface ParLevels {
	/** The days the levels are the mean of, and how they were chosen. */
	days: string[];
	basis: string;
	levels: Record<string, number>;
}

const PAR_WEEKS = 4;

/**
 * Opening stock as a bakery sets it: the mean sales of the same weekday over the four weeks
 * before. The first weeks of a file have no past, so the next weeks stand in, and a file of a
 * few days uses the other days; the basis says which.
 */
export function parLevels(sales: Sale[], date: string, mapping: Mapping): ParLevels {
	const map = mapper(mapping);
	const dates = [...new Set(sales.map((sale) => sale.date))].filter((other) => other !== date);
	const weekday = (day: string) => new Date(`${day}T12:00:00Z`).getUTCDay();
	const sameWeekday = dates.filter((other) => weekday(other) === weekday(date)).sort();
	const before = sameWeekday.filter((other) => other < date).slice(-PAR_WEEKS);
	const after = sameWeekday.filter((other) => other > date).slice(0, PAR_WEEKS);
	const nearest = [...dates]
		.sort((a, b) => distance(a, date) - distance(b, date) || a.localeCompare(b))
		.slice(0, PAR_WEEKS);

	const [days, basis] =
		before.length > 0
			? [before, `mean of the ${before.length} same weekdays before`]
			: after.length > 0
				? [after, `mean of the ${after.length} same weekdays after (no earlier ones in the file)`]
				: nearest.length > 0
					? [nearest, `mean of the ${nearest.length} nearest other days (no same weekday)`]
					: [[], 'no other days in the file: nothing on the shelf at opening'];

	const totals: Record<string, number> = {};
	const chosen = new Set(days);
	for (const sale of sales) {
		if (!chosen.has(sale.date)) continue;
		for (const item of sale.items) {
			const found = map(item.name);
			if (found.sku === null) continue;
			totals[found.sku] = (totals[found.sku] ?? 0) + item.quantity;
		}
	}
	const levels = Object.fromEntries(
		Object.entries(totals)
			.map(([sku, units]) => [sku, Math.max(0, Math.round(units / days.length))] as const)
			.filter(([, units]) => units > 0)
	);
	return { days, basis, levels };
}

function distance(a: string, b: string): number {
	return Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`));
}

/**
 * The shop's hours that day as its till shows them: from the half hour before the first sale to
 * the half hour after the last, and never shorter than the hours the bakery already keeps.
 */
export function tradingHours(
	saleInstants: number[],
	zone: string,
	usual: { opensMinute: number; closesMinute: number } | null
): { opensMinute: number; closesMinute: number } | null {
	if (saleInstants.length === 0) return usual;
	const minutes = saleInstants.map((at) => wallClock(at, zone).minuteOfDay);
	const first = Math.floor((Math.min(...minutes) - 30) / 30) * 30;
	const last = Math.ceil((Math.max(...minutes) + 30) / 30) * 30;
	return {
		opensMinute: Math.max(0, Math.min(first, usual?.opensMinute ?? first)),
		closesMinute: Math.min(24 * 60, Math.max(last, usual?.closesMinute ?? last))
	};
}

/** When the replay's clock starts: 18:00 the evening before, when pre-orders begin to arrive. */
export function replayStart(date: string, zone: string): number {
	return instantAt(addShopDays(date, -1), 18 * 60, zone);
}
