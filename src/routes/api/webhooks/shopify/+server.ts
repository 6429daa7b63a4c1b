import { endpoint, methodNotAllowed } from '$lib/server/http';
import { receiveWebhook } from '$lib/server/platforms/receive';
import { runtime } from '$lib/server/runtime';

/** Orders from Shopify: verified, stored and answered at once; made into orders in the background. */
export const POST = endpoint(({ request, getClientAddress }) =>
	receiveWebhook(runtime(), 'shopify', request, getClientAddress())
);

export const fallback = methodNotAllowed('POST');
