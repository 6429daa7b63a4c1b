import { createTransport, type NodemailerError } from 'nodemailer';

import { DEFAULT_TIMEOUT_MS, ProviderError } from './errors';

/**
 * Mail through the shop's SMTP server. Nodemailer speaks SMTP; this module only decides which of
 * its failures are worth another attempt, in the same terms as the HTTP adapters.
 */

export interface MailerConfig {
	/** `smtp://user:password@host:587` (upgrades with STARTTLS when offered) or `smtps://…:465`. */
	url: string;
	/** The sender, such as `Bakery <orders@bakery.example>`. */
	from: string;
	timeoutMs?: number;
}

export interface OutgoingMail {
	to: string;
	subject: string;
	text: string;
}

export interface Mailer {
	/** Resolves once the SMTP server has accepted the message, with its Message-ID. */
	send(mail: OutgoingMail): Promise<{ id: string }>;
	/** Closes any open connection, so the process can exit. */
	close(): void;
}

const PROVIDER = 'mail';

/** Nodemailer's codes for a connection that failed or dropped, rather than a refused message. */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS']);

export function createMailer(config: MailerConfig): Mailer {
	const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	// Nodemailer waits minutes by default; a notice should fail fast and be retried later instead.
	const transport = createTransport({
		url: config.url,
		connectionTimeout: timeoutMs,
		greetingTimeout: timeoutMs,
		socketTimeout: timeoutMs
	});

	return {
		async send(mail) {
			try {
				const info = await transport.sendMail({ from: config.from, ...mail });
				return { id: info.messageId };
			} catch (error) {
				throw mailFailure(error as NodemailerError);
			}
		},

		close() {
			transport.close();
		}
	};
}

/**
 * A 4xx reply (greylisting, a full mailbox, a busy server) and a lost connection may pass later;
 * a 5xx reply is the server's final word on this message.
 */
function mailFailure(error: NodemailerError): ProviderError {
	const status = error.responseCode ?? null;
	const retryable =
		status === null ? CONNECTION_CODES.has(error.code ?? '') : status >= 400 && status < 500;
	// The server's own reply when there is one; nodemailer's message never includes the password.
	const said = error.response ?? error.message;
	return new ProviderError(
		`${PROVIDER} could not be sent${status === null ? '' : ` (${status})`}: ${said}`,
		{ provider: PROVIDER, status, code: error.code ?? 'smtp_error', retryable },
		{ cause: error }
	);
}
