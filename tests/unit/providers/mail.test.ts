import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ProviderError } from '../../../src/lib/server/providers/errors';
import { createMailer, type Mailer } from '../../../src/lib/server/providers/mail';
import { startSilentServer, startSmtpServer, type SmtpServer } from '../../helpers/fake-providers';

const ready = {
	to: 'ada@example.com',
	subject: 'Your order 41 is ready',
	text: 'Four croissants and a sourdough are waiting at the counter.'
};

describe('createMailer', () => {
	let smtp: SmtpServer;
	let mailer: Mailer;

	beforeEach(async () => {
		smtp = await startSmtpServer();
		mailer = createMailer({ url: smtp.url, from: 'Crumb & Co <orders@crumb.example>' });
	});
	afterEach(async () => {
		mailer.close();
		await smtp.close();
	});

	it('hands the message to the SMTP server, which receives it whole', async () => {
		const sent = await mailer.send(ready);

		expect(sent.id).toMatch(/^<.+@.+>$/);
		await expect(smtp.waitFor((mail) => mail.to.includes('ada@example.com'))).resolves.toEqual({
			from: 'orders@crumb.example',
			to: ['ada@example.com'],
			subject: 'Your order 41 is ready',
			text: 'Four croissants and a sourdough are waiting at the counter.\n',
			user: null
		});
	});

	it('logs in with the credentials in the address', async () => {
		const port = new URL(smtp.url).port;
		const withLogin = createMailer({
			url: `smtp://baker:flour-and-water@127.0.0.1:${port}`,
			from: 'orders@crumb.example'
		});

		await withLogin.send(ready);
		withLogin.close();
		expect(smtp.messages.map((mail) => mail.user)).toEqual(['baker']);
	});

	it('says a temporary refusal is worth another attempt, which then goes through', async () => {
		smtp.failNext(1, 451);

		const first = mailer.send(ready);
		await expect(first).rejects.toBeInstanceOf(ProviderError);
		await expect(first).rejects.toMatchObject({ provider: 'mail', status: 451, retryable: true });
		await expect(first).rejects.toThrow('451 4.3.0 Temporary failure, try again later');

		await mailer.send(ready);
		expect(smtp.messages).toHaveLength(1);
	});

	it('says a permanent refusal is final', async () => {
		smtp.failNext(1, 550);

		await expect(mailer.send(ready)).rejects.toMatchObject({
			provider: 'mail',
			status: 550,
			retryable: false,
			message: 'mail could not be sent (550): 550 5.7.1 Message rejected'
		});
		expect(smtp.messages).toEqual([]);
	});

	it('says a server that does not greet in time is worth another attempt', async () => {
		const silent = await startSilentServer();
		const port = new URL(silent.url).port;
		const impatient = createMailer({
			url: `smtp://127.0.0.1:${port}`,
			from: 'orders@crumb.example',
			timeoutMs: 100
		});

		await expect(impatient.send(ready)).rejects.toMatchObject({
			status: null,
			code: 'ETIMEDOUT',
			retryable: true
		});
		impatient.close();
		await silent.close();
	});
});
