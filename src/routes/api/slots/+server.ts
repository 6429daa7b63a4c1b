import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { invalid } from '$lib/server/errors';
import { endpoint, problemsOf } from '$lib/server/http';
import { offeredSlots } from '$lib/server/orders/slots';
import { runtime } from '$lib/server/runtime';

const query = z.object({
	date: z
		.string()
		.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a shop date such as 2024-06-14')
		.refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'is not a real date')
		.optional(),
	days: z.coerce
		.number({ error: 'must be a number of days' })
		.int('must be a whole number of days')
		.min(1, 'must be at least 1')
		.max(14, 'must be at most 14')
		.default(1)
});

/** Pickup times on offer; without a date, starting from the first day that has any. */
export const GET = endpoint(({ url }) => {
	const parsed = query.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	const days = offeredSlots(runtime(), { from: parsed.data.date, days: parsed.data.days });
	return json({ timeZone: runtime().config.shopTimeZone, days });
});
