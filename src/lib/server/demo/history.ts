import { randomBytes } from 'node:crypto';

import { eq } from 'drizzle-orm';

import { seeded } from '../../domain/random';
import { addShopDays, instantAt, MINUTE_MS, wallClock } from '../../domain/shop-time';
import type { Db, Executor } from '../db/client';
import {
	counters,
	loadTrays,
	orderLines,
	orders,
	orderStatusHistory,
	ovenLoads,
	ovens,
	payments,
	products,
	sales
} from '../db/schema';
import { taxInside } from '../orders/complete';

/*
 * A finished day for the demo bakery, so the reports page has figures on the first start:
 * yesterday's counter and online orders with their timings, packing, payments, sales and
 * ratings, and the ovens' loads. Drawn from a fixed seed, so every demo shows the same day. The
 * history stands before the opening stock: it writes sales, not stock movements.
 */

type Product = typeof products.$inferSelect;

const NAMES = [
	'Ana Ruiz',
	'Lea Martin',
	'Sam Okafor',
	'Priya Shah',
	'Tom Walsh',
	'Mia Rossi',
	'Jonas Berg',
	'Chloe Dubois',
	'Omar Haddad',
	'Grace Kim',
	'Luis Ortega',
	'Hannah Cole'
];

/** What sells, most often first, as a bakery's till roll shows it. */
const POPULAR = ['COFFEE', 'BREAD', 'CROISSANT', 'TEA', 'CAKE', 'PASTRY', 'MEDIALUNA', 'COOKIES'];

const RATINGS = [5, 5, 5, 5, 5, 5, 4, 4, 4, 3, 2];

export function seedHistory(db: Db, now: number, zone: string): { date: string; orders: number } {
	const date = addShopDays(wallClock(now, zone).date, -1);
	const next = seeded(20_240_613);
	const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
	const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
	const catalogue = db.select().from(products).all();
	const bySku = new Map(catalogue.map((product) => [product.sku, product]));
	const popular = POPULAR.map((sku) => bySku.get(sku)).filter((p): p is Product => Boolean(p));

	let count = 0;
	db.transaction((tx) => {
		for (let minute = 7 * 60 + 5; minute < 17 * 60; minute += between(4, 12)) {
			const online = next() < 0.35;
			const lines = Array.from({ length: between(1, 3) }, () => ({
				product: next() < 0.75 ? pick(popular) : pick(catalogue),
				quantity: between(1, 3)
			}));
			count += 1;
			writeOrder(tx, {
				number: String(count).padStart(3, '0'),
				date,
				zone,
				online,
				minute,
				lines,
				next,
				between,
				name: pick(NAMES)
			});
		}
		tx.insert(counters)
			.values({ name: `order-number:${date}`, value: count })
			.onConflictDoNothing()
			.run();
		writeLoads(tx, date, zone, catalogue, between);
	});
	return { date, orders: count };
}

interface DemoOrder {
	number: string;
	date: string;
	zone: string;
	online: boolean;
	minute: number;
	lines: { product: Product; quantity: number }[];
	next: () => number;
	between: (low: number, high: number) => number;
	name: string;
}

function writeOrder(tx: Executor, demo: DemoOrder): void {
	const { next, between, online } = demo;
	const at = instantAt(demo.date, demo.minute, demo.zone);
	// Online orders are mostly placed an hour or two ahead for a slot, a few the evening before;
	// counter orders at the counter.
	const slot = instantAt(demo.date, Math.ceil(demo.minute / 15) * 15, demo.zone);
	const ahead = next() < 0.06 ? between(10 * 60, 16 * 60) : between(20, 120);
	const placed = online ? slot - ahead * MINUTE_MS : at;
	const promised = online ? slot : at + 10 * MINUTE_MS;
	const late = next() < 0.08;
	const ready = online
		? promised + (late ? between(2, 20) : -between(5, 40)) * MINUTE_MS
		: at + between(1, late ? 18 : 9) * MINUTE_MS;
	const collected = Math.max(ready, online ? promised : ready) + between(0, 20) * MINUTE_MS;
	const right = next() >= 0.04;
	const rated = online && next() < 0.5;
	const total = demo.lines.reduce((sum, line) => sum + line.quantity * line.product.priceMinor, 0);
	const currency = demo.lines[0]!.product.currency;

	const order = tx
		.insert(orders)
		.values({
			number: demo.number,
			businessDate: demo.date,
			channel: online ? 'online' : 'pos',
			requestHash: 'demo-history',
			status: 'completed',
			version: 4,
			customerName: online ? demo.name : 'Walk-in',
			fulfillmentType: 'pickup',
			fulfillmentAt: promised,
			totalMinor: total,
			currency,
			trackingToken: randomBytes(18).toString('base64url'),
			promisedAt: promised,
			requestedAt: online ? slot : null,
			estimatedReadyAt: ready,
			packedAt: ready,
			packedRight: right,
			completedAt: collected,
			rating: rated ? RATINGS[Math.floor(next() * RATINGS.length)]! : null,
			ratedAt: rated ? collected + between(30, 300) * MINUTE_MS : null,
			createdAt: placed,
			updatedAt: collected
		})
		.returning({ id: orders.id })
		.get();

	demo.lines.forEach((line, position) => {
		const row = tx
			.insert(orderLines)
			.values({
				orderId: order.id,
				position,
				productId: line.product.id,
				sku: line.product.sku,
				name: line.product.name,
				quantity: line.quantity,
				unitPriceMinor: line.product.priceMinor,
				modifiers: [],
				route: line.product.baked ? 'stock' : 'counter',
				packedQuantity: line.quantity
			})
			.returning({ id: orderLines.id })
			.get();
		const gross = line.quantity * line.product.priceMinor;
		tx.insert(sales)
			.values({
				kind: 'sale',
				orderId: order.id,
				orderLineId: row.id,
				productId: line.product.id,
				sku: line.product.sku,
				channel: online ? 'online' : 'pos',
				quantity: line.quantity,
				unitPriceMinor: line.product.priceMinor,
				grossMinor: gross,
				taxMinor: taxInside(gross, line.product.taxRateBp),
				taxRateBp: line.product.taxRateBp,
				currency,
				businessDate: demo.date,
				at: collected
			})
			.run();
	});

	const card = online || next() < 0.6;
	tx.insert(payments)
		.values({
			orderId: order.id,
			method: card ? 'card' : 'cash',
			state: 'recorded',
			amountMinor: total,
			currency,
			reason: 'demo history',
			at: collected
		})
		.run();
	const steps = [
		[null, 'received', placed],
		['received', 'ready', ready],
		['ready', 'completed', collected]
	] as const;
	for (const [from, to, when] of steps) {
		tx.insert(orderStatusHistory)
			.values({
				orderId: order.id,
				fromStatus: from,
				toStatus: to,
				actor: 'demo',
				at: when
			})
			.run();
	}
}

/** Each oven bakes through the morning, one temperature after another, as a bakehouse does. */
function writeLoads(
	tx: Executor,
	date: string,
	zone: string,
	catalogue: Product[],
	between: (low: number, high: number) => number
): void {
	const baked = catalogue.filter((product) => product.baked && product.bakeMinutes);
	for (const oven of tx.select().from(ovens).where(eq(ovens.active, true)).all()) {
		const fits = baked.filter(
			(product) => product.bakeTempC! >= oven.minTempC && product.bakeTempC! <= oven.maxTempC
		);
		let start = instantAt(date, 5 * 60 + between(0, 30), zone);
		const closes = instantAt(date, 14 * 60, zone);
		let previousTemp: number | null = null;
		for (let index = 0; fits.length > 0 && start < closes; index += 1) {
			const product = fits[index % fits.length]!;
			if (previousTemp !== null && previousTemp !== product.bakeTempC) {
				start += oven.changeoverMinutes * MINUTE_MS;
			}
			const end = start + product.bakeMinutes! * MINUTE_MS;
			const trays = between(Math.ceil(oven.capacityTrays / 2), oven.capacityTrays);
			const load = tx
				.insert(ovenLoads)
				.values({
					ovenId: oven.id,
					status: 'done',
					prepStartAt: start - product.prepMinutes * MINUTE_MS,
					startAt: start,
					endAt: end,
					tempC: product.bakeTempC!,
					planVersion: 0,
					startedAt: start + between(0, 4) * MINUTE_MS,
					finishedAt: end + between(0, 3) * MINUTE_MS
				})
				.returning({ id: ovenLoads.id })
				.get();
			for (let position = 0; position < trays; position += 1) {
				tx.insert(loadTrays)
					.values({
						loadId: load.id,
						position,
						productId: product.id,
						units: product.unitsPerTray ?? 1
					})
					.run();
			}
			previousTemp = product.bakeTempC;
			start = end + between(5, 25) * MINUTE_MS;
		}
	}
}
