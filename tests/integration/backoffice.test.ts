import fs from 'node:fs';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
	adminProducts,
	listIngredients,
	listOvens,
	markOffToday,
	saveHours,
	saveIngredient,
	saveOven,
	saveProduct,
	saveSettings
} from '../../src/lib/server/backoffice/catalogue';
import { exportCsv, importCsv } from '../../src/lib/server/backoffice/csv';
import { adjustStock, stockLevels } from '../../src/lib/server/backoffice/stock';
import { listProducts } from '../../src/lib/server/catalogue/products';
import { AppError } from '../../src/lib/server/errors';
import { placeOrder } from '../../src/lib/server/orders/intake';
import { findOrder } from '../../src/lib/server/orders/queries';
import { offeredSlots } from '../../src/lib/server/orders/slots';
import { settings } from '../../src/lib/server/db/schema';
import { testBakery, type TestBakery } from '../helpers/deps';

const NOW = Date.parse('2024-06-14T08:00:00Z');
const TODAY = '2024-06-14';
const CUPS_FILE = path.resolve('../shared/data/baked_goods_long.csv');
/** The real sheet lives beside the project, not in it; without it those tests say so and skip. */
const withCupsFile = it.skipIf(!fs.existsSync(CUPS_FILE));
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

		expect(dry.counts).toEqual({ add: 1, change: 0, leave: 1, remove: 0 });
		expect({ ...applied, applied: false }).toEqual(dry);
		const pretzel = catalogue().find((product) => product.sku === 'PRETZEL')!;
		expect(pretzel).toMatchObject({ name: 'Pretzel', priceMinor: 180, bakeTempC: 200 });
		expect(bakery.published.some((event) => event.type === 'plan.updated')).toBe(true);
	});

	withCupsFile(
		'refuses the cups recipe sheet where the shop counts an ingredient in another unit',
		() => {
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
			const products = [
				HEADER,
				...recipes.map((sku) => `${sku},${sku},cakes,250,true,12,22,180,48`)
			];
			importCsv(bakery.deps, 'products', products.join('\n'), { apply: true });

			const error = refusal(() => importCsv(bakery.deps, 'recipes', text, { apply: true }));

			expect(error.details.problems?.[0]).toEqual({
				field: 'line 15',
				message:
					'unit: milk is counted in ml, the file says cup; convert the amount or use another ingredient code'
			});
			expect(catalogue().find((product) => product.sku === 'CUPCAKE-145206')?.recipe).toEqual([]);
		}
	);

	withCupsFile('reads the cups recipe sheet once its products exist, skipping zero amounts', () => {
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

	it('keeps the columns a products file leaves out, and says which fields a change moves', () => {
		const coffee = () => catalogue().find((product) => product.sku === 'COFFEE')!;
		const before = coffee();
		const required = 'sku,name,category,price_minor,shelf_life_hours,baked';

		const dry = importCsv(
			bakery.deps,
			'products',
			`${required}\nCOFFEE,Coffee,drinks,280,1,false`,
			{ apply: true }
		);

		expect(dry.changes).toEqual([
			{ line: 2, key: 'COFFEE', action: 'change', detail: 'priceMinor 260 → 280' }
		]);
		expect(coffee()).toEqual({ ...before, priceMinor: 280 });
		expect(before).toMatchObject({
			taxRateBp: 2000,
			description: 'Espresso, Americano, flat white or latte'
		});

		const untaxed = importCsv(
			bakery.deps,
			'products',
			`${required},tax_rate_bp,description\nCOFFEE,Coffee,drinks,280,1,false,0,Filter`,
			{ apply: false }
		);
		expect(untaxed.changes).toEqual([
			{
				line: 2,
				key: 'COFFEE',
				action: 'change',
				detail:
					'description "Espresso, Americano, flat white or latte" → "Filter", taxRateBp 2000 → 0'
			}
		]);
	});

	it('names a row with too few or too many cells beside the other problems, and reads the rest', () => {
		const csv = [
			'sku,name,category,price_minor,baked,shelf_life_hours',
			'BAP,Bap,bread,150',
			'ROLL,Roll,bread,abc,false,24',
			'BUN,Bun,pastry,180,false,24,extra'
		].join('\n');
		const error = refusal(() => importCsv(bakery.deps, 'products', csv, { apply: false }));
		expect(error.details.problems).toEqual([
			{
				field: 'line 2',
				message:
					'row: has 4 cells and the header 6; give every column, leaving a cell empty to keep its value'
			},
			{ field: 'line 3', message: 'price_minor: "abc" is not a number' },
			{
				field: 'line 4',
				message:
					'row: has 7 cells and the header 6; give every column, leaving a cell empty to keep its value'
			}
		]);
		expect(catalogue().some((product) => ['BAP', 'ROLL', 'BUN'].includes(product.sku))).toBe(false);
	});

	it('names every bad cell of a products file in one dry run', () => {
		const csv = [
			'sku,name,category,price_minor,tax_rate_bp,baked,shelf_life_hours',
			'BAP,Bap,bread,"1,5",0,maybe,24',
			'BAP,Bap,bread,150,-5,false,0',
			'BUN,Bun,pastry,180,0,true,24'
		].join('\n');

		const error = refusal(() => importCsv(bakery.deps, 'products', csv, { apply: false }));

		expect(error.details.problems).toEqual([
			{
				field: 'line 2',
				message: 'price_minor: 1,5 uses a decimal comma; write 150 (whole pence, for 1.5)'
			},
			{ field: 'line 2', message: 'baked: "maybe" is not yes or no; write true or false' },
			{ field: 'line 3', message: 'sku: BAP is already on line 2; keep one row per product' },
			{ field: 'line 3', message: 'tax_rate_bp: cannot be negative' },
			{ field: 'line 3', message: 'shelf_life_hours: must be at least 1' },
			// Found only by writing: a new baked product without its oven settings.
			{
				field: 'line 4',
				message: 'units_per_tray: is needed for a baked product; fill it in or set baked to false'
			},
			{
				field: 'line 4',
				message: 'bake_minutes: is needed for a baked product; fill it in or set baked to false'
			},
			{
				field: 'line 4',
				message: 'bake_temp_c: is needed for a baked product; fill it in or set baked to false'
			}
		]);
	});

	it('names an unknown product, a bad code and a bad number of a recipes file at once', () => {
		const csv = [
			'product_sku,ingredient,quantity_per_unit,unit',
			'NOPE,salt,2,g',
			'BREAD,Bad Code!,5,g',
			'BREAD,salt,abc,g',
			'BREAD,salt,5,kg'
		].join('\n');

		const error = refusal(() => importCsv(bakery.deps, 'recipes', csv, { apply: false }));

		expect(error.details.problems).toEqual([
			{
				field: 'line 2',
				message:
					'product: product NOPE does not exist; add it (products CSV or Products page) before its recipe'
			},
			{
				field: 'line 3',
				message: 'ingredient: use 1 to 40 letters, digits, - or _, such as bread-flour'
			},
			{ field: 'line 4', message: 'quantity_per_unit: "abc" is not a number' },
			{
				field: 'line 5',
				message: 'unit: "kg" is not a unit we count in; use g, ml, each, cup'
			}
		]);
		expect(listIngredients(bakery.db).some((row) => row.code === 'bad-code')).toBe(false);
	});

	withCupsFile(
		'names every line of the cups sheet whose unit clashes with the shop’s, not one per recipe',
		() => {
			const text = fs.readFileSync(CUPS_FILE, 'utf8');
			const skus = new Set(
				text
					.split('\n')
					.slice(1)
					.filter(Boolean)
					.map((line) => line.split(',').slice(0, 2).join('-').toUpperCase())
			);
			const products = [
				HEADER,
				...[...skus].map((sku) => `${sku},${sku},cakes,250,true,12,22,180,48`)
			];
			importCsv(bakery.deps, 'products', products.join('\n'), { apply: true });

			const error = refusal(() => importCsv(bakery.deps, 'recipes', text, { apply: false }));

			const cupcake = error.details.problems!.filter(
				(problem) => Number(problem.field.slice(5)) <= 30
			);
			expect(cupcake).toEqual(
				[
					[15, 'milk is counted in ml'],
					[20, 'salt is counted in g'],
					[24, 'sugar is counted in g']
				].map(([line, counted]) => ({
					field: `line ${line}`,
					message: `unit: ${counted}, the file says cup; convert the amount or use another ingredient code`
				}))
			);
		}
	);

	it('refuses two stock rows for one item, naming both lines, with every other bad row', () => {
		const before = exported('stock');
		const csv = [
			'kind,code,on_hand,unit',
			'ingredient,wholemeal-flour,5000,g',
			'ingredient,Wholemeal-Flour,4000,g',
			'product,BREAD,3,kg',
			'ingredient,salt,200,ml',
			'ingredient,sugar,lots,g'
		].join('\n');

		const error = refusal(() => importCsv(bakery.deps, 'stock', csv, { apply: true }));

		expect(error.details.problems).toEqual([
			{
				field: 'line 3',
				message: 'code: ingredient wholemeal-flour is already on line 2; keep one row per item'
			},
			{ field: 'line 4', message: 'unit: "kg" is not how products are counted; write each' },
			{ field: 'line 5', message: 'unit: salt is counted in g, not ml' },
			{ field: 'line 6', message: 'on_hand: "lots" is not a number' }
		]);
		expect(exported('stock')).toBe(before);
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

	it('gives loaves counted onto the shelf to the orders already waiting for a bake, soonest first', () => {
		const focaccia = () => stockLevels(bakery.db).products.find((row) => row.sku === 'FOCACCIA')!;
		expect(focaccia().onHand - focaccia().reserved).toBe(0);
		const order = (name: string, at: string, quantity: number) =>
			placeOrder(bakery.deps, {
				customer: { name },
				fulfillment: { type: 'pickup', at },
				lines: [{ sku: 'FOCACCIA', quantity }]
			}).order;
		// The later order is taken first; the earlier one must still come first for the shelf.
		const later = order('Later Customer', `${TODAY}T17:00`, 2);
		const sooner = order('Sooner Customer', `${TODAY}T15:00`, 2);
		const farOff = order('Far Customer', '2024-06-18T12:00', 1);
		bakery.published.length = 0;

		adjustStock(bakery.deps, { kind: 'product', code: 'FOCACCIA', reason: 'recount', amount: 3 });
		const lineOf = (id: number) => findOrder(bakery.db, id, 'Europe/London')!.lines[0]!;
		expect([lineOf(sooner.id).route, lineOf(sooner.id).reservedUnits]).toEqual(['stock', 2]);
		expect([lineOf(later.id).route, lineOf(later.id).reservedUnits]).toEqual(['bake', 1]);
		// Focaccia keeps a day: four days off, that order is baked fresh.
		expect(lineOf(farOff.id).reservedUnits).toBe(0);
		expect(focaccia()).toMatchObject({ onHand: 3, reserved: 3 });
		// The sooner order's screens hear of it although the oven plan no longer names it.
		expect(
			bakery.published.some(
				(event) => event.type === 'order.updated' && event.order.id === sooner.id
			)
		).toBe(true);
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

	it('refuses an ingredient twice in one recipe, naming the second', () => {
		const bread = catalogue().find((product) => product.sku === 'BREAD')!;
		const error = refusal(() =>
			saveProduct(bakery.deps, {
				sku: 'BREAD',
				name: 'Bread',
				category: 'bread',
				priceMinor: 280,
				baked: true,
				shelfLifeHours: 48,
				recipe: [
					{ ingredient: 'salt', quantityPerUnit: 5 },
					{ ingredient: 'Salt', quantityPerUnit: 3 }
				]
			})
		);
		expect([error.status, error.details.problems]).toEqual([
			400,
			[
				{
					field: 'recipe[1].ingredient',
					message:
						'salt is already recipe[0]; list each ingredient once, with its whole amount per unit'
				}
			]
		]);
		expect(catalogue().find((product) => product.sku === 'BREAD')).toEqual(bread);
	});

	it('keeps the fields a change leaves out, and gives a new product the defaults', () => {
		const coffee = () => catalogue().find((product) => product.sku === 'COFFEE')!;
		const before = coffee();
		const required = { name: 'Coffee', category: 'drinks', baked: false, shelfLifeHours: 1 };

		saveProduct(bakery.deps, { sku: 'COFFEE', ...required, priceMinor: 300 });

		expect(coffee()).toEqual({ ...before, priceMinor: 300 });
		const added = saveProduct(bakery.deps, { sku: 'TEA-CAKE', ...required, priceMinor: 150 });
		expect(added.product).toMatchObject({
			description: '',
			taxRateBp: 0,
			prepMinutes: 0,
			coolMinutes: 0,
			available: true
		});
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

		// The order page still lists it, for another day, and offers no time today for it.
		expect(listProducts(bakery.db, TODAY).find((p) => p.sku === 'BREAD')).toMatchObject({
			available: false,
			offToday: true
		});
		const days = offeredSlots(bakery.deps, { days: 2, lines: [{ sku: 'BREAD', quantity: 1 }] });
		expect(days.map((day) => [day.date, day.slots.length > 0])).toEqual([
			[TODAY, false],
			['2024-06-15', true]
		]);
		const coffee = offeredSlots(bakery.deps, { days: 1, lines: [{ sku: 'COFFEE', quantity: 1 }] });
		expect(coffee[0]!.slots.length).toBeGreaterThan(0);
	});
});

describe('ingredients and ovens', () => {
	const ingredient = (code: string) => listIngredients(bakery.db).find((row) => row.code === code)!;
	const oven = (name: string) => listOvens(bakery.db).find((row) => row.name === name)!;

	it('keeps an ingredient’s supplier and lead days when a change leaves them out', () => {
		saveIngredient(bakery.deps, { code: 'salt', name: 'Flaky sea salt', unit: 'g' });
		expect(ingredient('salt')).toMatchObject({
			name: 'Flaky sea salt',
			supplier: 'Wholesale Foods',
			leadDays: 3
		});
	});

	it('refuses a new unit for an ingredient in stock or in a recipe, and says what to do', () => {
		const error = refusal(() =>
			saveIngredient(bakery.deps, {
				code: 'wholemeal-flour',
				name: 'Stoneground wholemeal flour',
				unit: 'ml'
			})
		);
		expect([error.status, error.details.problems]).toEqual([
			409,
			[
				{
					field: 'unit',
					message:
						'wholemeal-flour has 8000 g in stock and is in the recipes of SOURDOUGH, counted in g; in ml those amounts would mean ml. Keep g, or add a new ingredient code counted in ml and move the recipes and stock to it'
				}
			]
		]);
		expect(ingredient('wholemeal-flour').unit).toBe('g');

		// An ingredient nothing counts in yet may still change its unit.
		saveIngredient(bakery.deps, { code: 'rye-flour', name: 'Rye flour', unit: 'g' });
		saveIngredient(bakery.deps, { code: 'rye-flour', name: 'Rye flour', unit: 'cup' });
		expect(ingredient('rye-flour')).toMatchObject({ unit: 'cup', supplier: '', leadDays: 1 });
	});

	it('keeps an oven’s kind and its being out of service when a change leaves them out', () => {
		const rack = { name: 'Rack oven', capacityTrays: 16, minTempC: 150, maxTempC: 250 };
		saveOven(bakery.deps, { ...rack, active: false });

		const saved = saveOven(bakery.deps, { ...rack, capacityTrays: 12 });

		expect(saved.oven).toMatchObject({
			kind: 'rack',
			capacityTrays: 12,
			changeoverMinutes: 15,
			active: false
		});
		expect(oven('Rack oven')).toEqual(saved.oven);
		const added = saveOven(bakery.deps, { ...rack, name: 'Spare oven' });
		expect(added.oven).toMatchObject({ kind: 'deck', changeoverMinutes: 15, active: true });
	});
});

describe('settings and opening hours', () => {
	it.each([
		[
			{ slotMinutes: 2 },
			'slotMinutes',
			'must be a whole number of minutes from 5 to 240, such as 15'
		],
		[
			{ slotCapacity: -1 },
			'slotCapacity',
			'must be a whole number of pickups from 0 to 1000, such as 12 (0 for no cap)'
		],
		[
			{ leadMinutes: 'soon' },
			'leadMinutes',
			'must be a whole number of minutes from 0 to 10080, such as 30'
		],
		[
			{ maxAdvanceDays: 1.5 },
			'maxAdvanceDays',
			'must be a whole number of days from 1 to 365, such as 30'
		],
		[{ shopName: '' }, 'shopName', 'must be text of 1 to 80 characters, such as "Corner Bakery"']
	])('answers %j with its range and an example', (body, field, message) => {
		const error = refusal(() => saveSettings(bakery.deps, body));
		expect([error.status, error.details.problems]).toEqual([400, [{ field, message }]]);
	});

	it('stores a time zone by its canonical IANA name', () => {
		expect(saveSettings(bakery.deps, { timeZone: 'europe/paris' }).timeZone).toBe('Europe/Paris');
		const stored = bakery.db.select().from(settings).all();
		expect(stored.find((row) => row.key === 'timeZone')?.value).toBe('Europe/Paris');
	});

	it('refuses overlapping windows on one day, naming the day and both windows', () => {
		const bakehouse = [{ weekday: 1, opens: '04:00', closes: '18:00' }];
		const error = refusal(() =>
			saveHours(bakery.deps, {
				shop: [
					{ weekday: 1, opens: '07:30', closes: '12:00' },
					{ weekday: 2, opens: '11:00', closes: '18:00' },
					{ weekday: 1, opens: '11:00', closes: '18:00' }
				],
				bakehouse
			})
		);
		expect(error.details.problems).toEqual([
			{
				field: 'shop[2]',
				message:
					'Monday 11:00–18:00 overlaps 07:30–12:00 (entry 0); make them one window, 07:30–18:00, or move one'
			}
		]);

		// Windows that only touch are two shifts, not an overlap.
		const split = [
			{ weekday: 1, opens: '07:30', closes: '12:00' },
			{ weekday: 1, opens: '12:00', closes: '18:00' }
		];
		expect(saveHours(bakery.deps, { shop: split, bakehouse }).shop).toEqual(split);
	});

	it('moves every product to a new currency with the setting, keeping the numbers', () => {
		const prices = catalogue().map((product) => [product.sku, product.priceMinor]);

		saveSettings(bakery.deps, { currency: 'EUR' });

		expect(new Set(catalogue().map((product) => product.currency))).toEqual(new Set(['EUR']));
		expect(catalogue().map((product) => [product.sku, product.priceMinor])).toEqual(prices);
		const order = placeOrder(bakery.deps, {
			customer: { name: 'Ada' },
			fulfillment: { type: 'pickup', at: '2024-06-15T15:00' },
			lines: [{ sku: 'BREAD', quantity: 1 }]
		});
		expect(order.order.currency).toBe('EUR');
	});
});
