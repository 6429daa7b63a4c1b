import type {
	DemandLine,
	PlanInput,
	PlannerOven,
	PlannerProduct
} from '../../../src/lib/planner/types';

/** 14 June 2024 on a UTC clock, so literal times read as they are. */
export const at = (hhmm: string, day = '2024-06-14') => Date.parse(`${day}T${hhmm}:00Z`);
export const hhmm = (instant: number) => new Date(instant).toISOString().slice(11, 16);

export const croissant: PlannerProduct = {
	id: 1,
	unitsPerTray: 12,
	bakeMinutes: 18,
	bakeTempC: 190,
	prepMinutes: 120,
	coolMinutes: 15,
	shelfLifeHours: 24,
	recipe: [{ ingredientId: 1, quantityPerUnit: 50 }]
};
export const baguette: PlannerProduct = {
	id: 2,
	unitsPerTray: 12,
	bakeMinutes: 22,
	bakeTempC: 250,
	prepMinutes: 150,
	coolMinutes: 20,
	shelfLifeHours: 12,
	recipe: [{ ingredientId: 2, quantityPerUnit: 250 }]
};
export const cookie: PlannerProduct = {
	id: 3,
	unitsPerTray: 20,
	bakeMinutes: 12,
	bakeTempC: 190,
	prepMinutes: 30,
	coolMinutes: 15,
	shelfLifeHours: 120,
	recipe: []
};

export const deck: PlannerOven = {
	id: 1,
	capacityTrays: 4,
	minTempC: 180,
	maxTempC: 260,
	changeoverMinutes: 20
};
export const convection: PlannerOven = {
	id: 2,
	capacityTrays: 6,
	minTempC: 140,
	maxTempC: 220,
	changeoverMinutes: 10
};

let nextLine = 1;
export function line(orderId: number, productId: number, units: number, dueAt: number): DemandLine {
	return { orderId, lineId: nextLine++, productId, units, dueAt };
}

export function input(overrides: Partial<PlanInput>): PlanInput {
	return {
		now: at('04:00'),
		products: [croissant, baguette, cookie],
		ovens: [deck, convection],
		windows: [{ start: at('04:00'), end: at('18:00') }],
		demand: [],
		fixedLoads: [],
		ingredientStock: { 1: 100_000, 2: 100_000 },
		settings: { freshnessMinutes: 240 },
		...overrides
	};
}

/** A load as a short literal: oven, start-end, temperature, and per tray product:units. */
export function brief(load: {
	ovenId: number;
	startAt: number;
	endAt: number;
	tempC: number;
	trays: { productId: number; units: number }[];
}) {
	const trays = load.trays.map((tray) => `${tray.productId}:${tray.units}`).join(' ');
	return `oven ${load.ovenId} ${hhmm(load.startAt)}-${hhmm(load.endAt)} ${load.tempC}°C [${trays}]`;
}
