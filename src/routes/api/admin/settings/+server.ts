import { json } from '@sveltejs/kit';

import { saveSettings } from '$lib/server/backoffice/catalogue';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

const withZone = (settings: object) => ({ ...settings, timeZone: runtime().config.shopTimeZone });

export const GET = endpoint(() => json(withZone(readSettings(runtime().db))));

/** Changes the settings sent (slot minutes, lead time, slot capacity...); the rest stay. */
export const PATCH = endpoint(async ({ request }) =>
	json(withZone(saveSettings(runtime(), await readJson(request))))
);

export const fallback = methodNotAllowed('GET', 'PATCH');
