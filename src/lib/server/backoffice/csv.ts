import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';

import type { Executor } from '../db/client';
import {
	INGREDIENT_UNITS,
	ingredients,
	products,
	recipeItems,
	type IngredientUnit
} from '../db/schema';
import type { Deps } from '../deps';
import { AppError, invalid, type FieldProblem } from '../errors';
import { problemsOf } from '../http';
import { replan } from '../production/replan';
import { adminProducts, writeIngredient, writeProduct, writeRecipe } from './catalogue';
import { checkCatalogue, withTouched } from './change';
import { productRowInput, recipeItemInput } from './input';
import { stockLevels, writeAdjustment } from './stock';

/*
 * CSV import and export of products, recipes and stock. An import is read whole and every row
 * checked before anything is written; then the same writes run in one transaction, which a dry
 * run rolls back, so what a dry run reports is exactly what applying it does.
 */

export const CSV_KINDS = ['products', 'recipes', 'stock'] as const;
export type CsvKind = (typeof CSV_KINDS)[number];

type Row = Record<string, string>;
interface Line {
	line: number;
	row: Row;
}

export interface ImportChange {
	line: number;
	key: string;
	action: 'add' | 'change' | 'leave' | 'remove';
	detail?: string;
}

export interface ImportReport {
	kind: CsvKind;
	applied: boolean;
	counts: Record<ImportChange['action'], number>;
	changes: ImportChange[];
	/** Lines read but not imported, with why (such as a zero amount: not in that recipe). */
	skipped: { line: number; reason: string }[];
}

const PRODUCT_COLUMNS = [
	'sku',
	'name',
	'category',
	'description',
	'price_minor',
	'tax_rate_bp',
	'baked',
	'units_per_tray',
	'bake_minutes',
	'bake_temp_c',
	'prep_minutes',
	'cool_minutes',
	'shelf_life_hours',
	'available'
] as const;
const RECIPE_COLUMNS = ['product_sku', 'ingredient', 'quantity_per_unit', 'unit'] as const;
/** The long recipe sheet some bakers keep: one row per ingredient, amounts in cups. */
const CUPS_COLUMNS = ['type', 'recipe_id', 'ingredient', 'ammount_cups'] as const;
const STOCK_COLUMNS = ['kind', 'code', 'on_hand', 'unit'] as const;

/** A problem on one line of the file (1 is the header): the column and what to fix. */
interface RowProblem {
	line: number;
	field: string;
	message: string;
}

/** Thrown by a step's write for the rows it refuses; the import collects them all. */
class RowsRefused extends Error {
	constructor(readonly problems: RowProblem[]) {
		super(problems.map((problem) => problem.message).join('; '));
	}
}

/**
 * The header and the rows. A row with more or fewer cells than the header is not read (its cells
 * would land in the wrong columns) but named with its line, beside every other problem.
 */
function readCsv(
	text: string,
	kind: CsvKind
): { columns: string[]; lines: Line[]; ragged: RowProblem[] } {
	let records: { record: string[]; info: { lines: number } }[];
	try {
		// With `info`, each record comes with where it was read; csv-parse's types do not say so.
		records = parse(text, {
			bom: true,
			trim: true,
			skip_empty_lines: true,
			relax_column_count: true,
			info: true
		}) as unknown as typeof records;
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw invalid([
			{
				field: 'csv',
				message: `is not readable CSV (${reason}); save it as CSV (comma separated, UTF-8)`
			}
		]);
	}
	if (records.length < 2) {
		throw invalid([
			{ field: 'csv', message: `has no rows; send a header and at least one ${kind} row` }
		]);
	}
	const columns = records[0]!.record.map((name) => name.trim().toLowerCase());
	const lines: Line[] = [];
	const ragged: RowProblem[] = [];
	for (const { record, info } of records.slice(1)) {
		if (record.length !== columns.length) {
			ragged.push({
				line: info.lines,
				field: 'row',
				message: `has ${record.length} cells and the header ${columns.length}; give every column, leaving a cell empty to keep its value${columns.length === 1 && /;/.test(record[0] ?? '') ? ' (separate cells with commas, not semicolons)' : ''}`
			});
			continue;
		}
		lines.push({
			line: info.lines,
			row: Object.fromEntries(columns.map((column, index) => [column, record[index] ?? '']))
		});
	}
	return { columns, lines, ragged };
}

function requireColumns(columns: string[], wanted: readonly string[], required: readonly string[]) {
	const missing = required.filter((column) => !columns.includes(column));
	const unknown = columns.filter((column) => !wanted.includes(column));
	const problems: FieldProblem[] = [
		...missing.map((column) => ({
			field: `line 1`,
			message: `column ${column} is missing; the columns are ${wanted.join(',')}`
		})),
		...unknown.map((column) => ({
			field: `line 1`,
			message: `column ${column} is not one we read; the columns are ${wanted.join(',')}`
		}))
	];
	if (problems.length > 0) throw invalid(problems);
}

/**
 * Reads the cells of one row, noting every problem instead of stopping at the first, so one dry
 * run names each bad cell of the file. A blank cell, like a missing column, reads as
 * `undefined`: not given.
 */
class Cells {
	readonly problems: RowProblem[] = [];

	constructor(
		readonly line: number,
		private readonly row: Row
	) {}

	refuse(column: string, message: string): undefined {
		this.problems.push({ line: this.line, field: column, message });
		return undefined;
	}

	refused(column: string): boolean {
		return this.problems.some((problem) => problem.field === column);
	}

	text(column: string): string | undefined {
		const text = this.row[column] ?? '';
		return text === '' ? undefined : text;
	}

	/** A number as a spreadsheet writes it, exponent notation included; a decimal comma is refused. */
	number(column: string, options: { required?: boolean } = {}): number | undefined {
		const text = this.text(column);
		if (text === undefined)
			return options.required ? this.refuse(column, 'is empty; give a number') : undefined;
		if (/^-?\d+,\d+$/.test(text)) {
			const decimal = text.replace(',', '.');
			// A price in minor units is whole pence: 2,50 is 250, not 2.50.
			const fix = column.endsWith('_minor')
				? `${Math.round(Number(decimal) * 100)} (whole pence, for ${decimal})`
				: decimal;
			return this.refuse(column, `${text} uses a decimal comma; write ${fix}`);
		}
		const value = Number(text);
		if (!Number.isFinite(value))
			return this.refuse(column, `${JSON.stringify(text)} is not a number`);
		return value;
	}

	flag(column: string): boolean | undefined {
		const text = this.text(column)?.toLowerCase();
		if (text === undefined) return undefined;
		if (['true', 'yes', 'y', '1'].includes(text)) return true;
		if (['false', 'no', 'n', '0'].includes(text)) return false;
		return this.refuse(
			column,
			`${JSON.stringify(this.row[column])} is not yes or no; write true or false`
		);
	}

	/**
	 * Runs a zod schema on the values read, noting each of its issues on the column it concerns,
	 * except on a column already refused (a number that was not one is not also "required").
	 */
	checked<T>(schema: z.ZodType<T>, value: unknown, columnOf: (field: string) => string) {
		const parsed = schema.safeParse(value);
		if (parsed.success) return parsed.data;
		for (const problem of problemsOf(parsed.error)) {
			const column = columnOf(problem.field);
			if (!this.refused(column)) this.refuse(column, problem.message);
		}
		return undefined;
	}
}

const snake = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The problems of a write refused with field names (`unitsPerTray`), put on a line's columns. */
function onLine(line: number, error: AppError, columnOf: (field: string) => string) {
	const problems = error.details.problems ?? [];
	return new RowsRefused(
		problems.length > 0
			? problems.map((problem) => ({
					line,
					field: columnOf(problem.field),
					message: problem.message
				}))
			: [{ line, field: 'row', message: error.message }]
	);
}

/** What an import will write, as plain steps; built before the transaction from the file alone. */
type Step = {
	line: number;
	write(tx: Executor, now: number, touch: (orderId: number) => void): ImportChange[];
};

/** The steps for the rows that read well, and every problem of those that did not. */
interface Plan {
	steps: Step[];
	problems: RowProblem[];
}

/** The second and later lines with the same key, each refused with the line it repeats. */
function repeats(keys: { line: number; key: string }[], message: (first: number) => string) {
	const firsts = new Map<string, number>();
	const problems = new Map<number, string>();
	for (const { line, key } of keys) {
		const first = firsts.get(key);
		if (first === undefined) firsts.set(key, line);
		else problems.set(line, message(first));
	}
	return problems;
}

function productPlan(columns: string[], lines: Line[]): Plan {
	requireColumns(columns, PRODUCT_COLUMNS, [
		'sku',
		'name',
		'category',
		'price_minor',
		'shelf_life_hours'
	]);
	const plan: Plan = { steps: [], problems: [] };
	const repeated = repeats(
		lines.map(({ line, row }) => ({ line, key: (row.sku ?? '').toUpperCase() })),
		(first) => `is already on line ${first}; keep one row per product`
	);
	for (const { line, row } of lines) {
		const cells = new Cells(line, row);
		const again = repeated.get(line);
		if (again) cells.refuse('sku', `${(row.sku ?? '').toUpperCase()} ${again}`);
		// Columns the file leaves out, and blank cells, are not sent: the product keeps them.
		const input = cells.checked(
			productRowInput,
			{
				sku: row.sku,
				name: row.name,
				category: row.category,
				description: cells.text('description'),
				priceMinor: cells.number('price_minor', { required: true }),
				taxRateBp: cells.number('tax_rate_bp'),
				baked: cells.flag('baked'),
				unitsPerTray: cells.number('units_per_tray'),
				bakeMinutes: cells.number('bake_minutes'),
				bakeTempC: cells.number('bake_temp_c'),
				prepMinutes: cells.number('prep_minutes'),
				coolMinutes: cells.number('cool_minutes'),
				shelfLifeHours: cells.number('shelf_life_hours', { required: true }),
				available: cells.flag('available')
			},
			snake
		);
		plan.problems.push(...cells.problems);
		if (!input || cells.problems.length > 0) continue;
		plan.steps.push({
			line,
			write(tx, now) {
				let written;
				try {
					written = writeProduct(tx, input, now);
				} catch (error) {
					if (error instanceof AppError) throw onLine(line, error, snake);
					throw error;
				}
				const key = input.sku;
				if (written.outcome === 'added') return [{ line, key, action: 'add' }];
				if (written.differences.length === 0) return [{ line, key, action: 'leave' }];
				return [{ line, key, action: 'change', detail: written.differences.join(', ') }];
			}
		});
	}
	return plan;
}

interface RecipeRow {
	line: number;
	sku: string;
	ingredient: string;
	name: string;
	quantityPerUnit: number;
	unit: IngredientUnit;
}

const slug = (text: string) =>
	text
		.trim()
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '');

/** Reads each recipe line on its own, so every bad line and every bad cell on it is named. */
function recipeRows(columns: string[], lines: Line[], skipped: ImportReport['skipped']) {
	const cups = CUPS_COLUMNS.every((column) => columns.includes(column));
	if (!cups) requireColumns(columns, RECIPE_COLUMNS, RECIPE_COLUMNS);
	const amountColumn = cups ? 'ammount_cups' : 'quantity_per_unit';
	const rows: RecipeRow[] = [];
	const problems: RowProblem[] = [];
	for (const { line, row } of lines) {
		const cells = new Cells(line, row);
		const sku = cups
			? `${slug(row.type ?? '')}-${row.recipe_id ?? ''}`.toUpperCase()
			: (row.product_sku ?? '').toUpperCase();
		if (sku === '') cells.refuse('product_sku', 'is empty; give the SKU of the product');
		const amount = cells.number(amountColumn, { required: true });
		if (amount !== undefined && amount < 0)
			cells.refuse(amountColumn, `${amount} is negative; an amount is 0 or more`);
		if (amount === 0 && cells.problems.length === 0) {
			skipped.push({ line, reason: `${row.ingredient} is 0: not in the recipe of ${sku}` });
			continue;
		}
		const name = (row.ingredient ?? '').trim();
		// The long sheet's column holds names ("baking powder"), so its codes are made from them
		// on purpose; recipes.csv holds codes, and one that is not a code is refused, not guessed.
		const item = cells.checked(
			recipeItemInput,
			{ ingredient: cups ? slug(name) : name, quantityPerUnit: amount },
			(field) => (field === 'quantityPerUnit' ? amountColumn : 'ingredient')
		);
		const unit = (cups ? 'cup' : (row.unit ?? '').toLowerCase()) as IngredientUnit;
		if (!INGREDIENT_UNITS.includes(unit)) {
			cells.refuse(
				'unit',
				`${JSON.stringify(row.unit)} is not a unit we count in; use ${INGREDIENT_UNITS.join(', ')}`
			);
		}
		problems.push(...cells.problems);
		if (!item || cells.problems.length > 0) continue;
		rows.push({ line, sku, name, ...item, unit });
	}
	return { rows, problems };
}

function recipePlan(columns: string[], lines: Line[], skipped: ImportReport['skipped']): Plan {
	const { rows, problems } = recipeRows(columns, lines, skipped);
	// An ingredient twice in one recipe would be two amounts for one; the second line is refused.
	const repeated = repeats(
		rows.map((row) => ({ line: row.line, key: `${row.sku}/${row.ingredient}` })),
		(first) => `is already in that recipe on line ${first}; keep one line`
	);
	for (const row of rows) {
		const again = repeated.get(row.line);
		if (again)
			problems.push({ line: row.line, field: 'ingredient', message: `${row.ingredient} ${again}` });
	}
	const steps = recipeSteps(rows.filter((row) => !repeated.has(row.line)));
	return { steps, problems };
}

/** One step per product named: its recipe becomes exactly the file's lines for it. */
function recipeSteps(rows: RecipeRow[]): Step[] {
	const bySku = new Map<string, RecipeRow[]>();
	for (const row of rows) bySku.set(row.sku, [...(bySku.get(row.sku) ?? []), row]);
	return [...bySku.entries()].map(([sku, items]) => ({
		line: items[0]!.line,
		write(tx, now) {
			const problems: RowProblem[] = [];
			const product = tx.select().from(products).where(eq(products.sku, sku)).get();
			if (!product) {
				problems.push({
					line: items[0]!.line,
					field: 'product',
					message: `product ${sku} does not exist; add it (products CSV or Products page) before its recipe`
				});
			}
			const unknown: RecipeRow[] = [];
			for (const item of items) {
				const known = tx
					.select()
					.from(ingredients)
					.where(eq(ingredients.code, item.ingredient))
					.get();
				if (!known) unknown.push(item);
				else if (known.unit !== item.unit) {
					problems.push({
						line: item.line,
						field: 'unit',
						message: `${item.ingredient} is counted in ${known.unit}, the file says ${item.unit}; convert the amount or use another ingredient code`
					});
				}
			}
			if (problems.length > 0 || !product) throw new RowsRefused(problems);

			const changes: ImportChange[] = [];
			for (const item of unknown) {
				writeIngredient(tx, { code: item.ingredient, name: item.name, unit: item.unit }, now);
				changes.push({
					line: item.line,
					key: `ingredient ${item.ingredient}`,
					action: 'add',
					detail: `counted in ${item.unit}`
				});
			}
			const before = new Map(
				tx
					.select({ code: ingredients.code, quantity: recipeItems.quantityPerUnit })
					.from(recipeItems)
					.innerJoin(ingredients, eq(ingredients.id, recipeItems.ingredientId))
					.where(eq(recipeItems.productId, product.id))
					.all()
					.map((row) => [row.code, row.quantity])
			);
			for (const item of items) {
				const was = before.get(item.ingredient);
				const key = `${sku} ${item.ingredient}`;
				const detail = `${item.quantityPerUnit} ${item.unit} per unit`;
				if (was === undefined) changes.push({ line: item.line, key, action: 'add', detail });
				else if (was !== item.quantityPerUnit)
					changes.push({ line: item.line, key, action: 'change', detail: `${was} → ${detail}` });
				else changes.push({ line: item.line, key, action: 'leave' });
			}
			for (const code of before.keys()) {
				if (!items.some((item) => item.ingredient === code)) {
					changes.push({
						line: items[0]!.line,
						key: `${sku} ${code}`,
						action: 'remove',
						detail: 'not in the file'
					});
				}
			}
			writeRecipe(tx, product.id, items);
			return changes;
		}
	}));
}

/** The column of stock.csv a refused adjustment's field is read from. */
const stockColumn = (field: string) => (field === 'amount' ? 'on_hand' : field);

function stockPlan(columns: string[], lines: Line[]): Plan {
	requireColumns(columns, STOCK_COLUMNS, ['kind', 'code', 'on_hand']);
	const plan: Plan = { steps: [], problems: [] };
	const keyOf = (row: Row) =>
		row.kind === 'product'
			? `product ${(row.code ?? '').toUpperCase()}`
			: `${row.kind} ${(row.code ?? '').toLowerCase()}`;
	// Two counts of one item in one file: which is right is the counter's call, not ours.
	const repeated = repeats(
		lines.map(({ line, row }) => ({ line, key: keyOf(row) })),
		(first) => `is already on line ${first}; keep one row per item`
	);
	for (const { line, row } of lines) {
		const cells = new Cells(line, row);
		const kind = row.kind;
		if (kind !== 'product' && kind !== 'ingredient')
			cells.refuse('kind', `${JSON.stringify(kind)} is neither product nor ingredient`);
		const code =
			kind === 'product' ? (row.code ?? '').toUpperCase() : (row.code ?? '').toLowerCase();
		if (code === '')
			cells.refuse('code', `is empty; give the ${kind === 'product' ? 'SKU' : 'code'}`);
		const again = repeated.get(line);
		if (again && !cells.refused('kind')) cells.refuse('code', `${keyOf(row)} ${again}`);
		const amount = cells.number('on_hand', { required: true });
		if (amount !== undefined && amount < 0)
			cells.refuse('on_hand', `${amount} is negative; count what is there`);
		else if (amount !== undefined && kind === 'product' && !Number.isInteger(amount))
			cells.refuse('on_hand', `${amount} is not whole units`);
		const unit = cells.text('unit')?.toLowerCase();
		// Products are counted one by one; an ingredient's unit is checked against the store.
		if (kind === 'product' && unit !== undefined && unit !== 'each')
			cells.refuse(
				'unit',
				`${JSON.stringify(row.unit)} is not how products are counted; write each`
			);
		plan.problems.push(...cells.problems);
		if (cells.problems.length > 0 || amount === undefined) continue;
		if (kind !== 'product' && kind !== 'ingredient') continue;

		plan.steps.push({
			line,
			write(tx, now, touch) {
				if (kind === 'ingredient' && unit) {
					const known = tx.select().from(ingredients).where(eq(ingredients.code, code)).get();
					if (known && known.unit !== unit) {
						throw new RowsRefused([
							{ line, field: 'unit', message: `${code} is counted in ${known.unit}, not ${unit}` }
						]);
					}
				}
				let moved;
				try {
					moved = writeAdjustment(
						tx,
						{ kind, code, reason: 'recount', amount, note: 'CSV import' },
						now,
						touch
					);
				} catch (error) {
					if (error instanceof AppError) throw onLine(line, error, stockColumn);
					throw error;
				}
				return [
					{
						line,
						key: `${kind} ${code}`,
						action: moved.delta === 0 ? 'leave' : 'change',
						detail: moved.delta === 0 ? undefined : `${moved.level - moved.delta} → ${moved.level}`
					}
				];
			}
		});
	}
	return plan;
}

class DryRun extends Error {
	constructor(readonly report: ImportReport) {
		super('dry run');
	}
}

/** Every problem of the file, in line order, as `line 3` / `price_minor: ...`. */
function refusal(problems: RowProblem[]) {
	const ordered = [...problems].sort((a, b) => a.line - b.line);
	return invalid(
		ordered.map((problem) => ({
			field: `line ${problem.line}`,
			message: `${problem.field}: ${problem.message}`
		}))
	);
}

/**
 * Reads a CSV and either reports what it would change (`apply: false`) or applies it. Any bad
 * row refuses the whole file, naming each bad line; nothing is written until every row is good.
 */
export function importCsv(
	deps: Deps,
	kind: CsvKind,
	text: string,
	options: { apply: boolean }
): ImportReport {
	const { columns, lines, ragged } = readCsv(text, kind);
	const skipped: ImportReport['skipped'] = [];
	const plan =
		kind === 'products'
			? productPlan(columns, lines)
			: kind === 'recipes'
				? recipePlan(columns, lines, skipped)
				: stockPlan(columns, lines);
	plan.problems.push(...ragged);

	// The rows that read well are written even when others did not, and rolled back, so that
	// what only the database can tell (an unknown product, a unit the store counts otherwise)
	// is named in the same answer as the file's own mistakes.
	const now = deps.now();
	const zone = deps.config.shopTimeZone;
	try {
		const outcome = deps.db.transaction(
			(tx) => {
				const problems = [...plan.problems];
				const changes: ImportChange[] = [];
				const touched = new Set<number>();
				const touch = (orderId: number) => touched.add(orderId);
				for (const step of plan.steps) {
					try {
						changes.push(...step.write(tx, now, touch));
					} catch (error) {
						if (!(error instanceof RowsRefused)) throw error;
						problems.push(...error.problems);
					}
				}
				if (problems.length > 0) throw refusal(problems);
				checkCatalogue(tx);
				const report: ImportReport = {
					kind,
					applied: options.apply,
					counts: countOf(changes),
					changes,
					skipped
				};
				if (!options.apply) throw new DryRun(report);
				return { report, events: withTouched(tx, replan(tx, now, zone), touched, now, zone) };
			},
			{ behavior: 'immediate' }
		);
		deps.publish(outcome.events);
		deps.log
			.child({ module: 'backoffice' })
			.info({ kind, counts: outcome.report.counts }, 'CSV imported');
		return outcome.report;
	} catch (error) {
		if (error instanceof DryRun) return error.report;
		throw error;
	}
}

function countOf(changes: ImportChange[]): ImportReport['counts'] {
	const counts = { add: 0, change: 0, leave: 0, remove: 0 };
	for (const change of changes) counts[change.action]++;
	return counts;
}

/** The file an import reads back unchanged: export, edit in a spreadsheet, import. */
export function exportCsv(db: Executor, kind: CsvKind, now: number, zone: string): string {
	if (kind === 'stock') {
		const levels = stockLevels(db);
		const rows = [
			...levels.products.map((row) => ({
				kind: 'product',
				code: row.sku,
				on_hand: row.onHand,
				unit: 'each'
			})),
			...levels.ingredients.map((row) => ({
				kind: 'ingredient',
				code: row.code,
				on_hand: row.amount,
				unit: row.unit
			}))
		];
		return stringify(rows, { header: true, columns: [...STOCK_COLUMNS] });
	}
	const catalogue = adminProducts(db, now, zone);
	if (kind === 'recipes') {
		const rows = catalogue.flatMap((product) =>
			product.recipe.map((item) => ({
				product_sku: product.sku,
				ingredient: item.ingredient,
				quantity_per_unit: item.quantityPerUnit,
				unit: item.unit
			}))
		);
		return stringify(rows, { header: true, columns: [...RECIPE_COLUMNS] });
	}
	const rows = catalogue.map((product) => ({
		sku: product.sku,
		name: product.name,
		category: product.category,
		description: product.description,
		price_minor: product.priceMinor,
		tax_rate_bp: product.taxRateBp,
		baked: product.baked,
		units_per_tray: product.unitsPerTray,
		bake_minutes: product.bakeMinutes,
		bake_temp_c: product.bakeTempC,
		prep_minutes: product.prepMinutes,
		cool_minutes: product.coolMinutes,
		shelf_life_hours: product.shelfLifeHours,
		available: product.available
	}));
	return stringify(rows, {
		header: true,
		columns: [...PRODUCT_COLUMNS],
		cast: { boolean: (value) => String(value) }
	});
}
