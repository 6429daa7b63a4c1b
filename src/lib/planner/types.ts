/**
 * The planner's vocabulary. Every instant is UTC epoch milliseconds; the planner never reads a
 * clock, the environment or the database: the shell gathers this input and stores the plan.
 */

export interface PlannerProduct {
	id: number;
	unitsPerTray: number;
	bakeMinutes: number;
	bakeTempC: number;
	/** Mixing, shaping and proofing, before the oven. */
	prepMinutes: number;
	/** Cooling after the oven, before packing. */
	coolMinutes: number;
	shelfLifeHours: number;
	recipe: { ingredientId: number; quantityPerUnit: number }[];
}

export interface PlannerOven {
	id: number;
	capacityTrays: number;
	minTempC: number;
	maxTempC: number;
	/** Minutes lost between two loads at different temperatures. */
	changeoverMinutes: number;
}

/** When the bakehouse runs its ovens, half-open [start, end). */
export interface Window {
	start: number;
	end: number;
}

/** Units of one order line that still have to be baked. */
export interface DemandLine {
	orderId: number;
	lineId: number;
	productId: number;
	units: number;
	/** When the units must be baked and cooled: the promised time minus packing. */
	dueAt: number;
}

export interface TrayFeed {
	orderId: number;
	lineId: number;
	units: number;
}

export interface PlannedTray {
	productId: number;
	units: number;
	feeds: TrayFeed[];
}

/** A load already in the oven, or whose prep has started: the planner keeps it as it is. */
export interface FixedLoad {
	id: number;
	ovenId: number;
	startAt: number;
	endAt: number;
	tempC: number;
	trays: PlannedTray[];
}

export interface PlanSettings {
	/** At most this long between a tray leaving the oven and the order it feeds being due. */
	freshnessMinutes: number;
	/**
	 * Fill the part trays of new loads to the full tray, the extra for the shelf (walk-ins),
	 * with ingredients no order has claimed. A baker never bakes three croissants on a tray of
	 * twelve. Off unless set.
	 */
	fillTraysForShelf?: boolean;
}

export interface PlanInput {
	now: number;
	products: PlannerProduct[];
	ovens: PlannerOven[];
	windows: Window[];
	demand: DemandLine[];
	fixedLoads: FixedLoad[];
	/** Ingredient on hand, in its base unit, not yet claimed by a load in progress. */
	ingredientStock: Record<number, number>;
	settings: PlanSettings;
}

export interface PlannedLoad {
	/** Set for a fixed load; planned loads get their id when stored. */
	fixedId: number | null;
	ovenId: number;
	/** When prep must start so the trays are ready for the oven. */
	prepStartAt: number;
	startAt: number;
	endAt: number;
	tempC: number;
	trays: PlannedTray[];
}

/** Why a line is late, or cannot be baked at all, with the instant that explains it. */
export type LateReason =
	| { code: 'prep-time'; productId: number; at: number }
	| { code: 'oven-capacity'; productId: number; tempC: number; at: number }
	| { code: 'bakehouse-hours'; productId: number; at: number }
	| { code: 'no-oven'; productId: number; tempC: number }
	| { code: 'horizon'; productId: number };

export interface Shortage {
	ingredientId: number;
	/** How much is missing, in the ingredient's base unit. */
	missing: number;
	/** When it must arrive: the prep start of the first load that uses it. */
	neededBy: number | null;
}

export interface LineOutcome {
	orderId: number;
	lineId: number;
	/** When the last of its baked units is cooled; null when nothing is left to bake. */
	readyAt: number | null;
	lateMinutes: number;
	reason: LateReason | null;
	shortages: Shortage[];
}

export interface OrderOutcome {
	orderId: number;
	readyAt: number | null;
	lateMinutes: number;
	reasons: LateReason[];
}

export interface PlanStats {
	loads: number;
	trays: number;
	/** Units baked over tray capacity, 0 to 1. */
	trayFill: number;
	temperatureChanges: number;
	lateOrders: number;
	totalLatenessMinutes: number;
}

export interface Plan {
	loads: PlannedLoad[];
	lines: LineOutcome[];
	orders: OrderOutcome[];
	stats: PlanStats;
}
