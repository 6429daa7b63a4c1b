import { asc, eq, sql } from 'drizzle-orm';

import type { Executor } from '../db/client';
import {
	ingredientMovements,
	ingredients,
	products,
	productStock,
	stockMovements
} from '../db/schema';
import type { Deps } from '../deps';
import { notFound, refused } from '../errors';
import { holdShelfForOpenOrders } from '../inventory/stock';
import { commitChange, parseInput } from './change';
import { adjustmentInput, type AdjustmentInput } from './input';

export interface StockLevels {
	products: { sku: string; name: string; onHand: number; reserved: number }[];
	ingredients: { code: string; name: string; unit: string; amount: number }[];
}

export function stockLevels(db: Executor): StockLevels {
	const shelf = db
		.select({
			sku: products.sku,
			name: products.name,
			onHand: sql<number>`coalesce(${productStock.onHand}, 0)`,
			reserved: sql<number>`coalesce(${productStock.reserved}, 0)`
		})
		.from(products)
		.leftJoin(productStock, eq(productStock.productId, products.id))
		.orderBy(asc(products.sku))
		.all();
	const totals = new Map(
		db
			.select({
				id: ingredientMovements.ingredientId,
				amount: sql<number>`sum(${ingredientMovements.delta})`
			})
			.from(ingredientMovements)
			.groupBy(ingredientMovements.ingredientId)
			.all()
			.map((row) => [row.id, row.amount])
	);
	const store = db
		.select()
		.from(ingredients)
		.orderBy(asc(ingredients.code))
		.all()
		.map((row) => ({
			code: row.code,
			name: row.name,
			unit: row.unit,
			amount: totals.get(row.id) ?? 0
		}));
	return { products: shelf, ingredients: store };
}

/** The ledger row an adjustment makes: the change, never the new total. */
export function writeAdjustment(
	tx: Executor,
	input: AdjustmentInput,
	now: number,
	touch: (orderId: number) => void = () => {}
) {
	return input.kind === 'product'
		? adjustProduct(tx, input, now, touch)
		: adjustIngredient(tx, input, now);
}

function adjustProduct(
	tx: Executor,
	input: AdjustmentInput,
	now: number,
	touch: (orderId: number) => void
) {
	const product = tx.select().from(products).where(eq(products.sku, input.code)).get();
	if (!product) throw notFound(`product ${input.code}`, 'code');
	tx.insert(productStock).values({ productId: product.id }).onConflictDoNothing().run();
	const stock = tx.select().from(productStock).where(eq(productStock.productId, product.id)).get()!;

	const delta = {
		delivery: input.amount,
		waste: -input.amount,
		recount: input.amount - stock.onHand
	}[input.reason];
	if (stock.onHand + delta < stock.reserved) {
		throw refused(
			'amount',
			`${stock.reserved} ${product.name} are held for orders and only ${stock.onHand} are on the shelf; a count below ${stock.reserved} means cancelling or baking for those orders first`
		);
	}
	const reason = { delivery: 'delivery', waste: 'waste', recount: 'adjust' } as const;
	tx.update(productStock)
		.set({ onHand: stock.onHand + delta })
		.where(eq(productStock.productId, product.id))
		.run();
	tx.insert(stockMovements)
		.values({
			productId: product.id,
			reason: reason[input.reason],
			onHandDelta: delta,
			note: note(input),
			at: now
		})
		.run();
	// More on the shelf: orders already waiting for a bake of it get it first.
	if (delta > 0) holdShelfForOpenOrders(tx, product.id, now).forEach(touch);
	return { code: product.sku, delta, level: stock.onHand + delta };
}

function adjustIngredient(tx: Executor, input: AdjustmentInput, now: number) {
	const ingredient = tx.select().from(ingredients).where(eq(ingredients.code, input.code)).get();
	if (!ingredient) throw notFound(`ingredient ${input.code}`, 'code');
	const current =
		tx
			.select({ amount: sql<number>`sum(${ingredientMovements.delta})` })
			.from(ingredientMovements)
			.where(eq(ingredientMovements.ingredientId, ingredient.id))
			.get()?.amount ?? 0;

	const delta = {
		delivery: input.amount,
		waste: -input.amount,
		recount: input.amount - current
	}[input.reason];
	if (current + delta < 0) {
		throw refused(
			'amount',
			`only ${current} ${ingredient.unit} of ${ingredient.name} is in stock; waste at most that, or recount`
		);
	}
	const reason = { delivery: 'delivery', waste: 'waste', recount: 'adjust' } as const;
	if (delta !== 0) {
		tx.insert(ingredientMovements)
			.values({
				ingredientId: ingredient.id,
				reason: reason[input.reason],
				delta,
				note: note(input),
				at: now
			})
			.run();
	}
	return { code: ingredient.code, delta, level: current + delta };
}

const note = (input: AdjustmentInput) =>
	[input.reason === 'recount' ? `recount to ${input.amount}` : input.reason, input.note]
		.filter(Boolean)
		.join(': ');

/** Records a delivery, waste or recount; stock moves the plan (what must be baked or bought). */
export function adjustStock(deps: Deps, body: unknown) {
	const input = parseInput(adjustmentInput, body);
	return commitChange(deps, `stock ${input.kind} ${input.code} ${input.reason}`, (tx, now, touch) =>
		writeAdjustment(tx, input, now, touch)
	);
}
