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
 * Text messages through an API shaped like Twilio's Messages resource: one form-encoded POST per
 * message, authenticated with the account SID and auth token.
 */

export interface SmsConfig {
	/** `https://api.twilio.com`, or a stand-in of the same shape. */
	baseUrl: string;
	accountSid: string;
	authToken: string;
	/** The shop's sending number or alphanumeric sender id. */
	from: string;
	timeoutMs?: number;
}

export interface SentSms {
	/** The provider's message id (`SM…`), for matching its delivery reports. */
	id: string;
	/** Usually `queued`: accepted for sending, not yet delivered to the handset. */
	status: string;
}

export interface SmsClient {
	send(to: string, body: string): Promise<SentSms>;
}

const PROVIDER = 'sms';

const messageSchema = z.object({ sid: z.string().min(1), status: z.string().min(1) });

/** Twilio's error body; `code` is a number such as 21211 (invalid 'To' number). */
const errorSchema = z.object({ code: z.number().optional(), message: z.string().optional() });

export function createSmsClient(config: SmsConfig): SmsClient {
	const account = encodeURIComponent(config.accountSid);
	const url = endpointUrl(config.baseUrl, `/2010-04-01/Accounts/${account}/Messages.json`);
	const credentials = Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64');

	return {
		async send(to, body) {
			const answer = await callProvider({
				provider: PROVIDER,
				method: 'POST',
				url,
				headers: {
					authorization: `Basic ${credentials}`,
					'content-type': 'application/x-www-form-urlencoded'
				},
				body: new URLSearchParams({ To: to, From: config.from, Body: body }).toString(),
				timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS
			});

			if (!isSuccess(answer)) throw twilioRefusal(answer);
			const message = readAnswer(PROVIDER, messageSchema, answer);
			return { id: message.sid, status: message.status };
		}
	};
}

function twilioRefusal(answer: ProviderAnswer): ProviderError {
	const said = errorSchema.safeParse(answer.body);
	const code = said.data?.code;
	return refusal(PROVIDER, answer.status, {
		code: code === undefined ? undefined : String(code),
		message: said.data?.message
	});
}
