import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ProviderError } from '../../../src/lib/server/providers/errors';
import { createSmsClient, type SmsConfig } from '../../../src/lib/server/providers/sms';
import { startSmsServer, type SmsServer } from '../../helpers/fake-providers';

describe('createSmsClient', () => {
	let twilio: SmsServer;
	let config: SmsConfig;

	beforeEach(async () => {
		twilio = await startSmsServer();
		config = {
			baseUrl: twilio.url,
			accountSid: twilio.accountSid,
			authToken: twilio.authToken,
			from: '+441632960001'
		};
	});
	afterEach(() => twilio.close());

	it('sends the text from the shop number and answers with the message id', async () => {
		const sent = await createSmsClient(config).send('+441632960123', 'Your croissants are ready.');

		expect(sent).toEqual({ id: expect.stringMatching(/^SM[0-9a-f]{24}$/), status: 'queued' });
		expect(twilio.messages).toEqual([
			{
				sid: sent.id,
				to: '+441632960123',
				from: '+441632960001',
				body: 'Your croissants are ready.'
			}
		]);
	});

	it('accepts a base URL with a trailing slash', async () => {
		const client = createSmsClient({ ...config, baseUrl: `${twilio.url}/` });
		await client.send('+441632960123', 'Ready.');
		expect(twilio.messages).toHaveLength(1);
	});

	it.each([
		{
			when: 'the auth token is wrong',
			change: { authToken: 'stale-token' },
			body: 'Ready.',
			error: { status: 401, code: '20003', message: 'sms answered 401 (20003): Authenticate' }
		},
		{
			when: 'the body is empty',
			change: {},
			body: '',
			error: {
				status: 400,
				code: '21602',
				message: 'sms answered 400 (21602): Message body is required.'
			}
		}
	])('refuses for good when $when', async ({ change, body, error }) => {
		const send = createSmsClient({ ...config, ...change }).send('+441632960123', body);

		await expect(send).rejects.toBeInstanceOf(ProviderError);
		await expect(send).rejects.toMatchObject({ ...error, provider: 'sms', retryable: false });
		expect(twilio.messages).toEqual([]);
	});

	it.each([429, 500, 503])('says a %i is worth another attempt', async (status) => {
		twilio.failNext(1, status);
		const client = createSmsClient(config);

		await expect(client.send('+441632960123', 'Ready.')).rejects.toMatchObject({
			status,
			code: String(20_000 + status),
			retryable: true
		});
		await expect(client.send('+441632960123', 'Ready.')).resolves.toMatchObject({
			status: 'queued'
		});
	});
});
