import { eq } from 'drizzle-orm';
import { z } from 'zod';

import type { OrderView } from '../../domain/order';
import { orders } from '../db/schema';
import type { Deps } from '../deps';
import { conflict, invalid, notFound } from '../errors';
import { problemsOf } from '../http';
import { findOrderByToken } from './queries';

const SCORE = 'choose a score from 1 to 5';

export const ratingInput = z.object({
	// A form sends text; digits only, since Number() would also read "0x3", "3e0" and "" as scores.
	score: z
		.union(
			[
				z.number(),
				z
					.string()
					.trim()
					.regex(/^\d{1,3}$/)
					.transform(Number)
			],
			{ error: SCORE }
		)
		.pipe(z.number().int('choose a whole score from 1 to 5').min(1, SCORE).max(5, SCORE)),
	comment: z.string().trim().max(500, 'keep the comment to 500 characters or fewer').default('')
});

export const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

export function orderForRating(deps: Deps, token: string): OrderView {
	const order = TOKEN.test(token)
		? findOrderByToken(deps.db, token, deps.config.shopTimeZone)
		: null;
	if (!order) throw notFound('an order with this link', 'token');
	return order;
}

/**
 * Records the customer's score for a handed-over order. Changing one's mind is allowed: the last
 * score given stands.
 */
export function rateOrder(deps: Deps, token: string, body: unknown): OrderView {
	const parsed = ratingInput.safeParse(body);
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const order = orderForRating(deps, token);
	if (order.status !== 'completed') {
		throw conflict(`order ${order.number} is not handed over yet; rate it once you have it`);
	}
	deps.db
		.update(orders)
		.set({ rating: parsed.data.score, ratingComment: parsed.data.comment, ratedAt: deps.now() })
		.where(eq(orders.id, order.id))
		.run();
	deps.log
		.child({ module: 'orders' })
		.info({ orderId: order.id, score: parsed.data.score }, 'order rated');
	return { ...order, rating: parsed.data.score };
}
