import { error, fail } from '@sveltejs/kit';

import { AppError } from '$lib/server/errors';
import { orderForRating, rateOrder } from '$lib/server/orders/rating';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { Actions, PageServerLoad } from './$types';

/*
 * The e-mail's one-click links open this page with the score chosen; the score is recorded when
 * the customer presses Send. A plain GET never records anything, because mail scanners follow
 * links before people do.
 */
export const load: PageServerLoad = ({ params, url }) => {
	const rt = runtime();
	let order;
	try {
		order = orderForRating(rt, params.token);
	} catch {
		error(404, 'No order has this link. Check the link in your e-mail.');
	}
	const chosen = Number(url.searchParams.get('score'));
	return {
		shopName: readSettings(rt.db).shopName,
		number: order.number,
		completed: order.status === 'completed',
		rating: order.rating,
		chosen: Number.isInteger(chosen) && chosen >= 1 && chosen <= 5 ? chosen : null
	};
};

export const actions: Actions = {
	default: async ({ params, request, url, getClientAddress }) => {
		const limited = await runtime().limiter.check('POST', url.pathname, getClientAddress());
		if (limited) {
			return fail(429, {
				message: `Too many ratings from here; try again in ${limited.retryAfterSeconds} s.`
			});
		}
		const form = await request.formData();
		try {
			const order = rateOrder(runtime(), params.token, {
				score: form.get('score') ?? undefined,
				comment: form.get('comment') ?? ''
			});
			return { saved: order.rating };
		} catch (problem) {
			if (problem instanceof AppError && problem.status < 500) {
				return fail(problem.status, { message: problem.message });
			}
			throw problem;
		}
	}
};
