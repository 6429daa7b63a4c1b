import { json } from '@sveltejs/kit';
import { z } from 'zod';

import { INBOX_STATES } from '$lib/server/db/schema';
import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, problemsOf, readJson } from '$lib/server/http';
import { listInbox } from '$lib/server/platforms/inbox';
import { runtime } from '$lib/server/runtime';
import { readSettings, shopSettingsSchema, writeSettings } from '$lib/server/settings';

/**
 * The shop platforms, for the manager: which are set up, the settings that map their orders
 * (note attribute names, item SKUs) and the latest webhook deliveries with what became of them.
 */

const listQuery = z.object({
	state: z.enum(INBOX_STATES, { error: `must be one of ${INBOX_STATES.join(', ')}` }).optional(),
	limit: z.coerce.number().int().min(1).max(500).default(50)
});

const settingsInput = z.strictObject(
	{
		shopifyAttributes: shopSettingsSchema.shape.shopifyAttributes.optional(),
		platformItemSkus: shopSettingsSchema.shape.platformItemSkus.optional()
	},
	{ error: 'must be an object with shopifyAttributes and/or platformItemSkus' }
);

function platformSettings() {
	const rt = runtime();
	const { shopifyAttributes, platformItemSkus } = readSettings(rt.db);
	const platforms = rt.config.platforms;
	return {
		setUp: {
			shopify: Boolean(platforms.shopify),
			square: Boolean(platforms.square),
			woocommerce: Boolean(platforms.woocommerce)
		},
		shopifyAttributes,
		platformItemSkus
	};
}

export const GET = endpoint(({ url }) => {
	const parsed = listQuery.safeParse(Object.fromEntries(url.searchParams));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	return json({ ...platformSettings(), inbox: listInbox(runtime().db, parsed.data) });
});

/** Changes the mapping settings: `{ shopifyAttributes?: {...}, platformItemSkus?: {...} }`. */
export const PUT = endpoint(async ({ request }) => {
	const parsed = settingsInput.safeParse(await readJson(request));
	if (!parsed.success) throw invalid(problemsOf(parsed.error));
	writeSettings(runtime().db, parsed.data);
	return json(platformSettings());
});

export const fallback = methodNotAllowed('GET', 'PUT');
