import fs from 'node:fs';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
	adminProducts,
	markOffToday,
	saveProduct
} from '../../src/lib/server/backoffice/catalogue';
import { exportCsv, importCsv } from '../../src/lib/server/backoffice/csv';
import { adjustStock, stockLevels } from '../../src/lib/server/backoffice/stock';
import { listProducts } from '../../src/lib/server/catalogue/products';
import { AppError } from '../../src/lib/server/errors';
import { placeOrder } from '../../src/lib/server/orders/intake';
import { testBakery, type TestBakery } from '../helpers/deps';

const NOW = Date.parse('2024-06-14T08:00:00Z');
const TODAY = '2024-06-14';
const CUPS_FILE = path.resolve('../shared/data/baked_goods_long.csv');
let bakery: TestBakery;

beforeEach(() => {
	bakery = testBakery({ now: NOW });
});
afterEach(() => bakery.close());

function refusal(call: () => unknown): AppError {
	try {
		call();
	} catch (error) {
		if (error instanceof AppError) return error;
		throw error;
	}
	throw new Error('expected a refusal');
}

const catalogue = () => adminProducts(bakery.db, NOW, 'Europe/London');
const exported = (kind: 'products' | 'recipes' | 'stock') =>
	exportCsv(bakery.db, kind, NOW, 'Europe/London');

const HEADER =
	'sku,name,category,price_minor,baked,units_per_tray,bake_minutes,bake_temp_c,shelf_life_hours';

describe('CSV import', () => {
	it('refuses a file with one bad row, names its line, and changes nothing', () => {
		const before = exported('products');
		const csv = [
			HEADER,
			'SCONE,Scone,pastry,180,true,12,18,200,24',
			'BAP,Bap,bread,1.5,true,10,20,220,24',
			'ROLL,Roll,bread,90,true,20,15,220,24'
		].join('\n');

		const error = refusal(() => importCsv(bakery.deps, 'products', csv, { apply: true }));

		expect(error.status).toBe(400);
		expect(error.details.problems).toEqual([
			{ field: 'line 3', message: 'price_minor: must be whole pence, such as 250 for 2.50' }
		]);
		expect(exported('products')).toBe(before);
		expect(bakery.published).toEqual([]);
	});

	it('applies exactly what the dry run showed', () => {
		const csv = [
			HEADER,
			'PRETZEL,Pretzel,bread,180,true,12,18,200,24',
			// The demo's bread as it is: left alone.
			'BREAD,Bread,bread,280,true,8,35,230,48'
		].join('\n');
		const dry = importCsv(bakery.deps, 'products', csv, { apply: false });
		expect(catalogue().some((product) => product.sku === 'PRETZEL')).toBe(false);

		const applied = importCsv(bakery.deps, 'products', csv, { apply: true });

		expect(dry.counts).toEqual({ add: 1, change: 1, leave: 0, remove: 0 });
		expect({ ...applied, applied: false }).toEqual(dry);
		const pretzel = catalogue().find((product) => product.sku === 'PRETZEL')!;
		expect(pretzel).toMatchObject({ name: 'Pretzel', priceMinor: 180, bakeTempC: 200 });
		expect(bakery.published.some((event) => event.type === 'plan.updated')).toBe(true);
	});

	it('refuses the cups recipe sheet where the shop counts an ingredient in another unit', () => {
		const text = fs.readFileSync(CUPS_FILE, 'utf8');
		const recipes = [
			...new Set(
				text
					.split('\n')
					.slice(1)
					.filter(Boolean)
					.map((line) => line.split(',').slice(0, 2).join('-').toUpperCase())
			)
		];
		const products = [HEADER, ...recipes.map((sku) => `${sku},${sku},cakes,250,true,12,22,180,48`)];
		importCsv(bakery.deps, 'products', products.join('\n'), { apply: true });

		const error = refusal(() => importCsv(bakery.deps, 'recipes', text, { apply: true }));

		expect(error.details.problems?.[0]).toEqual({
			field: 'line 15',
			message:
				'unit: milk is counted in ml, the file says cup; convert the amount or use another ingredient code'
		});
		expect(catalogue().find((product) => product.sku === 'CUPCAKE-145206')?.recipe).toEqual([]);
	});

	it('reads the cups recipe sheet once its products exist, skipping zero amounts', () => {
		// A bakery that keeps its recipes by volume: the sheet brings its ingredients, in cups.
		bakery.close();
		const demo = JSON.parse(fs.readFileSync('src/lib/server/demo/demo-bakery.json', 'utf8'));
		bakery = testBakery({ now: NOW, data: { ...demo, products: [], ingredients: [] } });
		const text = fs.readFileSync(CUPS_FILE, 'utf8');

		const missing = refusal(() => importCsv(bakery.deps, 'recipes', text, { apply: false }));
		expect(missing.details.problems?.[0]).toEqual({
			field: 'line 2',
			message:
				'product: product CUPCAKE-145206 does not exist; add it (products CSV or Products page) before its recipe'
		});

		const recipes = [
			...new Set(
				text
					.split('\n')
					.slice(1)
					.filter(Boolean)
					.map((line) => line.split(',').slice(0, 2).join('-').toUpperCase())
			)
		];
		const products = [HEADER, ...recipes.map((sku) => `${sku},${sku},cakes,250,true,12,22,180,48`)];
		importCsv(bakery.deps, 'products', products.join('\n'), { apply: true });
		const report = importCsv(bakery.deps, 'recipes', text, { apply: true });

		expect(recipes).toHaveLength(30);
		expect(report.skipped).toHaveLength(870 - 311);
		// 311 non-zero amounts, and the 29 ingredients the sheet names, each added once in cups.
		expect(report.counts.add).toBe(311 + 29);
		const cupcake = catalogue().find((product) => product.sku === 'CUPCAKE-145206')!;
		expect(cupcake.recipe).toContainEqual({
			ingredient: 'baking-soda',
			quantityPerUnit: 8.680541666666666e-4,
			unit: 'cup'
		});
		expect(cupcake.recipe.some((item) => item.ingredient === 'butter')).toBe(false);
	});

	it('refuses a recipe amount in another unit than its ingredient is counted in', () => {
		const csv = 'product_sku,ingredient,quantity_per_unit,unit\nBREAD,bread-flour,2.5,cup';
		const error = refusal(() => importCsv(bakery.deps, 'recipes', csv, { apply: false }));
		expect(error.details.problems).toEqual([
			{
				field: 'line 2',
				message:
					'unit: bread-flour is counted in g, the file says cup; convert the amount or use another ingredient code'
			}
		]);
	});

	it('reads back its own export unchanged', () => {
		for (const kind of ['products', 'recipes', 'stock'] as const) {
			const report = importCsv(bakery.deps, kind, exported(kind), { apply: false });
			expect(report.counts.add + report.counts.change + report.counts.remove).toBe(0);
			expect(report.counts.leave).toBeGreaterThan(0);
		}
	});
});

describe('stock adjustments', () => {
	const flour = () => stockLevels(bakery.db).ingredients.find((row) => row.code === 'bread-flour')!;
	const bread = () => stockLevels(bakery.db).products.find((row) => row.sku === 'BREAD')!;

	it('adds a delivery, takes away waste and records a recount as the difference', () => {
		const start = flour().amount;
		adjustStock(bakery.deps, {
			kind: 'ingredient',
			code: 'bread-flour',
			reason: 'delivery',
			amount: 25000
		});
		expect(flour().amount).toBe(start + 25000);
		adjustStock(bakery.deps, {
			kind: 'ingredient',
			code: 'bread-flour',
			reason: 'waste',
			amount: 1000
		});
		expect(flour().amount).toBe(start + 24000);
		const recount = adjustStock(bakery.deps, {
			kind: 'ingredient',
			code: 'bread-flour',
			reason: 'recount',
			amount: 5000
		});
		expect(recount).toEqual({ code: 'bread-flour', delta: 5000 - (start + 24000), level: 5000 });
		expect(flour().amount).toBe(5000);

		const shelf = bread().onHand;
		adjustStock(bakery.deps, {
			kind: 'product',
			code: 'BREAD',
			reason: 'waste',
			amount: 1,
			note: 'dropped'
		});
		adjustStock(bakery.deps, { kind: 'product', code: 'BREAD', reason: 'recount', amount: 10 });
		expect(bread().onHand).toBe(10);
		expect(shelf).not.toBe(10);
	});

	it('refuses waste beyond what is there, naming the field', () => {
		const error = refusal(() =>
			adjustStock(bakery.deps, {
				kind: 'ingredient',
				code: 'bread-flour',
				reason: 'waste',
				amount: 1e6
			})
		);
		expect(error.status).toBe(422);
		expect(error.details.problems?.[0]?.field).toBe('amount');
		const bad = refusal(() =>
			adjustStock(bakery.deps, { kind: 'product', code: 'BREAD', reason: 'lost', amount: 1 })
		);
		expect(bad.details.problems).toEqual([
			{ field: 'reason', message: 'must be one of delivery, waste, recount' }
		]);
	});
});

describe('products and the menu', () => {
	it('refuses a baked product no oven can bake, and writes nothing', () => {
		const error = refusal(() =>
			saveProduct(bakery.deps, {
				sku: 'PIZZA',
				name: 'Pizza',
				category: 'savoury',
				priceMinor: 900,
				baked: true,
				unitsPerTray: 2,
				bakeMinutes: 8,
				bakeTempC: 400,
				shelfLifeHours: 4,
				recipe: [{ ingredient: 'bread-flour', quantityPerUnit: 250 }]
			})
		);
		expect(error.message).toMatch(/no oven reaches 400°C/);
		expect(catalogue().some((product) => product.sku === 'PIZZA')).toBe(false);
	});

	it('takes a product off the menu for today only', () => {
		markOffToday(bakery.deps, { sku: 'BREAD', off: true });

		expect(listProducts(bakery.db, TODAY).find((p) => p.sku === 'BREAD')?.available).toBe(false);
		expect(listProducts(bakery.db, '2024-06-15').find((p) => p.sku === 'BREAD')?.available).toBe(
			true
		);
		const order = (at: string) =>
			placeOrder(bakery.deps, {
				customer: { name: 'Ada' },
				fulfillment: { type: 'pickup', at },
				lines: [{ sku: 'BREAD', quantity: 1 }]
			});
		const today = refusal(() => order('2024-06-14T15:00'));
		expect(today.details.problems).toEqual([
			{
				field: 'lines[0].sku',
				message: 'Bread is not available on 2024-06-14; choose another item or another day'
			}
		]);
		expect(order('2024-06-15T15:00')).toMatchObject({ created: true });
	});
});
