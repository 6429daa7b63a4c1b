import { z } from 'zod';

import { invalid } from '../errors';
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
 * Deliveries through a courier service with an API shaped like DoorDash Drive v2: the shop asks
 * for a courier to collect an order at a time, and hears back through webhooks as the courier is
 * assigned, picks up and drops off.
 *
 * The courier's webhooks are signed the way the shop signs its own (see webhook.ts), so both
 * checks are one implementation under two names.
 */

export {
	signBakeryPayload as signCourierPayload,
	verifyBakerySignature as verifyCourierSignature
} from './webhook';

/** The header the courier's signature arrives in. */
export const COURIER_SIGNATURE_HEADER = 'X-Courier-Signature';

const PROVIDER = 'courier';

export interface CourierConfig {
	/** `https://openapi.doordash.com`, or a stand-in of the same shape. */
	baseUrl: string;
	apiKey: string;
	timeoutMs?: number;
}

export interface DeliveryRequest {
	/** Our id for the delivery; the courier refuses a second delivery with the same one. */
	externalId: string;
	pickup: { businessName: string; address: string; phone: string };
	dropoff: { name: string; address: string; phone: string };
	/** When the order will be packed and ready at the counter, epoch ms. */
	pickupTime: number;
	/** When the customer wants it at the door, epoch ms, half-open. */
	dropoffWindow?: { from: number; to: number };
	/** What the order is worth, for the courier's insurance; in the shop's currency. */
	orderValueMinor: number;
}

export type CourierState =
	'created' | 'assigned' | 'picked_up' | 'delivered' | 'failed' | 'cancelled';

export interface CourierDelivery {
	externalId: string;
	state: CourierState;
	/** A page the customer can follow; null until the courier offers one. */
	trackingUrl: string | null;
	/** When the courier expects to be at the shop, and at the door, epoch ms; null if unsaid. */
	pickupEta: number | null;
	dropoffEta: number | null;
}

export interface CourierClient {
	createDelivery(request: DeliveryRequest): Promise<CourierDelivery>;
	/** Refused (not retryable) once the courier has picked the order up. */
	cancelDelivery(externalId: string): Promise<void>;
}

/** Every `delivery_status` the API reports, folded into the few states the shop acts on. */
const STATUS_STATES = {
	created: 'created',
	confirmed: 'assigned',
	enroute_to_pickup: 'assigned',
	arrived_at_pickup: 'assigned',
	picked_up: 'picked_up',
	enroute_to_dropoff: 'picked_up',
	arrived_at_dropoff: 'picked_up',
	delivered: 'delivered',
	enroute_to_return: 'failed',
	arrived_at_return: 'failed',
	returned: 'failed',
	cancelled: 'cancelled'
} as const satisfies Record<string, CourierState>;

type DeliveryStatus = keyof typeof STATUS_STATES;

const isoInstant = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));

const deliverySchema = z.object({
	external_delivery_id: z.string().min(1),
	delivery_status: z.enum(Object.keys(STATUS_STATES) as [DeliveryStatus, ...DeliveryStatus[]]),
	tracking_url: z.string().nullish(),
	pickup_time_estimated: isoInstant.nullish(),
	dropoff_time_estimated: isoInstant.nullish()
});

/** DoorDash's error body, such as `{ code: 'duplicate_delivery_id', message: … }`. */
const errorSchema = z.object({ code: z.string().optional(), message: z.string().optional() });

export function createCourierClient(config: CourierConfig): CourierClient {
	const send = async (method: 'POST' | 'PUT', path: string, body?: unknown) => {
		const answer = await callProvider({
			provider: PROVIDER,
			method,
			url: endpointUrl(config.baseUrl, path),
			headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
			timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS
		});
		if (!isSuccess(answer)) throw courierRefusal(answer);
		return answer;
	};

	return {
		async createDelivery(request) {
			const answer = await send('POST', '/drive/v2/deliveries', deliveryBody(request));
			return toDelivery(readAnswer(PROVIDER, deliverySchema, answer));
		},

		async cancelDelivery(externalId) {
			await send('PUT', `/drive/v2/deliveries/${encodeURIComponent(externalId)}/cancel`);
		}
	};
}

function deliveryBody(request: DeliveryRequest): Record<string, unknown> {
	const window = request.dropoffWindow;
	return {
		external_delivery_id: request.externalId,
		pickup_business_name: request.pickup.businessName,
		pickup_address: request.pickup.address,
		pickup_phone_number: request.pickup.phone,
		pickup_time: new Date(request.pickupTime).toISOString(),
		dropoff_contact_given_name: request.dropoff.name,
		dropoff_address: request.dropoff.address,
		dropoff_phone_number: request.dropoff.phone,
		dropoff_window: window && {
			start_time: new Date(window.from).toISOString(),
			end_time: new Date(window.to).toISOString()
		},
		order_value: request.orderValueMinor
	};
}

function toDelivery(answer: z.infer<typeof deliverySchema>): CourierDelivery {
	return {
		externalId: answer.external_delivery_id,
		state: STATUS_STATES[answer.delivery_status],
		trackingUrl: answer.tracking_url ?? null,
		pickupEta: answer.pickup_time_estimated ?? null,
		dropoffEta: answer.dropoff_time_estimated ?? null
	};
}

function courierRefusal(answer: ProviderAnswer): ProviderError {
	const said = errorSchema.safeParse(answer.body).data;
	return refusal(PROVIDER, answer.status, { code: said?.code, message: said?.message });
}

/** The states a webhook can move a delivery to; it is `created` before any arrives. */
export type CourierEventState = Exclude<CourierState, 'created'>;

export interface CourierEvent {
	externalId: string;
	state: CourierEventState;
	/** When the courier says it happened, epoch ms; later events win over earlier ones. */
	at: number;
	courierName?: string;
	pickupEta?: number;
	dropoffEta?: number;
	/** Why a delivery was cancelled or returned, in the courier's words. */
	reason?: string;
}

/**
 * The webhook events the shop follows. Arrivals at the shop or the door only refine a state the
 * shop already shows; a return means the customer did not get the order, so it counts as failed.
 */
const EVENT_STATES = {
	DASHER_CONFIRMED: 'assigned',
	DASHER_CONFIRMED_PICKUP_ARRIVAL: 'assigned',
	DASHER_PICKED_UP: 'picked_up',
	DASHER_CONFIRMED_DROPOFF_ARRIVAL: 'picked_up',
	DASHER_DROPPED_OFF: 'delivered',
	DELIVERY_CANCELLED: 'cancelled',
	DELIVERY_RETURN_INITIALIZED: 'failed',
	DASHER_CONFIRMED_RETURN_ARRIVAL: 'failed',
	DELIVERY_RETURNED: 'failed'
} as const satisfies Record<string, CourierEventState>;

type EventName = keyof typeof EVENT_STATES;
const EVENT_NAMES = Object.keys(EVENT_STATES) as [EventName, ...EventName[]];

/** Only the fields the shop reads: the courier sends many more, and may add others. */
const eventSchema = z.object({
	event_name: z.enum(EVENT_NAMES, {
		error: (issue) => `is ${JSON.stringify(issue.input)}; expected one of ${EVENT_NAMES.join(', ')}`
	}),
	external_delivery_id: z.string().min(1),
	created_at: isoInstant,
	dasher_name: z.string().nullish(),
	pickup_time_estimated: isoInstant.nullish(),
	dropoff_time_estimated: isoInstant.nullish(),
	cancellation_reason: z.string().nullish()
});

/**
 * Reads a courier webhook body (already verified and parsed as JSON). A body the shop cannot use
 * is an AppError 400 naming each field at fault, so the endpoint can answer with it as it is.
 */
export function parseCourierEvent(json: unknown): CourierEvent {
	const parsed = eventSchema.safeParse(json);
	if (!parsed.success) {
		throw invalid(
			parsed.error.issues.map((issue) => ({
				field: issue.path.join('.') || 'body',
				message: issue.message
			}))
		);
	}

	const event = parsed.data;
	return {
		externalId: event.external_delivery_id,
		state: EVENT_STATES[event.event_name],
		at: event.created_at,
		courierName: event.dasher_name ?? undefined,
		pickupEta: event.pickup_time_estimated ?? undefined,
		dropoffEta: event.dropoff_time_estimated ?? undefined,
		reason: event.cancellation_reason ?? undefined
	};
}
