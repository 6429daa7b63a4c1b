import { asc, eq } from 'drizzle-orm';

import { ovens } from '$lib/server/db/schema';
import { headSeq } from '$lib/server/events/log';
import { planView } from '$lib/server/production/plan-view';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
	const rt = runtime();
	return {
		shopName: readSettings(rt.db).shopName,
		timeZone: rt.config.shopTimeZone,
		ovens: rt.db.select().from(ovens).where(eq(ovens.active, true)).orderBy(asc(ovens.id)).all(),
		head: headSeq(rt.db),
		plan: planView(rt.db, rt.config.shopTimeZone)
	};
};
