import { and, desc, eq, type SQL } from 'drizzle-orm';

import { NOTICE_STATES, notifications, orders } from '$lib/server/db/schema';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { Actions, PageServerLoad } from './$types';

type State = (typeof NOTICE_STATES)[number];
const isState = (value: string | null): value is State =>
	(NOTICE_STATES as readonly string[]).includes(value ?? '');

/** The notice log: what was sent to whom, over which channel, and whether it arrived. */
export const load: PageServerLoad = ({ url }) => {
	const rt = runtime();
	const state = url.searchParams.get('state');
	const conditions: SQL[] = [];
	if (isState(state)) conditions.push(eq(notifications.state, state));
	const rows = rt.db
		.select({
			id: notifications.id,
			number: orders.number,
			kind: notifications.kind,
			channel: notifications.channel,
			recipient: notifications.recipient,
			subject: notifications.subject,
			body: notifications.body,
			state: notifications.state,
			attempts: notifications.attempts,
			lastError: notifications.lastError,
			createdAt: notifications.createdAt,
			sentAt: notifications.sentAt,
			nextAttemptAt: notifications.nextAttemptAt
		})
		.from(notifications)
		.leftJoin(orders, eq(orders.id, notifications.orderId))
		.where(and(...conditions))
		.orderBy(desc(notifications.id))
		.limit(300)
		.all();
	return {
		shopName: readSettings(rt.db).shopName,
		timeZone: rt.config.shopTimeZone,
		state: isState(state) ? state : null,
		notices: rows
	};
};

export const actions: Actions = {
	/** Sends a failed notice again, from the first try, after the shop fixed what was wrong. */
	retry: async ({ request }) => {
		const rt = runtime();
		const id = Number((await request.formData()).get('id'));
		if (!Number.isSafeInteger(id)) return { retried: null };
		rt.db
			.update(notifications)
			.set({ state: 'pending', attempts: 0, nextAttemptAt: rt.now(), lastError: null })
			.where(and(eq(notifications.id, id), eq(notifications.state, 'failed')))
			.run();
		rt.background.kick();
		return { retried: id };
	}
};
