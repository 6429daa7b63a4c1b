import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
	ProviderError,
	callProvider,
	isRetryableStatus,
	readAnswer,
	refusal
} from '../../../src/lib/server/providers/errors';
import { startSilentServer, type FakeServer } from '../../helpers/fake-providers';

describe('isRetryableStatus', () => {
	it.each([
		[400, false],
		[401, false],
		[402, false],
		[404, false],
		[409, false],
		[429, true],
		[500, true],
		[503, true]
	])('says %i is retryable: %s', (status, retryable) => {
		expect(isRetryableStatus(status)).toBe(retryable);
	});
});

describe('refusal', () => {
	it("quotes the provider's code and words", () => {
		const error = refusal('sms', 400, { code: '21602', message: 'Message body is required.' });
		expect(error).toBeInstanceOf(ProviderError);
		expect(error.message).toBe('sms answered 400 (21602): Message body is required.');
		expect({ ...error }).toEqual({
			name: 'ProviderError',
			provider: 'sms',
			status: 400,
			code: '21602',
			retryable: false
		});
	});

	it('falls back to the status when the provider explained nothing', () => {
		const error = refusal('courier', 502, {});
		expect(error.message).toBe('courier answered 502 (http_502): no explanation in the answer');
		expect(error.retryable).toBe(true);
	});
});

describe('readAnswer', () => {
	it('names the field of a success body that is not the agreed shape', () => {
		const schema = z.object({ sid: z.string() });
		const read = () => readAnswer('sms', schema, { status: 201, body: { sid: 7 } });
		expect(read).toThrow(
			'sms answered 201 with an unexpected body: sid Invalid input: expected string, received number'
		);
		expect(read).toThrow(expect.objectContaining({ code: 'unexpected_answer', retryable: false }));
	});
});

describe('callProvider', () => {
	let server: FakeServer | undefined;
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	const request = (url: string) =>
		({ provider: 'sms', method: 'POST', url, headers: {}, body: 'x', timeoutMs: 100 }) as const;

	it('gives up on a provider that does not answer in time, and says so', async () => {
		server = await startSilentServer();
		const call = callProvider(request(`${server.url}/send?token=secret`));
		await expect(call).rejects.toThrow(`sms did not answer POST ${server.url}/send within 100 ms`);
		await expect(call).rejects.toMatchObject({ code: 'timeout', status: null, retryable: true });
	});

	it('names the socket error when nothing listens', async () => {
		const closed = await startSilentServer();
		await closed.close();
		const call = callProvider(request(`${closed.url}/send`));
		await expect(call).rejects.toThrow(
			`sms could not be reached at POST ${closed.url}/send (ECONNREFUSED)`
		);
		await expect(call).rejects.toMatchObject({
			code: 'unreachable',
			status: null,
			retryable: true
		});
	});
});
