import { z } from 'zod';

import {
	DEFAULT_TIMEOUT_MS,
	callProvider,
	endpointUrl,
	isSuccess,
	readAnswer,
	refusal,
	type ProviderAnswer,
	type ProviderError
} from './errors';

/**
 * Square's Orders API, for the one call the shop makes: its order webhooks carry only an id and
 * a version, so the order is read with Retrieve Order (`GET /v2/orders/{order_id}`).
 */

const PROVIDER = 'square';

export interface SquareConfig {
	/** `https://connect.squareup.com` (or the sandbox, or a stand-in of the same shape). */
	baseUrl: string;
	accessToken: string;
	/** Sent as `Square-Version`, so Square answers in the shape this adapter reads. */
	apiVersion: string;
	timeoutMs?: number;
}

export interface SquareClient {
	/** The order as Square holds it now, left for the mapper to read. */
	retrieveOrder(orderId: string): Promise<{ id: string; version: number | null; raw: unknown }>;
}

const answerSchema = z.object({
	order: z.looseObject({ id: z.string().min(1), version: z.number().int().nullish() })
});

/** Square's error body: `{ errors: [{ category, code, detail, field }] }`. */
const errorSchema = z.object({
	errors: z.array(z.object({ code: z.string().optional(), detail: z.string().optional() }))
});

export function createSquareClient(config: SquareConfig): SquareClient {
	return {
		async retrieveOrder(orderId) {
			const answer = await callProvider({
				provider: PROVIDER,
				method: 'GET',
				url: endpointUrl(config.baseUrl, `/v2/orders/${encodeURIComponent(orderId)}`),
				headers: {
					authorization: `Bearer ${config.accessToken}`,
					'square-version': config.apiVersion,
					accept: 'application/json'
				},
				timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS
			});
			if (!isSuccess(answer)) throw squareRefusal(answer);
			const { order } = readAnswer(PROVIDER, answerSchema, answer);
			return { id: order.id, version: order.version ?? null, raw: order };
		}
	};
}

function squareRefusal(answer: ProviderAnswer): ProviderError {
	const first = errorSchema.safeParse(answer.body).data?.errors[0];
	return refusal(PROVIDER, answer.status, { code: first?.code, message: first?.detail });
}
