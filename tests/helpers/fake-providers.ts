import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

import {
	COURIER_SIGNATURE_HEADER,
	signCourierPayload
} from '../../src/lib/server/providers/courier';
import type { PaymentIntentStatus } from '../../src/lib/server/providers/payments';
import {
	BAKERY_DELIVERY_HEADER,
	BAKERY_EVENT_HEADER,
	BAKERY_SIGNATURE_HEADER,
	verifyBakerySignature
} from '../../src/lib/server/providers/webhook';

/**
 * Local stand-ins for the providers the shop talks to, each answering in its provider's shape on
 * 127.0.0.1 and a free port, so the adapters are tested over real sockets without the internet.
 * They check what the real ones check (credentials, required fields, state), record what they
 * were sent, and can be told to fail the next few requests for retry tests.
 */

/** What every stand-in returns: where it listens, and how to stop it. */
export interface FakeServer {
	url: string;
	close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Plumbing shared by the HTTP stand-ins

interface FakeRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
}

interface FakeAnswer {
	status: number;
	/** Sent as JSON; nothing is sent when undefined. */
	body?: unknown;
	headers?: Record<string, string>;
}

/** Counts down the requests told to fail, and says with what. */
function failureSwitch() {
	let remaining = 0;
	let failure = 0;
	return {
		arm(count: number, status: number) {
			remaining = count;
			failure = status;
		},
		/** The status this request must fail with, or undefined when none is armed. */
		take(): number | undefined {
			if (remaining === 0) return undefined;
			remaining -= 1;
			return failure;
		}
	};
}

async function serveHttp(handle: (request: FakeRequest) => FakeAnswer): Promise<FakeServer> {
	const server = createServer(async (incoming, outgoing) => {
		let answer: FakeAnswer;
		try {
			const body = await readBody(incoming);
			const request = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', body };
			answer = handle({ ...request, headers: incoming.headers });
		} catch (error) {
			// A bug in a stand-in, shown to the test in the body rather than lost in a log.
			answer = { status: 500, body: { stand_in_error: String(error) } };
		}
		outgoing.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
		outgoing.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
	});
	return listen(server);
}

async function readBody(stream: AsyncIterable<Buffer>): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk);
	return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<FakeServer> {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () => {
			// fetch keeps connections alive; without this, close would wait for them to time out.
			server.closeAllConnections();
			return new Promise((resolve, reject) =>
				server.close((error) => (error ? reject(error) : resolve()))
			);
		}
	};
}

function basicAuth(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function randomId(prefix: string): string {
	return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** Accepts connections and never answers, for timeout tests. */
export async function startSilentServer(): Promise<FakeServer> {
	return listen(createServer(() => {}));
}

// ---------------------------------------------------------------------------------------------
// SMS, shaped like Twilio's Messages resource

export interface FakeSms {
	sid: string;
	to: string;
	from: string;
	body: string;
}

export interface SmsServer extends FakeServer {
	accountSid: string;
	authToken: string;
	messages: FakeSms[];
	/** The next `count` requests answer `status` before any check, as an outage would. */
	failNext(count: number, status?: number): void;
}

/** Twilio's checks in its order, with its error codes. */
const TWILIO_REQUIRED = [
	{ field: 'To', code: 21604, message: "A 'To' phone number is required." },
	{ field: 'From', code: 21603, message: "A 'From' phone number is required." },
	{ field: 'Body', code: 21602, message: 'Message body is required.' }
];

export async function startSmsServer(
	credentials = { accountSid: 'ACbakery', authToken: 'sms-token' }
): Promise<SmsServer> {
	const messages: FakeSms[] = [];
	const failures = failureSwitch();
	const path = `/2010-04-01/Accounts/${credentials.accountSid}/Messages.json`;
	const authorization = basicAuth(credentials.accountSid, credentials.authToken);

	const server = await serveHttp((request) => {
		const failure = failures.take();
		// Twilio's 20xxx codes mirror the HTTP status for generic failures: 20429, 20500.
		if (failure !== undefined) return twilioError(failure, 20_000 + failure, 'Service failure');
		if (request.method !== 'POST' || request.path !== path) {
			return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
		}
		if (request.headers.authorization !== authorization) {
			return twilioError(401, 20003, 'Authenticate');
		}

		const form = new URLSearchParams(request.body);
		const missing = TWILIO_REQUIRED.find(({ field }) => !form.get(field));
		if (missing) return twilioError(400, missing.code, missing.message);

		const message = {
			sid: randomId('SM'),
			to: form.get('To')!,
			from: form.get('From')!,
			body: form.get('Body')!
		};
		messages.push(message);
		return {
			status: 201,
			body: { ...message, account_sid: credentials.accountSid, status: 'queued' }
		};
	});

	return {
		...server,
		...credentials,
		messages,
		failNext: (count, status = 500) => failures.arm(count, status)
	};
}

function twilioError(status: number, code: number, message: string): FakeAnswer {
	const moreInfo = `https://www.twilio.com/docs/errors/${code}`;
	return { status, body: { code, message, more_info: moreInfo, status } };
}

// ---------------------------------------------------------------------------------------------
// Payments, shaped like Stripe's PaymentIntents and Refunds

export interface FakeIntent {
	id: string;
	amount: number;
	currency: string;
	paymentMethod: string;
	captureMethod: 'manual' | 'automatic';
	status: PaymentIntentStatus;
	amountReceived: number;
	amountRefunded: number;
	description: string | null;
}

export interface FakeRefund {
	id: string;
	paymentIntent: string;
	amount: number;
}

export interface PaymentServer extends FakeServer {
	secretKey: string;
	intents: Map<string, FakeIntent>;
	refunds: FakeRefund[];
	/** The next `count` requests answer `status` before any check, and are not remembered. */
	failNext(count: number, status?: number): void;
}

/** Stripe's test payment methods this stand-in knows, and how the issuer answers each. */
const TEST_CARDS = new Map<string, { declineCode: string; message: string } | null>([
	['pm_card_visa', null],
	[
		'pm_card_chargeDeclinedInsufficientFunds',
		{ declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' }
	],
	['pm_card_chargeDeclined', { declineCode: 'generic_decline', message: 'Your card was declined.' }]
]);

const CANCELLABLE: PaymentIntentStatus[] = [
	'requires_payment_method',
	'requires_confirmation',
	'requires_action',
	'processing',
	'requires_capture'
];

interface Remembered {
	/** The request the key was first used with; Stripe refuses the key with other parameters. */
	request: string;
	answer: FakeAnswer;
}

export async function startPaymentServer(secretKey = 'sk_test_bakery'): Promise<PaymentServer> {
	const intents = new Map<string, FakeIntent>();
	const refunds: FakeRefund[] = [];
	const remembered = new Map<string, Remembered>();
	const failures = failureSwitch();

	const route = (request: FakeRequest): FakeAnswer => {
		const form = new URLSearchParams(request.body);
		const action = /^\/v1\/payment_intents\/([^/]+)\/(capture|cancel)$/.exec(request.path);
		if (request.method === 'POST' && request.path === '/v1/payment_intents') {
			return createIntent(form);
		}
		if (request.method === 'POST' && action) {
			const id = decodeURIComponent(action[1]!);
			const intent = intents.get(id);
			if (!intent) return stripeError(404, 'resource_missing', `No such payment_intent: '${id}'`);
			return action[2] === 'capture' ? capture(intent, form) : cancel(intent);
		}
		if (request.method === 'POST' && request.path === '/v1/refunds') return refund(form);
		const unknown = `Unrecognized request URL (${request.method}: ${request.path})`;
		return stripeError(404, 'resource_missing', unknown);
	};

	const createIntent = (form: URLSearchParams): FakeAnswer => {
		const amount = form.get('amount') ?? '';
		if (!/^[1-9]\d*$/.test(amount)) {
			return stripeError(400, 'parameter_invalid_integer', `Invalid integer: ${amount}`, 'amount');
		}
		const currency = form.get('currency') ?? '';
		if (!/^[a-z]{3}$/.test(currency)) {
			const message = `Invalid currency: ${currency}; use a lowercase ISO code`;
			return stripeError(400, 'parameter_invalid_string', message, 'currency');
		}
		const paymentMethod = form.get('payment_method') ?? '';
		if (!TEST_CARDS.has(paymentMethod)) {
			const message = `No such PaymentMethod: '${paymentMethod}'`;
			return stripeError(400, 'resource_missing', message, 'payment_method');
		}

		const intent: FakeIntent = {
			id: randomId('pi_'),
			amount: Number(amount),
			currency,
			paymentMethod,
			captureMethod: form.get('capture_method') === 'manual' ? 'manual' : 'automatic',
			status: 'requires_confirmation',
			amountReceived: 0,
			amountRefunded: 0,
			description: form.get('description')
		};
		intents.set(intent.id, intent);
		return form.get('confirm') === 'true' ? confirm(intent) : ok(intentBody(intent));
	};

	const confirm = (intent: FakeIntent): FakeAnswer => {
		const decline = TEST_CARDS.get(intent.paymentMethod);
		if (decline) {
			intent.status = 'requires_payment_method';
			const error = {
				type: 'card_error',
				code: 'card_declined',
				decline_code: decline.declineCode,
				message: decline.message,
				payment_intent: intentBody(intent)
			};
			return { status: 402, body: { error } };
		}
		if (intent.captureMethod === 'manual') {
			intent.status = 'requires_capture';
		} else {
			intent.status = 'succeeded';
			intent.amountReceived = intent.amount;
		}
		return ok(intentBody(intent));
	};

	const capture = (intent: FakeIntent, form: URLSearchParams): FakeAnswer => {
		if (intent.status !== 'requires_capture') {
			return unexpectedState(intent, 'captured', ['requires_capture']);
		}
		const amount = Number(form.get('amount_to_capture') ?? intent.amount);
		if (amount > intent.amount) {
			const message = `The amount to capture (${amount}) exceeds the authorised ${intent.amount}.`;
			return stripeError(400, 'amount_too_large', message, 'amount_to_capture');
		}
		intent.status = 'succeeded';
		intent.amountReceived = amount;
		return ok(intentBody(intent));
	};

	const cancel = (intent: FakeIntent): FakeAnswer => {
		if (!CANCELLABLE.includes(intent.status)) {
			return unexpectedState(intent, 'canceled', CANCELLABLE);
		}
		intent.status = 'canceled';
		return ok(intentBody(intent));
	};

	const refund = (form: URLSearchParams): FakeAnswer => {
		const id = form.get('payment_intent') ?? '';
		const intent = intents.get(id);
		if (!intent) {
			const message = `No such payment_intent: '${id}'`;
			return stripeError(404, 'resource_missing', message, 'payment_intent');
		}
		if (intent.status !== 'succeeded') {
			const message = 'This PaymentIntent does not have a successful charge to refund.';
			return stripeError(400, 'payment_intent_unexpected_state', message, 'payment_intent');
		}
		const unrefunded = intent.amountReceived - intent.amountRefunded;
		if (unrefunded === 0) {
			return stripeError(400, 'charge_already_refunded', `${intent.id} has already been refunded.`);
		}
		const amount = Number(form.get('amount') ?? unrefunded);
		if (amount > unrefunded) {
			const message = `Refund amount (${amount}) is greater than the unrefunded ${unrefunded}`;
			return stripeError(400, 'amount_too_large', message, 'amount');
		}

		intent.amountRefunded += amount;
		const made = { id: randomId('re_'), paymentIntent: intent.id, amount };
		refunds.push(made);
		const body = { id: made.id, object: 'refund', amount, currency: intent.currency };
		return ok({ ...body, payment_intent: intent.id, status: 'succeeded' });
	};

	/** Same key, same request: the first answer again, marked as a replay the way Stripe does. */
	const idempotent = (key: string, request: FakeRequest): FakeAnswer => {
		const fingerprint = `${request.method} ${request.path} ${request.body}`;
		const earlier = remembered.get(key);
		if (earlier && earlier.request !== fingerprint) {
			const message =
				'Keys for idempotent requests can only be used with the same parameters they were ' +
				`first used with; try a key other than '${key}' for a different request.`;
			return { status: 400, body: { error: { type: 'idempotency_error', message } } };
		}
		if (earlier) return { ...earlier.answer, headers: { 'idempotent-replayed': 'true' } };

		const answer = route(request);
		remembered.set(key, { request: fingerprint, answer });
		return answer;
	};

	const server = await serveHttp((request) => {
		const failure = failures.take();
		if (failure !== undefined) {
			const error = { type: 'api_error', message: 'Service failure' };
			return { status: failure, body: { error } };
		}
		if (request.headers.authorization !== `Bearer ${secretKey}`) {
			const message = 'Invalid API Key provided';
			return { status: 401, body: { error: { type: 'invalid_request_error', message } } };
		}
		const key = request.headers['idempotency-key'];
		return typeof key === 'string' ? idempotent(key, request) : route(request);
	});

	return {
		...server,
		secretKey,
		intents,
		refunds,
		failNext: (count, status = 500) => failures.arm(count, status)
	};
}

function ok(body: unknown): FakeAnswer {
	return { status: 200, body };
}

function stripeError(status: number, code: string, message: string, param?: string): FakeAnswer {
	return { status, body: { error: { type: 'invalid_request_error', code, message, param } } };
}

function unexpectedState(
	intent: FakeIntent,
	verb: string,
	allowed: PaymentIntentStatus[]
): FakeAnswer {
	const message =
		`This PaymentIntent could not be ${verb} because it has a status of ${intent.status}. ` +
		`Only a PaymentIntent with one of the following statuses may be ${verb}: ${allowed.join(', ')}.`;
	return stripeError(400, 'payment_intent_unexpected_state', message);
}

function intentBody(intent: FakeIntent) {
	return {
		id: intent.id,
		object: 'payment_intent',
		amount: intent.amount,
		amount_capturable: intent.status === 'requires_capture' ? intent.amount : 0,
		amount_received: intent.amountReceived,
		capture_method: intent.captureMethod,
		currency: intent.currency,
		description: intent.description,
		payment_method: intent.paymentMethod,
		status: intent.status
	};
}

// ---------------------------------------------------------------------------------------------
// Courier, shaped like DoorDash Drive v2

export interface FakeDelivery {
	/** The create request's JSON body, as the courier received it. */
	request: Record<string, unknown>;
	/** DoorDash's `delivery_status`, moved on by `advance`. */
	status: string;
	trackingUrl: string;
	pickupTimeEstimated: string;
	dropoffTimeEstimated: string;
}

export interface CourierServerOptions {
	/** Where `advance` posts events: the shop's courier webhook endpoint. */
	webhookUrl?: string;
	webhookSecret: string;
	apiKey?: string;
	/** The courier's clock, for event times and signatures. */
	now?: () => number;
}

export interface CourierServer extends FakeServer {
	apiKey: string;
	deliveries: Map<string, FakeDelivery>;
	/** How many times a delivery was asked for, duplicates included. */
	readonly createRequests: number;
	/**
	 * Posts a signed event such as `DASHER_PICKED_UP` for a delivery to `webhookUrl`, with
	 * `extra` fields merged in, and resolves with the status the shop answered.
	 */
	advance(externalId: string, eventName: string, extra?: Record<string, unknown>): Promise<number>;
	/** The next `count` API requests answer `status` before any check. */
	failNext(count: number, status?: number): void;
}

const REQUIRED_DELIVERY_FIELDS = [
	'external_delivery_id',
	'pickup_address',
	'pickup_phone_number',
	'dropoff_address',
	'dropoff_phone_number'
];

/** Where each event leaves the delivery's `delivery_status`. */
const EVENT_STATUS: Record<string, string> = {
	DASHER_CONFIRMED: 'confirmed',
	DASHER_CONFIRMED_PICKUP_ARRIVAL: 'arrived_at_pickup',
	DASHER_PICKED_UP: 'picked_up',
	DASHER_CONFIRMED_DROPOFF_ARRIVAL: 'arrived_at_dropoff',
	DASHER_DROPPED_OFF: 'delivered',
	DELIVERY_CANCELLED: 'cancelled',
	DELIVERY_RETURN_INITIALIZED: 'enroute_to_return',
	DASHER_CONFIRMED_RETURN_ARRIVAL: 'arrived_at_return',
	DELIVERY_RETURNED: 'returned'
};

/** Once a courier has the order in hand, the delivery can no longer be called off. */
const CANCELLABLE_DELIVERY = new Set([
	'created',
	'confirmed',
	'enroute_to_pickup',
	'arrived_at_pickup'
]);

const READY_AFTER_MS = 15 * 60_000;
const RIDE_MS = 30 * 60_000;

export async function startCourierServer(options: CourierServerOptions): Promise<CourierServer> {
	const apiKey = options.apiKey ?? 'courier-key';
	const now = options.now ?? Date.now;
	const deliveries = new Map<string, FakeDelivery>();
	const failures = failureSwitch();
	let url = '';

	let createRequests = 0;
	const create = (body: string): FakeAnswer => {
		createRequests += 1;
		const request = parseObject(body);
		if (!request) return validationError([{ field: 'body', error: 'Must be a JSON object' }]);
		const missing = REQUIRED_DELIVERY_FIELDS.filter((field) => typeof request[field] !== 'string');
		if (missing.length > 0) {
			return validationError(missing.map((field) => ({ field, error: 'This field is required' })));
		}
		const id = request.external_delivery_id as string;
		if (deliveries.has(id)) {
			const message = `A delivery with external_delivery_id ${id} already exists`;
			return { status: 409, body: { code: 'duplicate_delivery_id', message } };
		}

		const pickupAt = Date.parse(String(request.pickup_time)) || now() + READY_AFTER_MS;
		const delivery: FakeDelivery = {
			request,
			status: 'created',
			trackingUrl: `${url}/track/${encodeURIComponent(id)}`,
			pickupTimeEstimated: new Date(pickupAt).toISOString(),
			dropoffTimeEstimated: new Date(pickupAt + RIDE_MS).toISOString()
		};
		deliveries.set(id, delivery);
		return ok(deliveryBody(id, delivery));
	};

	const cancel = (id: string): FakeAnswer => {
		const delivery = deliveries.get(id);
		if (!delivery) {
			return { status: 404, body: { code: 'not_found', message: `No delivery ${id}` } };
		}
		if (!CANCELLABLE_DELIVERY.has(delivery.status)) {
			const message = `Delivery ${id} is ${delivery.status} and can no longer be cancelled`;
			return { status: 409, body: { code: 'cannot_be_cancelled', message } };
		}
		delivery.status = 'cancelled';
		return ok(deliveryBody(id, delivery));
	};

	const server = await serveHttp((request) => {
		const failure = failures.take();
		if (failure !== undefined) {
			return { status: failure, body: { code: 'service_unavailable', message: 'Service failure' } };
		}
		if (request.headers.authorization !== `Bearer ${apiKey}`) {
			return { status: 401, body: { code: 'authentication_error', message: 'Invalid token' } };
		}
		const cancelled = /^\/drive\/v2\/deliveries\/([^/]+)\/cancel$/.exec(request.path);
		if (request.method === 'POST' && request.path === '/drive/v2/deliveries') {
			return create(request.body);
		}
		if (request.method === 'PUT' && cancelled) return cancel(decodeURIComponent(cancelled[1]!));
		return { status: 404, body: { code: 'not_found', message: `No route ${request.path}` } };
	});
	url = server.url;

	const advance = async (externalId: string, eventName: string, extra = {}) => {
		const delivery = deliveries.get(externalId);
		if (!delivery) throw new Error(`courier stand-in: no delivery ${externalId}; create it first`);
		if (!options.webhookUrl) throw new Error('courier stand-in: pass webhookUrl to send events');

		delivery.status = EVENT_STATUS[eventName] ?? delivery.status;
		const event = {
			event_name: eventName,
			created_at: new Date(now()).toISOString(),
			...deliveryBody(externalId, delivery),
			...extra
		};
		const body = JSON.stringify(event);
		const response = await fetch(options.webhookUrl, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				[COURIER_SIGNATURE_HEADER]: signCourierPayload(body, options.webhookSecret, now())
			},
			body
		});
		await response.arrayBuffer();
		return response.status;
	};

	return {
		...server,
		apiKey,
		deliveries,
		get createRequests() {
			return createRequests;
		},
		advance,
		failNext: (count, status = 500) => failures.arm(count, status)
	};
}

function deliveryBody(id: string, delivery: FakeDelivery) {
	return {
		...delivery.request,
		external_delivery_id: id,
		delivery_status: delivery.status,
		tracking_url: delivery.trackingUrl,
		pickup_time_estimated: delivery.pickupTimeEstimated,
		dropoff_time_estimated: delivery.dropoffTimeEstimated,
		support_reference: id.replace(/\W/g, '').slice(0, 12).toUpperCase()
	};
}

function validationError(fieldErrors: { field: string; error: string }[]): FakeAnswer {
	const body = {
		code: 'validation_error',
		message: 'Validation Failed',
		field_errors: fieldErrors
	};
	return { status: 400, body };
}

function parseObject(text: string): Record<string, unknown> | null {
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: null;
	} catch {
		return null;
	}
}

// ---------------------------------------------------------------------------------------------
// A customer's endpoint for the shop's own signed webhooks

export interface ReceivedWebhook {
	event: string | null;
	deliveryId: string | null;
	signature: string | null;
	rawBody: string;
	/** The body parsed as a JSON object, or null when it was not one. */
	body: Record<string, unknown> | null;
	verified: boolean;
}

export interface WebhookReceiverOptions {
	/** Where the signature is read from; the courier's events use their own header. */
	signatureHeader?: string;
	now?: () => number;
}

export interface WebhookReceiver extends FakeServer {
	received: ReceivedWebhook[];
	/** The next `count` webhooks are recorded, then answered `status`. */
	failNext(count: number, status?: number): void;
}

/** Answers 204 to a webhook whose signature verifies with `secret`, 401 to any other. */
export async function startWebhookReceiver(
	secret: string,
	options: WebhookReceiverOptions = {}
): Promise<WebhookReceiver> {
	const signatureHeader = (options.signatureHeader ?? BAKERY_SIGNATURE_HEADER).toLowerCase();
	const now = options.now ?? Date.now;
	const received: ReceivedWebhook[] = [];
	const failures = failureSwitch();

	const server = await serveHttp((request) => {
		const signature = headerValue(request.headers, signatureHeader);
		const verified = verifyBakerySignature(request.body, signature, secret, now());
		received.push({
			event: headerValue(request.headers, BAKERY_EVENT_HEADER),
			deliveryId: headerValue(request.headers, BAKERY_DELIVERY_HEADER),
			signature,
			rawBody: request.body,
			body: parseObject(request.body),
			verified
		});

		const failure = failures.take();
		if (failure !== undefined) return { status: failure, body: { error: 'Service failure' } };
		return verified
			? { status: 204 }
			: { status: 401, body: { error: 'signature does not verify' } };
	});

	return { ...server, received, failNext: (count, status = 500) => failures.arm(count, status) };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
	const value = headers[name.toLowerCase()];
	return typeof value === 'string' ? value : null;
}

// ---------------------------------------------------------------------------------------------
// SMTP

export interface FakeMail {
	/** The envelope sender and recipients: where the server was told to deliver. */
	from: string;
	to: string[];
	subject: string;
	text: string;
	/** Who the client logged in as, or null when it did not. */
	user: string | null;
}

export interface SmtpServer extends FakeServer {
	messages: FakeMail[];
	/** Resolves with the first message, received or yet to come, that `predicate` accepts. */
	waitFor(predicate: (mail: FakeMail) => boolean, timeoutMs?: number): Promise<FakeMail>;
	/**
	 * Rejects the next `count` messages with `code`: 451 (the default) is temporary, so the
	 * sender should try later; 550 is permanent.
	 */
	failNext(count: number, code?: number): void;
}

const SMTP_REPLIES: Record<number, string> = {
	451: '4.3.0 Temporary failure, try again later',
	550: '5.7.1 Message rejected'
};

/** Plain SMTP without TLS; any login is accepted and recorded on the message. */
export async function startSmtpServer(): Promise<SmtpServer> {
	const messages: FakeMail[] = [];
	const waiters = new Set<(mail: FakeMail) => void>();
	const failures = failureSwitch();

	const record = (mail: FakeMail) => {
		messages.push(mail);
		for (const waiter of waiters) waiter(mail);
	};

	const server = new SMTPServer({
		secure: false,
		disabledCommands: ['STARTTLS'],
		authOptional: true,
		// Credentials travel in clear text here; acceptable only because this never leaves 127.0.0.1.
		allowInsecureAuth: true,
		// A reverse DNS lookup of 127.0.0.1 only slows each connection down.
		disableReverseLookup: true,
		logger: false,
		onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
		onData: (stream, session, callback) => {
			const failure = failures.take();
			if (failure !== undefined) {
				// The whole message must be read before the server may answer it.
				stream.resume();
				stream.once('end', () => callback(smtpRejection(failure)));
				return;
			}
			simpleParser(stream).then(
				(parsed) => {
					record(mailOf(session, parsed.subject, parsed.text));
					callback();
				},
				(error: Error) => callback(error)
			);
		}
	});

	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.server.address() as AddressInfo;

	const waitFor = (predicate: (mail: FakeMail) => boolean, timeoutMs = 2_000) => {
		const arrived = messages.find(predicate);
		if (arrived) return Promise.resolve(arrived);
		return new Promise<FakeMail>((resolve, reject) => {
			const waiter = (mail: FakeMail) => {
				if (!predicate(mail)) return;
				clearTimeout(timer);
				waiters.delete(waiter);
				resolve(mail);
			};
			const timer = setTimeout(() => {
				waiters.delete(waiter);
				const subjects = messages.map((mail) => JSON.stringify(mail.subject)).join(', ');
				reject(
					new Error(`no matching mail within ${timeoutMs} ms; received: ${subjects || 'none'}`)
				);
			}, timeoutMs);
			waiters.add(waiter);
		});
	};

	return {
		url: `smtp://127.0.0.1:${port}`,
		close: () => new Promise((resolve) => server.close(() => resolve())),
		messages,
		waitFor,
		failNext: (count, code = 451) => failures.arm(count, code)
	};
}

function mailOf(session: SMTPServerSession, subject = '', text = ''): FakeMail {
	const { mailFrom, rcptTo } = session.envelope;
	return {
		from: mailFrom ? mailFrom.address : '',
		to: rcptTo.map((recipient) => recipient.address),
		subject,
		text,
		user: session.user ?? null
	};
}

function smtpRejection(code: number): Error {
	const reply = SMTP_REPLIES[code] ?? 'Rejected';
	return Object.assign(new Error(reply), { responseCode: code });
}
