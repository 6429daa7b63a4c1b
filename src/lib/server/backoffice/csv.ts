import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { eq } from 'drizzle-orm';

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
import { checkCatalogue } from './change';
import { productInput, recipeItemInput } from './input';
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

/** A refused row: its line in the file (1 is the header) and what to fix. */
class RowProblem extends Error {
	constructor(
		readonly line: number,
		readonly field: string,
		message: string
	) {
		super(message);
	}
}

function readCsv(text: string, kind: CsvKind): { columns: string[]; lines: Line[] } {
	let records: { record: Row; info: { lines: number } }[];
	try {
		records = parse(text, {
			columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
			bom: true,
			trim: true,
			skip_empty_lines: true,
			info: true
		});
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw invalid([
			{
				field: 'csv',
				message: `is not readable CSV (${reason}); save it as CSV (comma separated, UTF-8)`
			}
		]);
	}
	if (records.length === 0) {
		throw invalid([
			{ field: 'csv', message: `has no rows; send a header and at least one ${kind} row` }
		]);
	}
	const columns = Object.keys(records[0]!.record);
	return { columns, lines: records.map(({ record, info }) => ({ line: info.lines, row: record })) };
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

/** A number as a spreadsheet writes it, exponent notation included; a comma decimal is refused. */
function number(row: Row, column: string, line: number, optional = false): number | null {
	const text = row[column] ?? '';
	if (text === '') {
		if (optional) return null;
		throw new RowProblem(line, column, 'is empty; give a number');
	}
	if (/^-?\d+,\d+$/.test(text)) {
		throw new RowProblem(
			line,
			column,
			`${text} uses a decimal comma; write ${text.replace(',', '.')}`
		);
	}
	const value = Number(text);
	if (!Number.isFinite(value))
		throw new RowProblem(line, column, `${JSON.stringify(text)} is not a number`);
	return value;
}

function flag(row: Row, column: string, line: number, fallback: boolean): boolean {
	const text = (row[column] ?? '').toLowerCase();
	if (text === '') return fallback;
	if (['true', 'yes', 'y', '1'].includes(text)) return true;
	if (['false', 'no', 'n', '0'].includes(text)) return false;
	throw new RowProblem(
		line,
		column,
		`${JSON.stringify(row[column])} is not yes or no; write true or false`
	);
}

/** Runs a zod schema on one row, turning its first issue into a problem on that line. */
function checked<T>(
	schema: {
		safeParse(
			value: unknown
		): { success: true; data: T } | { success: false; error: import('zod').ZodError };
	},
	value: unknown,
	line: number,
	columnOf: (field: string) => string
): T {
	const parsed = schema.safeParse(value);
	if (parsed.success) return parsed.data;
	const [first] = problemsOf(parsed.error);
	throw new RowProblem(line, columnOf(first!.field), first!.message);
}

const snake = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** What an import will write, as plain steps; built before the transaction from the file alone. */
type Step = { line: number; write(tx: Executor, now: number): ImportChange[] };

function productSteps(lines: Line[]): Step[] {
	return lines.map(({ line, row }) => {
		const input = checked(
			productInput,
			{
				sku: row.sku,
				name: row.name,
				category: row.category,
				description: row.description ?? '',
				priceMinor: number(row, 'price_minor', line),
				taxRateBp: number(row, 'tax_rate_bp', line, true) ?? 0,
				baked: flag(row, 'baked', line, true),
				unitsPerTray: number(row, 'units_per_tray', line, true),
				bakeMinutes: number(row, 'bake_minutes', line, true),
				bakeTempC: number(row, 'bake_temp_c', line, true),
				prepMinutes: number(row, 'prep_minutes', line, true) ?? 0,
				coolMinutes: number(row, 'cool_minutes', line, true) ?? 0,
				shelfLifeHours: number(row, 'shelf_life_hours', line),
				available: flag(row, 'available', line, true)
			},
			line,
			snake
		);
		return {
			line,
			write(tx, now) {
				const before = tx.select().from(products).where(eq(products.sku, input.sku)).get();
				const same =
					before &&
					Object.entries(input).every(
						([key, value]) => before[key as keyof typeof before] === value
					);
				if (same) return [{ line, key: input.sku, action: 'leave' }];
				const written = writeProduct(tx, input, now);
				return [{ line, key: input.sku, action: written === 'added' ? 'add' : 'change' }];
			}
		};
	});
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

function recipeRows(
	columns: string[],
	lines: Line[],
	skipped: ImportReport['skipped']
): RecipeRow[] {
	const cups = CUPS_COLUMNS.every((column) => columns.includes(column));
	if (!cups) requireColumns(columns, RECIPE_COLUMNS, RECIPE_COLUMNS);
	const rows: RecipeRow[] = [];
	for (const { line, row } of lines) {
		const sku = cups
			? `${slug(row.type ?? '')}-${row.recipe_id ?? ''}`.toUpperCase()
			: (row.product_sku ?? '').toUpperCase();
		const amountColumn = cups ? 'ammount_cups' : 'quantity_per_unit';
		const amount = number(row, amountColumn, line)!;
		if (amount < 0)
			throw new RowProblem(line, amountColumn, `${amount} is negative; an amount is 0 or more`);
		if (amount === 0) {
			skipped.push({ line, reason: `${row.ingredient} is 0: not in the recipe of ${sku}` });
			continue;
		}
		const item = checked(
			recipeItemInput,
			{ ingredient: slug(row.ingredient ?? ''), quantityPerUnit: amount },
			line,
			(field) => (field === 'quantityPerUnit' ? amountColumn : 'ingredient')
		);
		const unit = (cups ? 'cup' : (row.unit ?? '').toLowerCase()) as IngredientUnit;
		if (!INGREDIENT_UNITS.includes(unit)) {
			throw new RowProblem(
				line,
				'unit',
				`${JSON.stringify(row.unit)} is not a unit we count in; use ${INGREDIENT_UNITS.join(', ')}`
			);
		}
		rows.push({
			line,
			sku,
			ingredient: item.ingredient,
			name: (row.ingredient ?? '').trim(),
			quantityPerUnit: item.quantityPerUnit,
			unit
		});
	}
	return rows;
}

/** One step per product named: its recipe becomes exactly the file's lines for it. */
function recipeSteps(rows: RecipeRow[]): Step[] {
	const bySku = new Map<string, RecipeRow[]>();
	for (const row of rows) bySku.set(row.sku, [...(bySku.get(row.sku) ?? []), row]);
	return [...bySku.entries()].map(([sku, items]) => ({
		line: items[0]!.line,
		write(tx, now) {
			const product = tx.select().from(products).where(eq(products.sku, sku)).get();
			if (!product) {
				throw new RowProblem(
					items[0]!.line,
					'product',
					`product ${sku} does not exist; add it (products CSV or Products page) before its recipe`
				);
			}
			const changes: ImportChange[] = [];
			for (const item of items) {
				const known = tx
					.select()
					.from(ingredients)
					.where(eq(ingredients.code, item.ingredient))
					.get();
				if (known && known.unit !== item.unit) {
					throw new RowProblem(
						item.line,
						'unit',
						`${item.ingredient} is counted in ${known.unit}, the file says ${item.unit}; convert the amount or use another ingredient code`
					);
				}
				if (!known) {
					writeIngredient(
						tx,
						{
							code: item.ingredient,
							name: item.name,
							unit: item.unit,
							supplier: '',
							leadDays: 1
						},
						now
					);
					changes.push({
						line: item.line,
						key: `ingredient ${item.ingredient}`,
						action: 'add',
						detail: `counted in ${item.unit}`
					});
				}
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

function stockSteps(lines: Line[]): Step[] {
	return lines.map(({ line, row }) => {
		const kind = row.kind;
		if (kind !== 'product' && kind !== 'ingredient')
			throw new RowProblem(
				line,
				'kind',
				`${JSON.stringify(kind)} is neither product nor ingredient`
			);
		const amount = number(row, 'on_hand', line)!;
		if (amount < 0)
			throw new RowProblem(line, 'on_hand', `${amount} is negative; count what is there`);
		if (kind === 'product' && !Number.isInteger(amount))
			throw new RowProblem(line, 'on_hand', `${amount} is not whole units`);
		const code =
			kind === 'product' ? (row.code ?? '').toUpperCase() : (row.code ?? '').toLowerCase();
		return {
			line,
			write(tx, now) {
				const unit = row.unit?.toLowerCase();
				if (kind === 'ingredient' && unit) {
					const known = tx.select().from(ingredients).where(eq(ingredients.code, code)).get();
					if (known && known.unit !== unit)
						throw new RowProblem(line, 'unit', `${code} is counted in ${known.unit}, not ${unit}`);
				}
				try {
					const moved = writeAdjustment(
						tx,
						{ kind, code, reason: 'recount', amount, note: 'CSV import' },
						now
					);
					return [
						{
							line,
							key: `${kind} ${code}`,
							action: moved.delta === 0 ? 'leave' : 'change',
							detail:
								moved.delta === 0 ? undefined : `${moved.level - moved.delta} → ${moved.level}`
						}
					];
				} catch (error) {
					if (error instanceof AppError) throw new RowProblem(line, 'code', error.message);
					throw error;
				}
			}
		};
	});
}

class DryRun extends Error {
	constructor(readonly report: ImportReport) {
		super('dry run');
	}
}

function lineProblem(error: RowProblem): FieldProblem {
	return { field: `line ${error.line}`, message: `${error.field}: ${error.message}` };
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
	const { columns, lines } = readCsv(text, kind);
	const skipped: ImportReport['skipped'] = [];

	const problems: FieldProblem[] = [];
	const steps: Step[] = [];
	const collect = (build: () => Step[]) => {
		try {
			steps.push(...build());
		} catch (error) {
			if (!(error instanceof RowProblem)) throw error;
			problems.push(lineProblem(error));
		}
	};
	if (kind === 'products') {
		requireColumns(columns, PRODUCT_COLUMNS, [
			'sku',
			'name',
			'category',
			'price_minor',
			'shelf_life_hours'
		]);
		for (const entry of lines) collect(() => productSteps([entry]));
		const skus = lines.map((entry) => (entry.row.sku ?? '').toUpperCase());
		skus.forEach((sku, index) => {
			const first = skus.indexOf(sku);
			if (first !== index)
				problems.push({
					field: `line ${lines[index]!.line}`,
					message: `sku: ${sku} is already on line ${lines[first]!.line}; keep one row per product`
				});
		});
	} else if (kind === 'recipes') {
		// Recipe rows are checked one by one so that every bad line is named, not just the first.
		const rows: RecipeRow[] = [];
		for (const entry of lines) {
			try {
				rows.push(...recipeRows(columns, [entry], skipped));
			} catch (error) {
				if (!(error instanceof RowProblem)) throw error;
				problems.push(lineProblem(error));
			}
		}
		collect(() => {
			const seen = new Map<string, number>();
			for (const row of rows) {
				const key = `${row.sku}/${row.ingredient}`;
				const first = seen.get(key);
				if (first !== undefined)
					throw new RowProblem(
						row.line,
						'ingredient',
						`${row.ingredient} is already in ${row.sku} on line ${first}; keep one line`
					);
				seen.set(key, row.line);
			}
			return recipeSteps(rows);
		});
	} else {
		requireColumns(columns, STOCK_COLUMNS, ['kind', 'code', 'on_hand']);
		for (const entry of lines) collect(() => stockSteps([entry]));
	}
	if (problems.length > 0) throw invalid(problems);

	const now = deps.now();
	const zone = deps.config.shopTimeZone;
	try {
		const outcome = deps.db.transaction(
			(tx) => {
				const changes: ImportChange[] = [];
				for (const step of steps) {
					try {
						changes.push(...step.write(tx, now));
					} catch (error) {
						if (!(error instanceof RowProblem)) throw error;
						problems.push(lineProblem(error));
					}
				}
				if (problems.length > 0) throw invalid(problems);
				checkCatalogue(tx);
				const report: ImportReport = {
					kind,
					applied: options.apply,
					counts: countOf(changes),
					changes,
					skipped
				};
				if (!options.apply) throw new DryRun(report);
				return { report, events: replan(tx, now, zone) };
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
