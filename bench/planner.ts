/**
 * `npm run bench:planner`: how long a full replan takes for 200, 2,000 and 10,000 open orders on
 * six ovens, and how good the plans are against the optimum of small instances solved exactly
 * as a mixed-integer program with HiGHS.
 */
import { performance } from 'node:perf_hooks';

import loadHighs from 'highs';

import demo from '../src/lib/server/demo/demo-bakery.json' with { type: 'json' };
import { plan } from '../src/lib/planner/plan';
import type { DemandLine, PlanInput, PlannerOven, PlannerProduct } from '../src/lib/planner/types';
import { integer, median, seeded, table, writeReport } from './common';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const NOW = Date.parse('2024-06-13T03:00:00Z');

// ---------------------------------------------------------------- replan time at scale

function demoProducts(): PlannerProduct[] {
	return demo.products
		.filter((product) => product.baked)
		.map((product, index) => ({
			id: index + 1,
			unitsPerTray: product.unitsPerTray!,
			bakeMinutes: product.bakeMinutes!,
			bakeTempC: product.bakeTempC!,
			prepMinutes: product.prepMinutes ?? 0,
			coolMinutes: product.coolMinutes ?? 0,
			shelfLifeHours: product.shelfLifeHours,
			recipe: []
		}));
}

/** The demo's three ovens, twice over: six ovens. */
function sixOvens(): PlannerOven[] {
	return [...demo.ovens, ...demo.ovens].map((oven, index) => ({
		id: index + 1,
		capacityTrays: oven.capacityTrays,
		minTempC: oven.minTempC,
		maxTempC: oven.maxTempC,
		changeoverMinutes: oven.changeoverMinutes
	}));
}

/** Open orders spread over three shop days, 1 to 3 lines each, due between 07:30 and 18:00. */
function openOrders(count: number, products: PlannerProduct[], seed: number): DemandLine[] {
	const random = seeded(seed);
	const demand: DemandLine[] = [];
	let lineId = 1;
	for (let orderId = 1; orderId <= count; orderId++) {
		const day = integer(random, 0, 2);
		const dueAt = NOW + day * DAY + integer(random, 4 * 60 + 30, 15 * 60) * MINUTE;
		for (let line = integer(random, 1, 3); line > 0; line--) {
			const product = products[integer(random, 0, products.length - 1)]!;
			demand.push({
				orderId,
				lineId: lineId++,
				productId: product.id,
				units: integer(random, 1, 12),
				dueAt
			});
		}
	}
	return demand;
}

function scaleInput(orders: number): PlanInput {
	const products = demoProducts();
	return {
		now: NOW,
		products,
		ovens: sixOvens(),
		windows: Array.from({ length: 8 }, (_, day) => ({
			start: NOW + day * DAY + MINUTE * 0,
			end: NOW + day * DAY + 14 * 60 * MINUTE
		})),
		demand: openOrders(orders, products, orders),
		fixedLoads: [],
		ingredientStock: {},
		settings: { freshnessMinutes: 240 }
	};
}

function timeReplans(orders: number, runs: number) {
	const input = scaleInput(orders);
	for (let warm = 0; warm < 2; warm++) plan(input);
	const times: number[] = [];
	let result = plan(input);
	for (let run = 0; run < runs; run++) {
		const started = performance.now();
		result = plan(input);
		times.push(performance.now() - started);
	}
	return {
		orders,
		lines: input.demand.length,
		medianMs: Number(median(times).toFixed(2)),
		minMs: Number(Math.min(...times).toFixed(2)),
		maxMs: Number(Math.max(...times).toFixed(2)),
		loads: result.stats.loads,
		trayFill: Number(result.stats.trayFill.toFixed(3)),
		lateOrders: result.stats.lateOrders
	};
}

// ---------------------------------------------------------------- quality against the optimum

const SLOT = 10; // minutes per time step of the exact model

interface SmallInstance {
	seed: number;
	input: PlanInput;
	slots: number;
}

/**
 * A small bakery the exact model can solve: times in whole 10-minute steps, one bake time per
 * temperature, one or two ovens, five to eight orders of one line each.
 */
function smallInstance(seed: number): SmallInstance {
	const random = seeded(seed);
	const classes = [
		{ tempC: 180, bakeMinutes: 10 * integer(random, 1, 2) },
		{ tempC: 220, bakeMinutes: 10 * integer(random, 2, 3) }
	];
	const products: PlannerProduct[] = Array.from({ length: 3 }, (_, index) => {
		const kind = classes[index % 2]!;
		return {
			id: index + 1,
			unitsPerTray: integer(random, 6, 12),
			bakeMinutes: kind.bakeMinutes,
			bakeTempC: kind.tempC,
			prepMinutes: 10 * integer(random, 0, 3),
			coolMinutes: 10 * integer(random, 0, 1),
			shelfLifeHours: 24,
			recipe: []
		};
	});
	const ovens: PlannerOven[] = Array.from({ length: integer(random, 1, 2) }, (_, index) => ({
		id: index + 1,
		capacityTrays: integer(random, 1, 3),
		minTempC: 150,
		maxTempC: 250,
		changeoverMinutes: SLOT
	}));
	const demand: DemandLine[] = Array.from({ length: integer(random, 5, 8) }, (_, index) => ({
		orderId: index + 1,
		lineId: index + 1,
		productId: integer(random, 1, products.length),
		units: integer(random, 2, 20),
		dueAt: NOW + 10 * integer(random, 5, 15) * MINUTE
	}));
	const slots = 40;
	return {
		seed,
		slots,
		input: {
			now: NOW,
			products,
			ovens,
			windows: [{ start: NOW, end: NOW + slots * SLOT * MINUTE }],
			demand,
			fixedLoads: [],
			ingredientStock: {},
			// Long enough that freshness never binds: the exact model has no such rule.
			settings: { freshnessMinutes: 24 * 60 }
		}
	};
}

/**
 * The exact model in CPLEX LP text. z: a load of a temperature starts in an oven at a step;
 * n: trays of a product in it; w/u: units of an order taken from it; L: an order's lateness.
 * Minimises lateness first, then loads, then trays.
 */
function exactModel({ input, slots }: SmallInstance): string {
	const minutes = (instant: number) => (instant - input.now) / MINUTE;
	const temps = [...new Set(input.products.map((product) => product.bakeTempC))];
	const steps = (tempC: number) =>
		input.products.find((product) => product.bakeTempC === tempC)!.bakeMinutes / SLOT;
	const objective: string[] = [];
	const constraints: string[] = [];
	const integers: string[] = [];
	const binaries: string[] = [];
	const bounds: string[] = [];

	for (const oven of input.ovens) {
		for (const tempC of temps) {
			for (let t = 0; t + steps(tempC) <= slots; t++) {
				const z = `z_${oven.id}_${tempC}_${t}`;
				binaries.push(z);
				objective.push(`10 ${z}`);
				const trays = input.products.filter(
					(product) => product.bakeTempC === tempC && t >= product.prepMinutes / SLOT
				);
				for (const product of trays) {
					const n = `n_${oven.id}_${product.id}_${t}`;
					integers.push(n);
					objective.push(`1 ${n}`);
					bounds.push(`0 <= ${n} <= ${oven.capacityTrays}`);
				}
				if (trays.length > 0) {
					constraints.push(
						`${trays.map((product) => `n_${oven.id}_${product.id}_${t}`).join(' + ')} - ${oven.capacityTrays} ${z} <= 0`
					);
				}
				// A temperature change needs one free step after the load.
				for (const other of temps.filter((entry) => entry !== tempC)) {
					const next = t + steps(tempC);
					if (next + steps(other) <= slots)
						constraints.push(`${z} + z_${oven.id}_${other}_${next} <= 1`);
				}
			}
		}
		// One load at a time.
		for (let s = 0; s < slots; s++) {
			const running = temps.flatMap((tempC) =>
				Array.from({ length: steps(tempC) }, (_, back) => s - back)
					.filter((t) => t >= 0 && t + steps(tempC) <= slots)
					.map((t) => `z_${oven.id}_${tempC}_${t}`)
			);
			if (running.length > 1) constraints.push(`${running.join(' + ')} <= 1`);
		}
	}

	for (const line of input.demand) {
		const product = input.products.find((entry) => entry.id === line.productId)!;
		const takes: string[] = [];
		for (const oven of input.ovens) {
			for (let t = product.prepMinutes / SLOT; t + product.bakeMinutes / SLOT <= slots; t++) {
				const w = `w_${line.lineId}_${oven.id}_${t}`;
				const u = `u_${line.lineId}_${oven.id}_${t}`;
				takes.push(w);
				binaries.push(u);
				constraints.push(`${w} - ${line.units} ${u} <= 0`);
				const late = t * SLOT + product.bakeMinutes + product.coolMinutes - minutes(line.dueAt);
				if (late > 0) constraints.push(`L_${line.lineId} - ${late} ${u} >= 0`);
			}
		}
		constraints.push(`${takes.join(' + ')} = ${line.units}`);
		objective.push(`1000 L_${line.lineId}`);
	}
	for (const oven of input.ovens) {
		for (const product of input.products) {
			for (let t = product.prepMinutes / SLOT; t + product.bakeMinutes / SLOT <= slots; t++) {
				const lines = input.demand.filter((line) => line.productId === product.id);
				if (lines.length === 0) continue;
				constraints.push(
					`${lines.map((line) => `w_${line.lineId}_${oven.id}_${t}`).join(' + ')} - ${product.unitsPerTray} n_${oven.id}_${product.id}_${t} <= 0`
				);
			}
		}
	}

	return [
		'Minimize',
		` obj: ${objective.join(' + ')}`,
		'Subject To',
		...constraints.map((constraint, index) => ` c${index}: ${constraint}`),
		'Bounds',
		...bounds.map((bound) => ` ${bound}`),
		'General',
		` ${integers.join(' ')}`,
		'Binary',
		` ${binaries.join(' ')}`,
		'End'
	].join('\n');
}

async function quality(seeds: number[]) {
	const highs = await loadHighs();
	return seeds.map((seed) => {
		const instance = smallInstance(seed);
		const started = performance.now();
		const solved = highs.solve(exactModel(instance), {
			output_flag: false,
			time_limit: 60,
			mip_rel_gap: 0
		});
		const solveMs = performance.now() - started;
		const columns = solved.Columns as Record<string, { Primal: number }>;
		const value = (prefix: string) =>
			Object.entries(columns)
				.filter(([name]) => name.startsWith(prefix))
				.reduce((sum, [, column]) => sum + Math.round(column.Primal), 0);

		const heuristic = plan(instance.input);
		const units = instance.input.demand.reduce((sum, line) => sum + line.units, 0);
		const exactTrays = value('n_');
		const capacity = (trays: { productId: number }[]) =>
			trays.reduce(
				(sum, tray) =>
					sum +
					instance.input.products.find((product) => product.id === tray.productId)!.unitsPerTray,
				0
			);
		const exactCapacity = Object.entries(columns)
			.filter(([name]) => name.startsWith('n_'))
			.reduce((sum, [name, column]) => {
				const productId = Number(name.split('_')[2]);
				return (
					sum +
					Math.round(column.Primal) *
						instance.input.products.find((product) => product.id === productId)!.unitsPerTray
				);
			}, 0);
		return {
			seed,
			status: solved.Status,
			solveMs: Math.round(solveMs),
			orders: instance.input.demand.length,
			ovens: instance.input.ovens.length,
			optimumLateness: value('L_'),
			plannerLateness: heuristic.stats.totalLatenessMinutes,
			optimumLoads: value('z_'),
			plannerLoads: heuristic.stats.loads,
			optimumTrays: exactTrays,
			plannerTrays: heuristic.stats.trays,
			optimumFill: Number((units / exactCapacity).toFixed(3)),
			plannerFill: Number(
				(units / capacity(heuristic.loads.flatMap((load) => load.trays))).toFixed(3)
			)
		};
	});
}

async function main() {
	const sizes = [200, 2000, 10000];
	const scale = sizes.map((orders) => timeReplans(orders, orders >= 10000 ? 5 : 9));
	// `--scale-only` skips the exact solves (about two minutes) to time replans alone;
	// `--seeds 11-20` solves other instances than the default ten.
	const range = /^(\d+)-(\d+)$/.exec(process.argv[process.argv.indexOf('--seeds') + 1] ?? '');
	const [low, high] = range ? [Number(range[1]), Number(range[2])] : [1, 10];
	const seeds = Array.from({ length: high - low + 1 }, (_, index) => low + index);
	const rows = process.argv.includes('--scale-only') ? [] : await quality(seeds);

	const onTimeWhereOptimal = rows
		.filter((row) => row.optimumLateness === 0)
		.every((row) => row.plannerLateness === 0);
	const totalOptimum = rows.reduce((sum, row) => sum + row.optimumLateness, 0);
	const totalPlanner = rows.reduce((sum, row) => sum + row.plannerLateness, 0);

	const markdown = [
		'## Full replan time (6 ovens, demo catalogue)',
		'',
		table(
			[
				'open orders',
				'lines',
				'median ms',
				'min ms',
				'max ms',
				'loads',
				'tray fill',
				'late orders'
			],
			scale.map((row) => [
				row.orders,
				row.lines,
				row.medianMs,
				row.minMs,
				row.maxMs,
				row.loads,
				row.trayFill,
				row.lateOrders
			])
		),
		'',
		'## Plan quality against the exact optimum (HiGHS, 10-minute steps)',
		'',
		table(
			[
				'seed',
				'orders',
				'ovens',
				'lateness opt',
				'lateness planner',
				'loads opt',
				'loads planner',
				'fill opt',
				'fill planner',
				'solve ms',
				'status'
			],
			rows.map((row) => [
				row.seed,
				row.orders,
				row.ovens,
				row.optimumLateness,
				row.plannerLateness,
				row.optimumLoads,
				row.plannerLoads,
				row.optimumFill,
				row.plannerFill,
				row.solveMs,
				row.status
			])
		),
		'',
		`Total lateness over all instances: optimum ${totalOptimum} min, planner ${totalPlanner} min` +
			(totalOptimum > 0 ? ` (ratio ${(totalPlanner / totalOptimum).toFixed(3)})` : '') +
			`. On time wherever the optimum is on time: ${onTimeWhereOptimal ? 'yes' : 'no'}.`,
		''
	].join('\n');
	writeReport(
		'bench-planner',
		{ scale, quality: rows, totalOptimum, totalPlanner, onTimeWhereOptimal },
		markdown
	);
}

await main();
