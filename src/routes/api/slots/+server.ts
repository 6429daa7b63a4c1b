import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { isShopDate } from '$lib/domain/shop-time';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf } from '$lib/server/http';
import { offeredSlots } from '$lib/server/orders/slots';
import { runtime } from '$lib/server/runtime';

const query = z.object({
	date: z
		.string()
		.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a shop date such as 2024-06-14')
		.refine(isShopDate, 'is not a real calendar date; check the day and month')
		.optional(),
	// Digits only: Number() would also read "0x2", "1e1" and " 2" as counts of days.
	days: z
		.string()
		.regex(/^\d{1,3}$/, 'must be a whole number of days written in digits, such as 3')
		.transform(Number)
		.pipe(z.number().min(1, 'must be at least 1').max(14, 'must be at most 14'))
		.default(1),
	lines: z
		.string()
		.transform((value) => value.split(',').filter(Boolean))
		.pipe(
			z.array(
				z
					.string()
					.regex(
						/^[A-Za-z0-9_-]{1,64}:[1-9]\d{0,2}$/,
						'list items as SKU:quantity, comma separated, such as CROISSANT:2,BREAD:1'
					)
					.transform((item) => {
						const [sku, quantity] = item.split(':') as [string, string];
						return { sku, quantity: Number(quantity) };
					})
					.refine((item) => item.quantity <= 500, 'a line may hold at most 500, as an order can')
			)
		)
		.optional()
});

/** Pickup times on offer, for a basket when `lines` is given; without a date, from the first day that has any. */
export const GET = endpoint(({ url }) => {
	const parsed = query.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const { date, days: count, lines } = parsed.data;
	const days = offeredSlots(runtime(), { from: date, days: count, lines });
	return json({ timeZone: runtime().config.shopTimeZone, days });
});

export const fallback = methodNotAllowed('GET');
