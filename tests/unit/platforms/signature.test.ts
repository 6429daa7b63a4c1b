import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { verifyPlatformSignature } from '../../../src/lib/server/platforms/signature';

const secret = 'shpss_0123456789abcdef';
const body = '{"id":450789469,"note":"Ring the bell"}';
const signed = createHmac('sha256', secret).update(body).digest('base64');

describe('platform signatures', () => {
	it('accepts the base64 HMAC-SHA256 of the exact body', () => {
		expect(verifyPlatformSignature(body, signed, secret)).toBe(true);
	});

	it.each([
		['another body', body.replace('bell', 'bells'), signed],
		['another secret', body, createHmac('sha256', 'other').update(body).digest('base64')],
		['a hex digest', body, createHmac('sha256', secret).update(body).digest('hex')],
		['a truncated digest', body, signed.slice(0, 20)],
		['no header', body, null],
		['an empty header', body, '']
	])('refuses %s', (_case, text, header) => {
		expect(verifyPlatformSignature(text, header, secret)).toBe(false);
	});
});
