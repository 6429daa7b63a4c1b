import { z } from 'zod';

import { orderInput } from './orders/input';

/*
 * The public API as OpenAPI 3.1: what the order page, the sign-in, wall-screen pairing and the
 * providers' webhooks call without a staff session. Request bodies come from the same zod
 * schemas the endpoints parse with, so the description cannot drift from the checks; a test
 * calls every path listed here and compares the answers.
 */

const errorBody = {
	type: 'object',
	required: ['error'],
	properties: {
		error: {
			type: 'object',
			required: ['code', 'message'],
			properties: {
				code: { type: 'string', examples: ['invalid_request'] },
				message: { type: 'string', description: 'What was wrong, the value, and the fix.' },
				problems: {
					type: 'array',
					items: {
						type: 'object',
						required: ['field', 'message'],
						properties: { field: { type: 'string' }, message: { type: 'string' } }
					}
				}
			}
		}
	}
} as const;

const problem = (description: string) => ({
	description,
	content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } }
});

const jsonBody = (schema: unknown) => ({
	required: true,
	content: { 'application/json': { schema } }
});

const ok = (description: string) => ({
	description,
	content: { 'application/json': { schema: { type: 'object' } } }
});

const schemaOf = (schema: z.ZodType) => {
	const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
		io: 'input',
		unrepresentable: 'any'
	}) as Record<string, unknown>;
	return rest;
};

export function openApiDocument(serverUrl: string) {
	return {
		openapi: '3.1.0',
		info: {
			title: 'Bakery Flow public API',
			version: '1.0.0',
			description:
				'Order placement, the menu, pickup slots, sign-in and provider webhooks. Every error answers with the Error shape. Staff and manager endpoints need a session cookie from POST /api/session and are not listed here.'
		},
		servers: [{ url: serverUrl }],
		components: { schemas: { Error: errorBody } },
		paths: {
			'/api/products': {
				get: {
					summary: 'The menu as it stands today',
					responses: {
						'200': ok('`{ products: [...] }`; `available` is false for items off today')
					}
				}
			},
			'/api/slots': {
				get: {
					summary: 'Pickup times on offer',
					parameters: [
						{ name: 'date', in: 'query', schema: { type: 'string', format: 'date' } },
						{ name: 'days', in: 'query', schema: { type: 'string', pattern: '^\\d{1,3}$' } }
					],
					responses: {
						'200': ok('Days with their slots'),
						'400': problem('A query parameter is not valid; `problems` names it')
					}
				}
			},
			'/api/orders': {
				post: {
					summary: 'Places an order',
					parameters: [
						{
							name: 'Idempotency-Key',
							in: 'header',
							schema: { type: 'string' },
							description: 'A retry with the same key returns the first order.'
						}
					],
					requestBody: jsonBody(schemaOf(orderInput)),
					responses: {
						'201': ok('The order, with its number and tracking token'),
						'200': ok('The same order again, for a retried Idempotency-Key'),
						'400': problem('The body is not a valid order; `problems` names each field'),
						'402': problem('Paying ahead by card: the card was declined; nothing is stored'),
						'409': problem('The Idempotency-Key was used for a different order'),
						'415': problem('The body is not JSON'),
						'422': problem('A valid order the shop cannot take (off the menu, slot full)'),
						'429': problem('Too many orders from this address; wait a minute (Retry-After)')
					}
				}
			},
			'/api/session': {
				get: {
					summary: 'Who this browser is signed in as',
					responses: { '200': ok('`{ viewer }`, null when signed out') }
				},
				post: {
					summary: 'Signs in with a name and a password or PIN',
					requestBody: jsonBody({
						type: 'object',
						required: ['name', 'secret'],
						properties: { name: { type: 'string' }, secret: { type: 'string' } }
					}),
					responses: {
						'201': ok('Signed in; the session is in a cookie'),
						'400': problem('The body is not valid'),
						'401': problem('The name or secret is wrong'),
						'429': problem('Too many tries; wait and try again')
					}
				},
				delete: { summary: 'Signs out', responses: { '200': ok('Signed out') } }
			},
			'/api/pair': {
				post: {
					summary: 'Pairs a wall screen with a code a manager issued',
					requestBody: jsonBody({
						type: 'object',
						required: ['code'],
						properties: { code: { type: 'string' } }
					}),
					responses: {
						'201': ok('Paired; the screen session is in a cookie'),
						'400': problem('The body is not valid'),
						'401': problem('The code is wrong, used or expired'),
						'429': problem('Too many tries; wait and try again')
					}
				}
			},
			'/api/webhooks/courier': {
				post: {
					summary: 'Delivery status from the courier service, signed by it',
					requestBody: jsonBody({ type: 'object' }),
					responses: {
						'200': ok('Applied, or already applied'),
						'401': problem('The signature is missing or wrong; nothing is stored'),
						'404': problem('No courier service is set up')
					}
				}
			},
			'/api/webhooks/shopify': {
				post: {
					summary:
						'Order events from Shopify, signed (X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body with SHOPIFY_WEBHOOK_SECRET); stored at once, turned into an order after',
					requestBody: jsonBody({ type: 'object' }),
					responses: {
						'200': ok('Stored (or a repeat, or a topic the shop does not follow)'),
						'401': problem('The signature is missing or wrong; nothing is stored'),
						'404': problem('Not set up: set SHOPIFY_WEBHOOK_SECRET')
					}
				}
			},
			'/api/webhooks/square': {
				post: {
					summary:
						'Order events from Square, signed (x-square-hmacsha256-signature: base64 HMAC-SHA256 of SQUARE_NOTIFICATION_URL followed by the raw body); stored at once, turned into an order after',
					requestBody: jsonBody({ type: 'object' }),
					responses: {
						'200': ok('Stored (or a repeat, or a topic the shop does not follow)'),
						'401': problem('The signature is missing or wrong; nothing is stored'),
						'404': problem('Not set up: set the Square variables')
					}
				}
			},
			'/api/webhooks/woocommerce': {
				post: {
					summary:
						'Order events from WooCommerce, signed (X-WC-Webhook-Signature: base64 HMAC-SHA256 of the raw body with WOOCOMMERCE_WEBHOOK_SECRET); stored at once, turned into an order after',
					requestBody: jsonBody({ type: 'object' }),
					responses: {
						'200': ok('Stored (or a repeat, or a topic the shop does not follow)'),
						'401': problem('The signature is missing or wrong; nothing is stored'),
						'404': problem('Not set up: set WOOCOMMERCE_WEBHOOK_SECRET')
					}
				}
			},
			'/track/{token}': {
				get: {
					summary:
						'The customer’s tracking page (HTML); live updates then come over Socket.IO /public',
					parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
					responses: {
						'200': { description: 'The tracking page', content: { 'text/html': {} } },
						'404': { description: 'No order has this token', content: { 'text/html': {} } }
					}
				}
			}
		}
	};
}
