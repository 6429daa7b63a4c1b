import { z } from 'zod';

import {
	DEFAULT_TIMEOUT_MS,
	ProviderError,
	callProvider,
	endpointUrl,
	isSuccess,
	readAnswer,
	refusal,
	type ProviderAnswer
} from './errors';

/**
 * Card payments through an API shaped like Stripe's PaymentIntents. An order paid online is
 * authorised when it is placed and captured when it is handed over, so a cancelled order costs the
 * customer nothing; a card at the counter is charged at once.
 *
 * Every call that moves money carries an idempotency key: a retry after a timeout then gets the
 * first answer again instead of charging twice.
 */

const PROVIDER = 'payments';

export interface PaymentConfig {
	/** `https://api.stripe.com`, or a stand-in of the same shape. */
	baseUrl: string;
	secretKey: string;
	timeoutMs?: number;
}

/** Stripe's PaymentIntent statuses; `requires_capture` means authorised and waiting for capture. */
export type PaymentIntentStatus =
	| 'requires_payment_method'
	| 'requires_confirmation'
	| 'requires_action'
	| 'processing'
	| 'requires_capture'
	| 'canceled'
	| 'succeeded';

export interface PaymentIntent {
	id: string;
	status: PaymentIntentStatus;
}

export interface CardPayment {
	amountMinor: number;
	/** ISO 4217, in any case: the API wants it lowercase. */
	currency: string;
	/** A payment method id from the card form or terminal, such as `pm_…`. */
	paymentMethod: string;
	idempotencyKey: string;
	description?: string;
}

export interface Capture {
	idempotencyKey: string;
	/** Less than authorised when part of the order could not be handed over; all of it if unset. */
	amountMinor?: number;
}

export interface RefundRequest {
	paymentIntent: string;
	amountMinor: number;
	idempotencyKey: string;
}

export type RefundStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

export interface Refund {
	id: string;
	status: RefundStatus;
}

export interface PaymentClient {
	/** Holds the amount on the card; the intent answers `requires_capture` when it is held. */
	authorize(payment: CardPayment): Promise<PaymentIntent>;
	/** Takes the money in one step, for a card at the counter; answers `succeeded`. */
	charge(payment: CardPayment): Promise<PaymentIntent>;
	capture(id: string, capture: Capture): Promise<PaymentIntent>;
	/** Releases an authorisation that will not be captured. */
	cancel(id: string): Promise<PaymentIntent>;
	refund(refund: RefundRequest): Promise<Refund>;
}

/** The card was refused; trying the same card again will not help, asking for another might. */
export class PaymentDeclined extends ProviderError {
	/** Why the issuer refused, such as `insufficient_funds`; what staff may tell the customer. */
	readonly declineCode: string;

	constructor(message: string, status: number, declineCode: string) {
		super(message, { provider: PROVIDER, status, code: 'card_declined', retryable: false });
		this.name = 'PaymentDeclined';
		this.declineCode = declineCode;
	}
}

const intentSchema = z.object({
	id: z.string().min(1),
	status: z.enum([
		'requires_payment_method',
		'requires_confirmation',
		'requires_action',
		'processing',
		'requires_capture',
		'canceled',
		'succeeded'
	])
});

const refundSchema = z.object({
	id: z.string().min(1),
	status: z.enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled'])
});

/** Stripe's error body; `decline_code` comes with card errors only. */
const errorSchema = z.object({
	error: z.object({
		type: z.string().optional(),
		code: z.string().optional(),
		decline_code: z.string().optional(),
		message: z.string().optional()
	})
});

type Form = Record<string, string | undefined>;

export function createPaymentClient(config: PaymentConfig): PaymentClient {
	const post = async <T>(
		schema: z.ZodType<T>,
		path: string,
		form: Form,
		idempotencyKey?: string
	): Promise<T> => {
		const answer = await callProvider({
			provider: PROVIDER,
			method: 'POST',
			url: endpointUrl(config.baseUrl, path),
			headers: headersFor(config.secretKey, idempotencyKey),
			body: encodeForm(form),
			timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS
		});
		if (!isSuccess(answer)) throw stripeRefusal(answer);
		return readAnswer(PROVIDER, schema, answer);
	};

	const createIntent = async (payment: CardPayment, captureMethod: 'manual' | 'automatic') => {
		const form = { ...intentForm(payment), capture_method: captureMethod, confirm: 'true' };
		return post(intentSchema, '/v1/payment_intents', form, payment.idempotencyKey);
	};

	// Each call is async so that a bad amount rejects its promise, like any other failure.
	return {
		authorize: (payment) => createIntent(payment, 'manual'),
		charge: (payment) => createIntent(payment, 'automatic'),

		async capture(id, capture) {
			const path = `/v1/payment_intents/${encodeURIComponent(id)}/capture`;
			const amount =
				capture.amountMinor === undefined ? undefined : minorUnits(capture.amountMinor);
			return post(intentSchema, path, { amount_to_capture: amount }, capture.idempotencyKey);
		},

		async cancel(id) {
			return post(intentSchema, `/v1/payment_intents/${encodeURIComponent(id)}/cancel`, {});
		},

		async refund(refund) {
			const form = { payment_intent: refund.paymentIntent, amount: minorUnits(refund.amountMinor) };
			return post(refundSchema, '/v1/refunds', form, refund.idempotencyKey);
		}
	};
}

function intentForm(payment: CardPayment): Form {
	return {
		amount: minorUnits(payment.amountMinor),
		currency: payment.currency.toLowerCase(),
		payment_method: payment.paymentMethod,
		description: payment.description
	};
}

function headersFor(secretKey: string, idempotencyKey: string | undefined): Record<string, string> {
	const headers: Record<string, string> = {
		authorization: `Bearer ${secretKey}`,
		'content-type': 'application/x-www-form-urlencoded'
	};
	if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
	return headers;
}

function encodeForm(form: Form): string {
	const fields = Object.entries(form).filter(
		(entry): entry is [string, string] => entry[1] !== undefined
	);
	return new URLSearchParams(fields).toString();
}

/**
 * An amount as the API wants it, checked here because the API would read 12.5 as an error and a
 * float here means a price was computed wrongly upstream.
 */
function minorUnits(amountMinor: number): string {
	if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
		throw new RangeError(
			`amountMinor must be a positive whole number of minor units (cents), not ${amountMinor}`
		);
	}
	return String(amountMinor);
}

/** A card error becomes PaymentDeclined; anything else a ProviderError with Stripe's own code. */
function stripeRefusal(answer: ProviderAnswer): ProviderError {
	const said = errorSchema.safeParse(answer.body).data?.error;
	if (said?.type === 'card_error') {
		const declineCode = said.decline_code ?? said.code ?? 'card_declined';
		const words = said.message ?? 'no reason given';
		const message = `${PROVIDER} declined the card (${declineCode}): ${words}`;
		return new PaymentDeclined(message, answer.status, declineCode);
	}
	return refusal(PROVIDER, answer.status, {
		code: said?.code ?? said?.type,
		message: said?.message
	});
}
