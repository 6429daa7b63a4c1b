import { createHash } from 'node:crypto';
import http from 'node:http';

import Database from 'better-sqlite3';
import * as devalue from 'devalue';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseShopTime } from '../../src/lib/domain/shop-time';
import { readJson } from '../../src/lib/server/http';
import { orderInput } from '../../src/lib/server/orders/input';
import { ratingInput } from '../../src/lib/server/orders/rating';
import { signCourierPayload } from '../../src/lib/server/providers/courier';
import { startCourierServer, type CourierServer } from '../helpers/fake-providers';
import { sendRaw, type RawAnswer, type RawRequest } from '../helpers/raw-http';
import { firstSlot, postJson, startServer, type RunningServer } from '../helpers/server';

/*
 * 10,000 hostile requests to every endpoint the public can reach. Each must be answered with a
 * 4xx that says what was wrong, never a 5xx, and the database must be the same afterwards.
 */

const CASES = 10_000;
const CONCURRENCY = 8;
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);
const COURIER_SECRET = 'fuzz-courier-secret-0123456789';
const ZONE = 'Europe/London';

/** What the fuzz needs to know about the running shop to aim its cases. */
interface Shop {
	origin: string;
	pickupAt: string;
	skus: Set<string>;
	/** A handed-over order: a valid score would change it, so none is ever sent. */
	completedToken: string;
	/** An order not handed over yet: rating it is refused. */
	openToken: string;
}

/** A request and why it must be refused, so a failing case says what it tried. */
interface Probe {
	target: string;
	request: RawRequest;
	/** For order bodies: why this one cannot be a valid order (asserted before sending). */
	broken?: string;
}

/**
 * How an endpoint answers a refusal: `json` in the API's error shape, `page` as an HTML error
 * page, `action` as a SvelteKit form action (HTML for a form post, its JSON result for
 * `use:enhance`).
 */
type AnswerKind = 'json' | 'page' | 'action';

interface Target {
	name: string;
	answer: AnswerKind;
	/** Reads without parameters ignore a junk query and may answer it 200. */
	allows2xx?: boolean;
	probes(shop: Shop): fc.Arbitrary<RawRequest>;
}

// ---------------------------------------------------------------------------------------------
// Hostile pieces

const JSON_TYPE = 'application/json';
const CONTENT_TYPES = [
	undefined,
	'',
	'text/plain',
	'application/x-www-form-urlencoded',
	'multipart/form-data; boundary=fuzz',
	'application/jsonx',
	'application/json; charset=latin1',
	'application/vnd.api+json',
	'image/png',
	'json',
	';;;'
];

const ORIGINS = ['null', 'http://evil.example', 'https://127.0.0.1.evil.example', ' ', 'file://'];
const HOSTS = ['', 'evil.example', '[::1', '127.0.0.1:99999', 'a'.repeat(2000), '..', '%00'];

const asciiText = (maxLength: number) =>
	fc.string({
		unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
		maxLength
	});

/** Text that survives as a header value (node refuses control characters before sending). */
const headerText = asciiText(200);

const deep = (depth: number, open: string, close: string, middle = '1') =>
	open.repeat(depth) + middle + close.repeat(depth);

/** JSON text that is valid JSON but of every wrong shape, and text that is not JSON at all. */
const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
	fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null'),
	fc.constantFrom(
		'null',
		'true',
		'0',
		'-0',
		'""',
		'[]',
		'{}',
		'"{}"',
		'NaN',
		'Infinity',
		'-Infinity',
		'1e999',
		'undefined',
		'{"__proto__": {"admin": true}}',
		'{"constructor": {"prototype": {"admin": true}}}',
		'{"__proto__": null, "customer": 1}',
		'{"a": 1, "a": 2}',
		'{"lines": {"length": 1e9}}',
		'[1, 2,]',
		"{'single': 'quotes'}",
		'{"a": "\\ud800"}',
		'{"a": "\\u0000"}',
		'\ufeff{}',
		'  \n\t ',
		'{'
	),
	fc.integer({ min: 1000, max: 20_000 }).map((depth) => deep(depth, '[', ']')),
	fc.integer({ min: 1000, max: 5000 }).map((depth) => deep(depth, '{"a":', '}')),
	fc.integer({ min: 10_000, max: 100_000 }).map((count) => `[${'1,'.repeat(count)}1]`),
	fc.string({ maxLength: 200 }),
	fc.constant(`"${'x'.repeat(600_000)}"`)
);

/** A body as bytes: hostile JSON text, invalid UTF-8, or random bytes. */
const hostileBytes: fc.Arbitrary<Buffer> = fc.oneof(
	{ weight: 4, arbitrary: hostileJsonText.map((text) => Buffer.from(text)) },
	fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
	fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
	fc.constant(Buffer.alloc(0))
);

/** Headers a hostile client adds: wrong or missing Content-Type, a foreign Origin or Host. */
function hostileHeaders(contentType: fc.Arbitrary<string | undefined>) {
	return fc
		.record(
			{
				'content-type': contentType,
				origin: fc.constantFrom(...ORIGINS),
				host: fc.constantFrom(...HOSTS),
				'idempotency-key': fc.oneof(headerText, fc.constant('k'.repeat(300))),
				accept: fc.constantFrom('*/*', 'text/html', JSON_TYPE, 'image/*;q=0.1')
			},
			{ requiredKeys: [] }
		)
		.map((headers) =>
			Object.fromEntries(Object.entries(headers).filter((entry) => entry[1] !== undefined))
		) as fc.Arbitrary<Record<string, string>>;
}

const anyContentType = fc.oneof(
	{ weight: 3, arbitrary: fc.constant<string | undefined>(JSON_TYPE) },
	fc.constantFrom(...CONTENT_TYPES)
);

/** A path segment as a hostile link would carry it: traversal, encodings, lengths. */
const hostileSegment = fc.oneof(
	fc.string({ maxLength: 80 }).map(encodeURIComponent),
	fc.constantFrom(
		'..%2F..%2Fetc%2Fpasswd',
		'%00',
		'%E0%A4%A',
		'%',
		'%ff%fe',
		'a'.repeat(5000),
		'0',
		'-1',
		'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%20',
		'%3Cscript%3E'
	),
	asciiText(64).filter((text) => !/[\s?#/%]/.test(text))
);

const hostileQuery = fc
	.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 })), { maxLength: 4 })
	.map((pairs) =>
		pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
	);

const OTHER_METHODS = ['PUT', 'DELETE', 'PATCH', 'OPTIONS'];

// ---------------------------------------------------------------------------------------------
// Orders: mutations of a valid order, each breaking at least one field

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function validOrder(shop: Shop): Record<string, Json> {
	return {
		customer: { name: 'Fuzz Tester', email: 'fuzz@example.com', phone: '+44 7700 900123' },
		fulfillment: { type: 'pickup', at: shop.pickupAt },
		lines: [{ sku: 'COFFEE', quantity: 1, note: 'hot' }],
		note: ''
	};
}

const PATHS = [
	['customer'],
	['customer', 'name'],
	['customer', 'email'],
	['customer', 'phone'],
	['fulfillment'],
	['fulfillment', 'type'],
	['fulfillment', 'at'],
	['lines'],
	['lines', 0],
	['lines', 0, 'sku'],
	['lines', 0, 'quantity'],
	['lines', 0, 'modifiers'],
	['lines', 0, 'note'],
	['note'],
	['channel'],
	['payment'],
	['notify'],
	['externalId'],
	['clientPlacedAt']
] as const;

/** Values that break the field at each path on their own. */
const BREAKERS: Record<string, Json[]> = {
	'customer.name': ['', '   ', '\u200b\u200b', '!!!', 'x'.repeat(121), 7, null, ['Ana']],
	'customer.email': ['not-an-email', 'a@', `${'a'.repeat(250)}@example.com`, 12, {}],
	'customer.phone': ['call me', '+', '1'.repeat(30), 447700900123, true],
	'fulfillment.type': ['collect', 'PICKUP', '', null, 1],
	'fulfillment.at': [
		'',
		'tomorrow',
		'2024-02-30T12:00',
		'2024-13-01T12:00',
		'2000-01-01T12:00',
		'9999-12-31T12:00',
		'2025-03-30T01:30',
		'2024-06-14T25:00',
		'2024-06-14T12:00+25:00',
		'x'.repeat(41),
		1718366400000,
		null
	],
	'lines.0.sku': ['', 'NO-SUCH-BAKE', 'coffee ', 'x'.repeat(65), 1, null, ['COFFEE']],
	'lines.0.quantity': [0, -1, 501, 1.5, 1e300, '2', '1', null, true, [1], { n: 1 }],
	'lines.0.modifiers': ['hot', [''], ['x'.repeat(61)], Array(11).fill('a'), [1], {}],
	'lines.0.note': [1, 'x'.repeat(201), ['a']],
	note: [1, 'x'.repeat(501), {}],
	channel: ['telepathy', 'POS', 'Online', '', 1, null],
	payment: [{ method: 'cash' }, { method: 'card' }, { method: 'card', token: '' }, 'card', 1],
	notify: ['email', ['fax'], ['email', 'sms', 'email'], {}],
	externalId: [1, 'x'.repeat(129), {}],
	clientPlacedAt: [1, 'x'.repeat(41)],
	customer: ['Ana', null, [], { name: 'Ana', extra: 1 }],
	fulfillment: ['pickup', null, { type: 'delivery' }, { type: 'pickup', address: {} }],
	lines: [[], null, 'COFFEE', Array(101).fill({ sku: 'COFFEE', quantity: 1 }), [null]],
	'lines.0': [null, 'COFFEE', [], { sku: 'COFFEE' }]
};

const UNKNOWN_KEYS = ['__proto__', 'constructor', 'prototype', 'admin', 'status', 'totalMinor', ''];

function setAt(
	root: Record<string, Json>,
	path: readonly (string | number)[],
	value: Json | undefined
) {
	let node = root as Record<string | number, Json>;
	for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
	const last = path[path.length - 1]!;
	if (value === undefined) delete node[last];
	else node[last] = value;
}

/** Text of `order` with `raw` written literally at the one `"@@RAW@@"` placeholder. */
function withRaw(order: Record<string, Json>, raw: string): string {
	return JSON.stringify(order).replace('"@@RAW@@"', raw);
}

/** One mutation of the valid order, as JSON text, and what it broke. */
function orderMutation(shop: Shop): fc.Arbitrary<{ text: string; what: string }> {
	const clone = () => structuredClone(validOrder(shop));
	const pathKey = (path: readonly (string | number)[]) => path.join('.');

	const replaced = fc
		.constantFrom(...Object.keys(BREAKERS))
		.chain((key) => fc.constantFrom(...BREAKERS[key]!).map((value) => ({ key, value })))
		.map(({ key, value }) => {
			const order = clone();
			setAt(
				order,
				key.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
				value
			);
			return {
				text: JSON.stringify(order),
				what: `${key} = ${JSON.stringify(value)?.slice(0, 40)}`
			};
		});

	const required = [
		['customer'],
		['customer', 'name'],
		['fulfillment'],
		['fulfillment', 'type'],
		['lines'],
		['lines', 0, 'sku'],
		['lines', 0, 'quantity']
	] as const;
	const removed = fc.constantFrom(...required).map((path) => {
		const order = clone();
		setAt(order, path, undefined);
		return { text: JSON.stringify(order), what: `${pathKey(path)} removed` };
	});

	const objects = [[], ['customer'], ['fulfillment'], ['lines', 0]] as const;
	const extra = fc
		.tuple(
			fc.constantFrom(...objects),
			fc.constantFrom(...UNKNOWN_KEYS),
			fc.jsonValue({ maxDepth: 2 })
		)
		.map(([path, key, value]) => {
			const order = clone();
			const text = JSON.stringify(order);
			// Written into the text so that "__proto__" arrives as a key, as JSON.parse reads it.
			const json = JSON.stringify(value) ?? 'null';
			const target =
				path.length === 0 ? '{' : path[0] === 'lines' ? '"lines":[{' : `"${path[0]}":{`;
			return {
				text: text.replace(target, `${target}${JSON.stringify(key)}:${json},`),
				what: `extra ${key} in ${pathKey(path) || 'body'}`
			};
		});

	const randomType = fc
		.tuple(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 2 }))
		.map(([path, value]) => {
			const order = clone();
			setAt(order, path, value as Json);
			return {
				text: JSON.stringify(order),
				what: `${pathKey(path)} = random ${JSON.stringify(value)?.slice(0, 40)}`
			};
		})
		// A random value may happen to fit (null for an optional field): keep only the misfits.
		.filter(({ text }) => !orderInput.safeParse(JSON.parse(text)).success);

	const literal = fc
		.constantFrom('1.0', '1e0', '2.5', '1e999', '-0', 'NaN', 'Infinity', '0x1', '01', '1_000')
		.map((raw) => {
			const order = clone();
			setAt(order, ['lines', 0, 'quantity'], '@@RAW@@');
			return { text: withRaw(order, raw), what: `lines[0].quantity written as ${raw}` };
		});

	const unknownSku = fc.string({ minLength: 1, maxLength: 20 }).map((suffix) => {
		const order = clone();
		setAt(order, ['lines', 0, 'sku'], `NO-SUCH-${suffix}`);
		return { text: JSON.stringify(order), what: 'unknown product' };
	});

	const hugeText = fc
		.constantFrom(['customer', 'name'], ['note'], ['lines', 0, 'note'])
		.map((path) => {
			const order = clone();
			setAt(order, path, 'y'.repeat(200_000));
			return { text: JSON.stringify(order), what: `${pathKey(path)} of 200,000 characters` };
		});

	return fc.oneof(replaced, removed, extra, randomType, literal, unknownSku, hugeText);
}

/**
 * Why `text` is not an order the shop would take, read the way the server reads it, or
 * undefined when the mutation left a valid order (a bug in the fuzz, which fails the test).
 */
async function whyBroken(shop: Shop, text: string): Promise<string | undefined> {
	let body: unknown;
	try {
		const request = new Request('http://fuzz.test/', {
			method: 'POST',
			headers: { 'content-type': JSON_TYPE },
			body: text
		});
		body = await readJson(request);
	} catch {
		return 'unreadable';
	}
	const parsed = orderInput.safeParse(body);
	if (!parsed.success) return 'schema';
	if (parsed.data.lines.some((line) => !shop.skus.has(line.sku))) return 'unknown product';
	const at = parsed.data.fulfillment.at;
	if (at !== undefined) {
		const time = parseShopTime(at, ZONE);
		const year = 365 * 24 * 3600_000;
		if (!time.ok || time.instant < Date.now() || time.instant > Date.now() + year) return 'time';
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------------
// The endpoints: extend this table as endpoints open to the public (sign-in, screen pairing)

const post = (
	path: string,
	headers: fc.Arbitrary<Record<string, string>>,
	body: fc.Arbitrary<Buffer>
) =>
	fc
		.tuple(headers, body)
		.map(([h, b]): RawRequest => ({ method: 'POST', path, headers: h, body: b }));

const otherMethod = (path: string) =>
	fc.constantFrom(...OTHER_METHODS).map((method): RawRequest => ({ method, path, headers: {} }));

const TARGETS: Target[] = [
	{
		name: 'POST /api/orders (mutated order)',
		answer: 'json',
		probes: (shop) =>
			fc
				.tuple(orderMutation(shop), hostileHeaders(fc.constant(JSON_TYPE)))
				.map(([mutation, headers]) => ({
					method: 'POST',
					path: '/api/orders',
					headers: { ...headers, 'content-type': JSON_TYPE },
					body: Buffer.from(mutation.text),
					mutation: mutation.what
				}))
	},
	{
		name: 'POST /api/orders (hostile body)',
		answer: 'json',
		probes: () =>
			fc.oneof(
				{ weight: 9, arbitrary: post('/api/orders', hostileHeaders(anyContentType), hostileBytes) },
				otherMethod('/api/orders')
			)
	},
	{
		name: 'GET /api/slots',
		answer: 'json',
		probes: () =>
			fc
				.tuple(
					hostileQuery,
					fc.oneof(
						fc
							.constantFrom('2024-6-1', '2024-02-30', '2024-13-01', 'today', '', '9'.repeat(300))
							.map((v) => `date=${encodeURIComponent(v)}`),
						fc
							.constantFrom('0', '15', '-1', '1.5', 'abc', '1e3', '', ' ', 'Infinity', 'NaN', '0x2')
							.map((v) => `days=${encodeURIComponent(v)}`),
						fc
							.constantFrom(
								'CROISSANT',
								'X:0',
								':1',
								'A:1000',
								'A:1,B',
								'A:501',
								'A:-1',
								'%00:1',
								'A B:1'
							)
							.map((v) => `lines=${encodeURIComponent(v)}`)
					)
				)
				// The broken parameter goes last: a repeated name takes its last value.
				.map(([junk, broken]): RawRequest => ({
					method: 'GET',
					path: `/api/slots?${[...junk, broken].join('&')}`,
					headers: {}
				}))
	},
	{
		name: 'GET /api/products',
		answer: 'json',
		allows2xx: true,
		probes: () =>
			fc.oneof(
				{
					weight: 4,
					arbitrary: fc
						.tuple(hostileQuery, hostileHeaders(fc.constant(undefined)))
						.map(([query, headers]): RawRequest => ({
							method: 'GET',
							path: `/api/products?${query.join('&')}`,
							headers
						}))
				},
				post('/api/products', hostileHeaders(anyContentType), hostileBytes),
				otherMethod('/api/products')
			)
	},
	{
		name: 'GET /track/[token]',
		answer: 'page',
		probes: () =>
			fc.tuple(hostileSegment, hostileQuery).map(([token, query]): RawRequest => ({
				method: 'GET',
				path: `/track/${token}?${query.join('&')}`,
				headers: { accept: 'text/html' }
			}))
	},
	{
		name: 'GET /rate/[token]',
		answer: 'page',
		probes: () =>
			fc
				.tuple(hostileSegment, fc.constantFrom('1', '5', '0', '99', 'x', ''))
				.map(([token, score]): RawRequest => ({
					method: 'GET',
					path: `/rate/${token}?score=${score}`,
					headers: { accept: 'text/html' }
				}))
	},
	{
		name: 'POST /rate/[token] (rating form)',
		answer: 'action',
		probes: (shop) => {
			const badScore = fc
				.record(
					{
						score: fc.oneof(
							fc.constantFrom(
								'0',
								'6',
								'2.5',
								'five',
								'-1',
								'1e1',
								'Infinity',
								'',
								'0x3',
								'3e0',
								'3.0'
							),
							fc.string({ maxLength: 10 })
						),
						comment: fc.oneof(fc.string({ maxLength: 50 }), fc.constant('c'.repeat(501)))
					},
					{ requiredKeys: ['comment'] }
				)
				.filter((form) => !ratingInput.safeParse(form).success);
			const validScore = fc.record({
				score: fc.constantFrom('1', '3', '5'),
				comment: fc.constant('')
			});
			// A valid score only where it must be refused: an order not handed over, or no order.
			const aimed = fc.oneof(
				badScore.map((form) => ({ token: shop.completedToken, form })),
				validScore.map((form) => ({ token: shop.openToken, form })),
				fc.tuple(hostileSegment, validScore).map(([token, form]) => ({ token, form }))
			);
			return fc
				.tuple(
					aimed,
					fc.constantFrom(JSON_TYPE, 'text/html'),
					fc.constantFrom('form', 'json', 'foreign')
				)
				.map(([{ token, form }, accept, style]): RawRequest => {
					const encoded = new URLSearchParams(form as Record<string, string>).toString();
					if (style === 'json') {
						return {
							method: 'POST',
							path: `/rate/${token}`,
							headers: { accept, origin: shop.origin, 'content-type': JSON_TYPE },
							body: Buffer.from(JSON.stringify(form))
						};
					}
					const origin = style === 'foreign' ? 'http://evil.example' : shop.origin;
					return {
						method: 'POST',
						path: `/rate/${token}`,
						headers: { accept, origin, 'content-type': 'application/x-www-form-urlencoded' },
						body: Buffer.from(encoded)
					};
				});
		}
	},
	{
		name: 'POST /api/session (sign-in)',
		answer: 'json',
		probes: () => {
			// Well-formed guesses (wrong names, wrong secrets, PIN-shaped) and malformed bodies.
			const guess = fc
				.record({
					name: fc.oneof(
						fc.constantFrom('Manager', 'Test Manager', 'sam', ''),
						fc.string({ maxLength: 80 })
					),
					secret: fc.oneof(
						fc.stringMatching(/^\d{4}$/),
						fc.constantFrom('', 'password', 'test-manager-passwor', 'x'.repeat(201)),
						fc.string({ maxLength: 30 })
					)
				})
				.map((body) => Buffer.from(JSON.stringify(body)));
			const wrongShape = fc
				.oneof(
					fc.constant({ name: 'Test Manager' }),
					fc.constant({ secret: 'test-manager-password' }),
					fc.record({ name: fc.anything(), secret: fc.anything() }),
					fc.constant({ name: 'Test Manager', secret: 'test-manager-password', role: 'manager' })
				)
				.map((body) => Buffer.from(JSON.stringify(body) ?? 'null'));
			return fc.oneof(
				{
					weight: 3,
					arbitrary: post('/api/session', fc.constant({ 'content-type': JSON_TYPE }), guess)
				},
				{
					weight: 3,
					arbitrary: post('/api/session', fc.constant({ 'content-type': JSON_TYPE }), wrongShape)
				},
				{
					weight: 3,
					arbitrary: post('/api/session', hostileHeaders(anyContentType), hostileBytes)
				},
				{ weight: 1, arbitrary: otherMethod('/api/session').filter((r) => r.method !== 'DELETE') }
			);
		}
	},
	{
		name: 'POST /api/pair (screen pairing)',
		answer: 'json',
		probes: () => {
			const code = fc
				.oneof(
					fc.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/),
					fc.constantFrom('', '    ', 'ABCD-EFGH', 'a'.repeat(21)),
					fc.anything()
				)
				.map((value) => Buffer.from(JSON.stringify({ code: value }) ?? 'null'));
			return fc.oneof(
				{
					weight: 5,
					arbitrary: post('/api/pair', fc.constant({ 'content-type': JSON_TYPE }), code)
				},
				{ weight: 4, arbitrary: post('/api/pair', hostileHeaders(anyContentType), hostileBytes) },
				{ weight: 1, arbitrary: otherMethod('/api/pair') }
			);
		}
	},
	{
		name: 'POST /api/webhooks/{shopify,square,woocommerce}',
		answer: 'json',
		probes: () =>
			fc
				.tuple(
					fc.constantFrom('shopify', 'square', 'woocommerce'),
					hostileBytes,
					fc.oneof(fc.constant(undefined), headerText, fc.constant('AAAA'), fc.base64String()),
					anyContentType
				)
				.map(([platform, body, signature, type]): RawRequest => {
					const headers: Record<string, string> =
						type === undefined ? {} : { 'content-type': type };
					const name = {
						shopify: 'x-shopify-hmac-sha256',
						square: 'x-square-hmacsha256-signature',
						woocommerce: 'x-wc-webhook-signature'
					}[platform];
					if (signature !== undefined) headers[name] = signature;
					// A form-encoded ping is the one unsigned WooCommerce body the shop acknowledges.
					if (platform === 'woocommerce' && /form|text/.test(type ?? '')) {
						headers['content-type'] = JSON_TYPE;
					}
					return { method: 'POST', path: `/api/webhooks/${platform}`, headers, body };
				})
	},
	{
		name: 'POST /api/webhooks/courier',
		answer: 'json',
		probes: () => {
			const signature = fc.oneof(
				fc.constant(undefined),
				headerText,
				fc.constantFrom(
					't=1,v1=00',
					`t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
					't=,v1=',
					'v1=abc'
				),
				fc.constant('wrong-secret'),
				fc.constant('stale'),
				fc.constant('other-body')
			);
			return fc
				.tuple(hostileBytes, signature, anyContentType)
				.map(([body, how, type]): RawRequest => {
					const headers: Record<string, string> =
						type === undefined ? {} : { 'content-type': type };
					const text = body.toString('utf8');
					const now = Date.now();
					const sign = {
						'wrong-secret': () => signCourierPayload(text, 'not-the-shop-secret-at-all', now),
						stale: () => signCourierPayload(text, COURIER_SECRET, now - 10 * 60_000),
						'other-body': () => signCourierPayload(`${text} `, COURIER_SECRET, now)
					}[how as string];
					const value = sign ? sign() : how;
					if (value !== undefined) headers['x-courier-signature'] = value;
					return { method: 'POST', path: '/api/webhooks/courier', headers, body };
				});
		}
	},
	{
		name: 'POST /api/webhooks/courier (signed, bad event)',
		answer: 'json',
		probes: () => {
			const event = {
				event_name: 'DASHER_PICKED_UP',
				external_delivery_id: 'order-does-not-exist',
				created_at: new Date().toISOString()
			};
			const breakers: Record<string, Json[]> = {
				external_delivery_id: [null, 1, '', {}, []],
				created_at: [null, 1, '', 'yesterday', '2024-06-14T12:00', {}],
				pickup_time_estimated: [1, 'soon', {}],
				dasher_name: [1, {}, []]
			};
			const broken = fc
				.constantFrom(...Object.keys(breakers))
				.chain((field) =>
					fc.constantFrom(...breakers[field]!).map((value) => ({ ...event, [field]: value }))
				);
			return fc
				.oneof(
					broken.map((body) => JSON.stringify(body)),
					hostileJsonText.filter((text) => text.length < 100_000)
				)
				.map((text): RawRequest => ({
					method: 'POST',
					path: '/api/webhooks/courier',
					headers: {
						'content-type': JSON_TYPE,
						'x-courier-signature': signCourierPayload(text, COURIER_SECRET, Date.now())
					},
					body: Buffer.from(text)
				}));
		}
	}
];

// ---------------------------------------------------------------------------------------------
// Checking an answer and the database

/** What is wrong with an answer, or undefined when it is a clear refusal. */
function answerProblem(target: Target, answer: RawAnswer): string | undefined {
	if (answer.status >= 500) return `answered ${answer.status}`;
	// SvelteKit tidies a page's path (a trailing slash, a backslash read as one) with a redirect,
	// a form's too (308 keeps the method and body); it must stay on this site, or a tracking link
	// could send a customer elsewhere.
	if (target.answer !== 'json' && (answer.status === 308 || answer.status === 301)) {
		const location = answer.location ?? '';
		return /^\/(?![/\\])/.test(location) ? undefined : `redirects off the site to ${location}`;
	}
	if (answer.status < 400) {
		if (target.allows2xx && answer.status === 200) return undefined;
		if (target.answer !== 'action' || answer.status !== 200) return `answered ${answer.status}`;
	}
	if (target.answer === 'page')
		return answer.text.trim() === '' ? 'an empty error page' : undefined;

	let body: {
		error?: { code?: unknown; message?: unknown; problems?: unknown };
		type?: unknown;
		status?: unknown;
		data?: unknown;
	};
	try {
		body = JSON.parse(answer.text);
	} catch {
		if (target.answer === 'action' && answer.contentType.startsWith('text/html')) return undefined;
		if (target.answer === 'action' && answer.text.trim() !== '') return undefined;
		return `answered ${answer.status} with non-JSON: ${answer.text.slice(0, 80)}`;
	}

	if (target.answer === 'action' && body.type !== undefined) {
		if (body.type === 'error')
			return answer.status >= 400 && answer.status < 500
				? undefined
				: `action error ${answer.status}`;
		if (
			body.type !== 'failure' ||
			typeof body.status !== 'number' ||
			body.status < 400 ||
			body.status >= 500
		) {
			return `action answered ${String(body.type)} ${String(body.status)}`;
		}
		const data = devalue.parse(String(body.data)) as { message?: unknown };
		return typeof data?.message === 'string' && data.message !== ''
			? undefined
			: 'a failure without a message';
	}
	if (target.answer === 'action')
		return typeof (body as { message?: unknown }).message === 'string' ? undefined : 'no message';

	const error = body.error;
	if (typeof error?.code !== 'string' || error.code === '') return 'no error.code';
	if (typeof error.message !== 'string' || error.message === '') return 'no error.message';
	if (answer.status === 400) {
		const problems = error.problems as { field?: unknown; message?: unknown }[] | undefined;
		if (!Array.isArray(problems) || problems.length === 0) return 'a 400 without problems';
		if (
			problems.some(
				(p) => typeof p.field !== 'string' || p.field === '' || typeof p.message !== 'string'
			)
		) {
			return 'a problem without a field';
		}
	}
	return undefined;
}

/** The tables a refused request must not touch. */
const WATCHED = [
	'orders',
	'order_lines',
	'order_status_history',
	'events',
	'product_stock',
	'stock_movements',
	'ingredient_movements',
	'payments',
	'sales',
	'deliveries',
	'counters',
	'staff_members',
	'sessions',
	'pairing_codes',
	'platform_inbox'
];

function fingerprint(file: string): Record<string, string> {
	const db = new Database(file, { readonly: true, fileMustExist: true });
	try {
		return Object.fromEntries(
			WATCHED.map((table) => {
				const rows = db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
				const hash = createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
				return [table, `${rows.length} rows ${hash}`];
			})
		);
	} finally {
		db.close();
	}
}

/**
 * The fingerprint once background work after start has finished: unchanged for longer than the
 * slowest background round (the courier booking runs every 5 s and may book a demo delivery).
 */
async function settledFingerprint(file: string) {
	const QUIET_MS = 6_000;
	let last = JSON.stringify(fingerprint(file));
	let quietSince = Date.now();
	for (let attempt = 0; attempt < 100; attempt++) {
		await new Promise((resolve) => setTimeout(resolve, 500));
		const next = JSON.stringify(fingerprint(file));
		if (next !== last) {
			last = next;
			quietSince = Date.now();
		} else if (Date.now() - quietSince >= QUIET_MS) {
			return JSON.parse(last) as Record<string, string>;
		}
	}
	throw new Error('the database kept changing without requests');
}

function probeText({ method, path, headers, body }: RawRequest): string {
	const text = body === undefined ? '' : ` ${JSON.stringify(body.toString('utf8').slice(0, 200))}`;
	return `${method} ${path.slice(0, 200)} ${JSON.stringify(headers)}${text} (${body?.length ?? 0} bytes)`;
}

/** A probe that fast-check prints short in a counterexample, not as a 600 KB buffer. */
function described(probe: Probe): Probe {
	const shown = `${probe.target}: ${probeText(probe.request)}`;
	return Object.assign(probe, { [fc.toStringMethod]: () => shown });
}

// ---------------------------------------------------------------------------------------------

let server: RunningServer;
let courier: CourierServer;
let shop: Shop;

beforeAll(async () => {
	courier = await startCourierServer({ webhookSecret: COURIER_SECRET });
	server = await startServer({
		PUBLIC_RATE_LIMIT_PER_MINUTE: '100000000',
		SIGN_IN_ATTEMPTS_PER_15_MINUTES: '100000000',
		// Two platforms set up, so their signature checks are what refuses; Square is not set up.
		SHOPIFY_WEBHOOK_SECRET: 'fuzz-shopify-secret-0123456789',
		WOOCOMMERCE_WEBHOOK_SECRET: 'fuzz-woocommerce-secret-0123456789',
		COURIER_BASE_URL: courier.url,
		COURIER_API_KEY: courier.apiKey,
		COURIER_WEBHOOK_SECRET: COURIER_SECRET
	});
	const products = (await (await fetch(`${server.url}/api/products`)).json()) as {
		products: { sku: string }[];
	};
	const db = new Database(server.databasePath, { readonly: true });
	const token = (status: string) =>
		(
			db
				.prepare('SELECT tracking_token AS token FROM orders WHERE status = ? LIMIT 1')
				.get(status) as { token: string } | undefined
		)?.token;
	shop = {
		origin: server.url,
		pickupAt: await firstSlot(server),
		skus: new Set(products.products.map((product) => product.sku)),
		completedToken: token('completed') ?? '',
		openToken: token('received') ?? ''
	};
	db.close();
});
afterAll(async () => {
	await server?.stop();
	await courier?.close();
});

/** Each defect the fuzz found, pinned with its exact answer. */
const PINNED: {
	name: string;
	request: () => RawRequest;
	status: number;
	problem: { field: string; message: RegExp };
}[] = [
	{
		name: 'a JSON body without Content-Type is refused by name, not read as empty',
		request: () => ({
			method: 'POST',
			path: '/api/orders',
			headers: {},
			body: Buffer.from(JSON.stringify(validOrder(shop)))
		}),
		status: 415,
		problem: { field: 'Content-Type', message: /^is missing; send application\/json$/ }
	},
	{
		name: 'a courier webhook over the size limit is a 413, not a 500',
		request: () => ({
			method: 'POST',
			path: '/api/webhooks/courier',
			headers: { 'content-type': JSON_TYPE },
			body: Buffer.from(`"${'x'.repeat(600_000)}"`)
		}),
		status: 413,
		problem: { field: 'body', message: /larger than 512 KB/ }
	},
	{
		name: 'days written in hex is refused, not read as 2',
		request: () => ({ method: 'GET', path: '/api/slots?days=0x2', headers: {} }),
		status: 400,
		problem: { field: 'days', message: /written in digits/ }
	},
	{
		name: 'an unknown key with no name is shown quoted',
		request: () => ({
			method: 'POST',
			path: '/api/orders',
			headers: { 'content-type': JSON_TYPE },
			body: Buffer.from(JSON.stringify({ ...validOrder(shop), '': 1 }))
		}),
		status: 400,
		problem: { field: '[""]', message: /is not a field of this request/ }
	}
];

describe('hostile requests to the public endpoints', () => {
	it('places the unmutated order, so every mutation breaks a valid one', async () => {
		expect(shop.completedToken).not.toBe('');
		const placed = await postJson(`${server.url}/api/orders`, validOrder(shop));
		expect(placed.status).toBe(201);
		shop.openToken = placed.body.trackingToken;
	});

	it.each(PINNED)('$name', async ({ request, status, problem }) => {
		const answer = await sendRaw(new URL(server.url), request(), new http.Agent());
		const body = JSON.parse(answer.text) as { error: { problems: { field: string }[] } };
		expect(answer.status).toBe(status);
		expect(body.error.problems).toContainEqual({
			field: problem.field,
			message: expect.stringMatching(problem.message)
		});
	});

	it(`answers ${CASES} hostile requests with a 4xx that names the problem, and changes nothing`, async () => {
		const before = await settledFingerprint(server.databasePath);
		const base = new URL(server.url);
		const agent = new http.Agent({ keepAlive: false, maxSockets: CONCURRENCY });
		const sent = new Map<string, number>();
		const statuses = new Map<number, number>();

		const probe: fc.Arbitrary<Probe> = fc.oneof(
			...TARGETS.map((target) =>
				target.probes(shop).map((request): Probe => {
					const { mutation, ...rest } = request as RawRequest & { mutation?: string };
					return described({ target: target.name, request: rest, broken: mutation });
				})
			)
		);

		await fc.assert(
			fc.asyncProperty(
				fc.array(probe, { minLength: CONCURRENCY, maxLength: CONCURRENCY }),
				async (batch) => {
					await Promise.all(
						batch.map(async ({ target: name, request, broken }) => {
							const target = TARGETS.find((entry) => entry.name === name)!;
							if (broken !== undefined) {
								const why = await whyBroken(shop, request.body!.toString());
								if (!why) throw new Error(`the mutation "${broken}" left a valid order`);
							}
							const answer = await sendRaw(base, request, agent).catch((error: Error) => {
								throw new Error(`${String(probeText(request))}: ${error.message}`, {
									cause: error
								});
							});
							sent.set(name, (sent.get(name) ?? 0) + 1);
							statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
							const problem = answerProblem(target, answer);
							if (problem) {
								const shown = { ...request, body: request.body?.toString('utf8').slice(0, 300) };
								throw new Error(
									`${name}: ${problem}\n${JSON.stringify(shown)}\n${answer.text.slice(0, 500)}`
								);
							}
						})
					);
				}
			),
			{ numRuns: CASES / CONCURRENCY, seed: SEED, endOnFailure: false }
		);
		agent.destroy();

		console.log(
			`fuzz seed ${SEED}: requests per endpoint`,
			Object.fromEntries(sent),
			'statuses',
			Object.fromEntries([...statuses].sort())
		);
		expect([...sent.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(CASES);
		expect(sent.size).toBe(TARGETS.length);
		expect(await settledFingerprint(server.databasePath)).toEqual(before);
		expect(server.output.filter((line) => /"level":50/.test(line))).toEqual([]);
	}, 240_000);
});
