import { error } from '@sveltejs/kit';

import { findOrderByToken } from '$lib/server/orders/queries';
import { toTracked } from '$lib/server/realtime/public-view';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ params }) => {
	const rt = runtime();
	const order = /^[A-Za-z0-9_-]{16,64}$/.test(params.token)
		? findOrderByToken(rt.db, params.token, rt.config.shopTimeZone)
		: null;
	if (!order) error(404, 'No order has this tracking link. Check the link in your confirmation.');

	// Only what the customer needs to see: no phone, e-mail or internal ids.
	return {
		shopName: readSettings(rt.db).shopName,
		token: params.token,
		order: toTracked(order, rt.config.shopTimeZone)
	};
};
