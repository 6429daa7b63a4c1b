import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { OrderView } from '../domain/order';
import { addShopDays, formatShopTime, instantAt, wallClock } from '../domain/shop-time';
import { openDatabase } from '../server/db/client';
import demoBakery from '../server/demo/demo-bakery.json';
import { seedBakery, type BakeryData } from '../server/demo/seed';
import type { DayReport } from '../server/reports/metrics';
import {
	parLevels,
	planDay,
	replayStart,
	tradingHours,
	type DayPlan,
	type Mapping,
	type ParLevels
} from './day';
import { Api, runDay, type EngineResult, type Pace } from './engine';
import { launchServer } from './launch';
import { readSales, type SourceFormat } from './sources';

export interface ReplayOptions {
	source: string;
	date: string;
	pace: Pace;
	preorderShare: number;
	seed: number;
	/** 0 picks a free port; a fixed one lets a person open the screens. */
	port: number;
	outDir: string;
	mappingFile?: string;
	zone?: string;
	say?: (line: string) => void;
	/** Leave the server up after the day until Ctrl-C, to look at the screens and reports. */
	keep?: boolean;
	/** Called once the server is up, with its address, before the day starts. */
	onServer?: (url: string, manager: { name: string; password: string }) => void | Promise<void>;
}

/** Where each till's shop was: the Bread Basket in Edinburgh, the French bakery in France. */
const ZONES: Record<SourceFormat, string> = {
	'bread-basket': 'Europe/London',
	'french-bakery': 'Europe/Paris'
};

const MAPPINGS: Record<SourceFormat, URL> = {
	'bread-basket': new URL('./mappings/bread-basket.json', import.meta.url),
	'french-bakery': new URL('./mappings/french-bakery.json', import.meta.url)
};

export class ReplayError extends Error {}

/** The demo bakery with the day's opening stock and the shop's hours as its till shows them. */
export function bakeryForDay(
	day: DayPlan,
	par: ParLevels,
	saleInstants: number[],
	zone: string
): BakeryData {
	const data = structuredClone(demoBakery) as BakeryData;
	for (const product of data.products) {
		product.openingStock = product.baked ? (par.levels[product.sku] ?? 0) : 0;
	}
	const weekday = wallClock(instantAt(day.date, 12 * 60, zone), zone).weekday;
	const usual = data.openingHours.shop.find((interval) => interval.weekdays.includes(weekday));
	const toMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));
	const hours = tradingHours(
		saleInstants,
		zone,
		usual ? { opensMinute: toMinutes(usual.opens), closesMinute: toMinutes(usual.closes) } : null
	);
	if (hours) {
		const clock = (minute: number) =>
			minute >= 24 * 60
				? '23:59'
				: `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
		data.openingHours.shop = [
			...data.openingHours.shop
				.map((interval) => ({
					...interval,
					weekdays: interval.weekdays.filter((other) => other !== weekday)
				}))
				.filter((interval) => interval.weekdays.length > 0),
			{ weekdays: [weekday], opens: clock(hours.opensMinute), closes: clock(hours.closesMinute) }
		];
	}
	return data;
}

export interface ReplaySummary {
	source: string;
	format: SourceFormat;
	date: string;
	zone: string;
	pace: string;
	preorderShare: number;
	seed: number;
	wallSeconds: number;
	transactions: number;
	transactionsWithNothingToSell: number;
	orders: {
		sent: number;
		accepted: number;
		online: number;
		pos: number;
		/** Orders the shop could not take, each with the API's reason. */
		refused: { ticket: string; channel: string; units: number; reason: string }[];
		/** Walk-ins offered a wait too long, who took what the shelf had and left the rest. */
		declined: { ticket: string; units: number; offered: string }[];
	};
	lines: number;
	units: number;
	routes: Record<string, number>;
	unmapped: DayPlan['unmapped'];
	refunds: EngineResult['refunds'];
	openingStock: { basis: string; days: string[]; units: Record<string, number> };
	shopHours: string;
	onTimeRate: number | null;
	fulfillmentMinutes: { mean: number; p95: number; p50: number } | null;
	completed: number;
	loads: number;
	trays: number;
	unitsBaked: number;
	trayFill: number | null;
	ovenUtilisation: number | null;
	waste: DayReport['production']['waste'];
	endingStock: DayReport['production']['endingStock'];
	stillOpen: EngineResult['stillOpen'];
	commands: Record<string, number>;
	commandsRefused: { command: string; message: string; times: number }[];
	/** Every mapped unit of the day is in an order the server stored, or in a refusal. */
	check: {
		mappedUnitsSold: number;
		unitsInStoredOrders: number;
		unitsRefused: number;
		/** Left at the counter by walk-ins who would not wait for a bake. */
		unitsDeclined: number;
		nothingLost: boolean;
	};
	report: string;
}

export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
	const started = performance.now();
	const say = options.say ?? (() => {});
	if (!fs.existsSync(options.source)) {
		throw new ReplayError(`--source: no file at ${options.source}`);
	}
	const { format, sales } = readSales(fs.readFileSync(options.source, 'utf8'));
	const dates = [...new Set(sales.map((sale) => sale.date))].sort();
	if (!dates.includes(options.date)) {
		throw new ReplayError(
			`--date: ${options.date} has no sales in ${path.basename(options.source)}; it holds ${dates[0]} to ${dates.at(-1)}`
		);
	}
	const mapping = JSON.parse(
		fs.readFileSync(options.mappingFile ?? MAPPINGS[format], 'utf8')
	) as Mapping;
	const zone = options.zone ?? ZONES[format];

	const startsAt = replayStart(options.date, zone);
	const day = planDay(sales, options.date, mapping, {
		zone,
		preorderShare: options.preorderShare,
		seed: options.seed,
		startsAt
	});
	const par = parLevels(sales, options.date, mapping);
	const bakery = bakeryForDay(
		day,
		par,
		day.orders.map((order) => order.saleAt),
		zone
	);

	fs.mkdirSync(options.outDir, { recursive: true });
	const databasePath = path.resolve(options.outDir, `replay-${options.date}.sqlite`);
	for (const suffix of ['', '-wal', '-shm']) fs.rmSync(databasePath + suffix, { force: true });
	const db = openDatabase(databasePath);
	seedBakery(db, startsAt, bakery);
	db.$client.close();

	// The replay signs in as this run's own manager, made from a fresh secret on its new database.
	const manager = { name: 'Replay manager', password: randomBytes(12).toString('base64url') };
	const server = await launchServer(
		{
			MANAGER_NAME: manager.name,
			MANAGER_PASSWORD: manager.password,
			PORT: String(options.port),
			ORIGIN: `http://localhost:${options.port || 3000}`,
			DATABASE_PATH: databasePath,
			SHOP_TIMEZONE: zone,
			CLOCK_START: new Date(startsAt).toISOString(),
			CLOCK_SPEED: options.pace.kind === 'max' ? '0' : String(options.pace.speed),
			DEMO_HISTORY: 'false',
			// The launcher waits for the "listening" line, which is logged at info.
			LOG_LEVEL: 'info'
		},
		path.resolve(options.outDir, `replay-${options.date}.log`)
	);
	try {
		await options.onServer?.(server.url, manager);
		const api = new Api(server.url);
		await api.signIn(manager.name, manager.password);
		const result = await runDay(day, {
			api,
			pace: options.pace,
			endsAt: instantAt(addShopDays(options.date, 1), 0, zone),
			seed: options.seed,
			say
		});
		const report = (await api.get<DayReport>(`/api/reports/${options.date}`)).body;
		const stored = await storedUnits(api, options.date);
		const summary = summarise({
			options,
			format,
			zone,
			day,
			par,
			bakery,
			result,
			report,
			stored,
			wallSeconds: (performance.now() - started) / 1000
		});
		writeSummary(summary, options.outDir);
		if (options.keep) {
			say(summaryMarkdown(summary));
			say(`\nthe server stays up at ${server.url}${summary.report}; Ctrl-C stops it`);
			await new Promise((resolve) => process.once('SIGINT', resolve));
		}
		return summary;
	} finally {
		await server.stop();
	}
}

/**
 * Units in the orders the server kept for this replay's tills, whatever day they were promised;
 * orders cancelled when a walk-in would not wait are counted by what the customer left instead.
 */
async function storedUnits(api: Api, date: string): Promise<number> {
	const all = 'received,in_production,ready,out_for_delivery,completed';
	const answer = await api.get<{ orders: OrderView[] }>(`/api/orders?status=${all}&limit=2000`);
	return answer.body.orders
		.filter((order) => order.externalId?.startsWith(`replay-${date}-`))
		.flatMap((order) => order.lines)
		.reduce((total, line) => total + line.quantity, 0);
}

interface Parts {
	options: ReplayOptions;
	format: SourceFormat;
	zone: string;
	day: DayPlan;
	par: ParLevels;
	bakery: BakeryData;
	result: EngineResult;
	report: DayReport;
	stored: number;
	wallSeconds: number;
}

function summarise(parts: Parts): ReplaySummary {
	const { options, day, result, report } = parts;
	const accepted = result.placed.filter((order) => order.id !== undefined);
	const refused = result.placed.flatMap((order) =>
		order.refused && order.id === undefined
			? [
					{
						ticket: order.ticket,
						channel: order.channel,
						units: order.units,
						reason: order.refused.message
					}
				]
			: []
	);
	const declined = result.placed.flatMap((order) =>
		order.declined
			? [{ ticket: order.ticket, units: order.declined.units, offered: order.declined.promisedAt }]
			: []
	);
	const unitsDeclined = declined.reduce((total, entry) => total + entry.units, 0);
	const commandsRefused = new Map<string, { command: string; message: string; times: number }>();
	for (const problem of result.problems) {
		const message = problem.message.replace(/\d+/g, '#');
		const key = `${problem.command} ${message}`;
		const entry = commandsRefused.get(key) ?? { command: problem.command, message, times: 0 };
		entry.times += 1;
		commandsRefused.set(key, entry);
	}
	const unitsRefused = refused.reduce((total, entry) => total + entry.units, 0);
	const mappedUnitsSold = Object.values(day.soldBySku).reduce((total, units) => total + units, 0);
	const shop = parts.bakery.openingHours.shop.find((interval) =>
		interval.weekdays.includes(
			wallClock(instantAt(day.date, 12 * 60, parts.zone), parts.zone).weekday
		)
	);

	return {
		source: options.source,
		format: parts.format,
		date: day.date,
		zone: parts.zone,
		pace: options.pace.kind === 'max' ? 'max' : `${options.pace.speed}x`,
		preorderShare: options.preorderShare,
		seed: options.seed,
		wallSeconds: Math.round(parts.wallSeconds * 10) / 10,
		transactions: day.transactions,
		transactionsWithNothingToSell: day.emptyTransactions,
		orders: {
			sent: result.placed.length,
			accepted: accepted.length,
			online: accepted.filter((order) => order.channel === 'online').length,
			pos: accepted.filter((order) => order.channel === 'pos').length,
			refused,
			declined
		},
		lines: report.production.lines,
		units: report.production.units,
		routes: report.production.routes,
		unmapped: day.unmapped,
		refunds: result.refunds,
		openingStock: {
			basis: parts.par.basis,
			days: parts.par.days,
			// What went on the shelf: baked goods only; drinks and counter items are made to order.
			units: Object.fromEntries(
				parts.bakery.products
					.filter((product) => product.openingStock > 0)
					.map((product) => [product.sku, product.openingStock])
			)
		},
		shopHours: shop ? `${shop.opens}–${shop.closes}` : 'closed',
		onTimeRate: report.summary.onTimeRate,
		fulfillmentMinutes: report.summary.fulfillmentMinutes,
		completed: report.summary.completed,
		loads: report.production.loads,
		trays: report.production.trays,
		unitsBaked: report.production.unitsBaked,
		trayFill: report.production.trayFill,
		ovenUtilisation: report.production.ovenUtilisation,
		waste: report.production.waste,
		endingStock: report.production.endingStock,
		stillOpen: result.stillOpen,
		commands: result.commands,
		commandsRefused: [...commandsRefused.values()],
		check: {
			mappedUnitsSold,
			unitsInStoredOrders: parts.stored,
			unitsRefused,
			unitsDeclined,
			nothingLost: parts.stored + unitsRefused + unitsDeclined === mappedUnitsSold
		},
		report: `/admin/reports?date=${day.date}`
	};
}

const percent = (value: number | null) =>
	value === null ? '—' : `${Math.round(value * 1000) / 10}%`;

export function summaryMarkdown(summary: ReplaySummary): string {
	const rows: [string, string][] = [
		[
			'source',
			`${path.basename(summary.source)} (${summary.format}), ${summary.date}, ${summary.zone}`
		],
		['pace', `${summary.pace}, ${summary.wallSeconds} s of real time`],
		['shop hours that day', summary.shopHours],
		[
			'transactions',
			`${summary.transactions} (${summary.transactionsWithNothingToSell} with nothing this catalogue sells)`
		],
		[
			'orders',
			`${summary.orders.accepted} taken of ${summary.orders.sent} sent: ${summary.orders.online} online ahead, ${summary.orders.pos} at the counter, ${summary.orders.refused.length} refused, ${summary.orders.declined.length} declined`
		],
		['lines and units', `${summary.lines} lines, ${summary.units} units`],
		[
			'routes',
			Object.entries(summary.routes)
				.map(([route, lines]) => `${route} ${lines}`)
				.join(', ')
		],
		[
			'unmapped names',
			summary.unmapped.length === 0
				? 'none'
				: summary.unmapped.map((name) => `${name.name} ×${name.units}`).join(', ')
		],
		['on time', percent(summary.onTimeRate)],
		[
			'fulfillment (placed to ready)',
			summary.fulfillmentMinutes
				? `mean ${summary.fulfillmentMinutes.mean} min, p95 ${summary.fulfillmentMinutes.p95} min`
				: '—'
		],
		['completed', String(summary.completed)],
		[
			'oven loads',
			`${summary.loads} loads, ${summary.trays} trays, ${summary.unitsBaked} units baked`
		],
		['tray fill', percent(summary.trayFill)],
		['oven utilisation', percent(summary.ovenUtilisation)],
		[
			'waste',
			`${summary.waste.unsold} unsold that will not keep, ${summary.waste.writtenOff} written off`
		],
		[
			'ending stock',
			summary.endingStock.length === 0
				? 'empty shelves'
				: summary.endingStock.map((row) => `${row.name} ${row.onHand}`).join(', ')
		],
		[
			'opening stock',
			`${summary.openingStock.basis}: ${summary.openingStock.days.join(', ') || '—'}`
		],
		[
			'refunds',
			summary.refunds.length === 0
				? 'none'
				: summary.refunds
						.map((refund) => `${refund.sku} ×${refund.quantity}: ${refund.reason}`)
						.join('; ')
		],
		[
			'refused orders',
			summary.orders.refused.length === 0
				? 'none'
				: summary.orders.refused
						.map((entry) => `till ${entry.ticket} (${entry.channel}): ${entry.reason}`)
						.join('; ')
		],
		[
			'walk-ins who would not wait',
			summary.orders.declined.length === 0
				? 'none'
				: `${summary.orders.declined.length} walk-ins left ${summary.orders.declined.reduce((total, entry) => total + entry.units, 0)} units rather than wait for a bake (offered ${summary.orders.declined.map((entry) => formatShopTime(Date.parse(entry.offered), summary.zone, 'HH:mm')).join(', ')})`
		],
		[
			'still open at the end',
			summary.stillOpen.length === 0
				? 'none'
				: summary.stillOpen.map((order) => `${order.number} ${order.why}`).join('; ')
		],
		[
			'nothing lost',
			`${summary.check.nothingLost ? 'yes' : 'NO'}: ${summary.check.mappedUnitsSold} mapped units sold = ${summary.check.unitsInStoredOrders} in stored orders + ${summary.check.unitsRefused} refused + ${summary.check.unitsDeclined} left by walk-ins who would not wait`
		]
	];
	const cell = (text: string) => text.replace(/\|/g, '\\|');
	return [
		`# Replay of ${summary.date}`,
		'',
		'| measure | value |',
		'| --- | --- |',
		...rows.map(([name, value]) => `| ${name} | ${cell(value)} |`),
		'',
		`The same figures are on the reports page at ${summary.report} while the replay's server runs.`
	].join('\n');
}

function writeSummary(summary: ReplaySummary, outDir: string): void {
	const base = path.resolve(outDir, `replay-${summary.date}`);
	fs.writeFileSync(`${base}.json`, JSON.stringify(summary, null, '\t'));
	fs.writeFileSync(`${base}.md`, summaryMarkdown(summary) + '\n');
}
