import type { Config } from './config';
import type { Db } from './db/client';
import { bookDeliveries } from './delivery/courier';
import type { Deps, Providers } from './deps';
import type { Logger } from './logger';
import { NoticeDispatcher, type NoticeSenders } from './notices/dispatcher';
import { createCourierClient } from './providers/courier';
import { createMailer, type Mailer } from './providers/mail';
import { createPaymentClient } from './providers/payments';
import { createSmsClient } from './providers/sms';
import { sendSignedWebhook } from './providers/webhook';
import { readSettings } from './settings';

/** The outside services the configuration sets up; an unset one stays absent. */
export function createProviders(config: Config): Providers {
	return {
		payments: config.payments && createPaymentClient(config.payments),
		courier: config.courier && createCourierClient(config.courier)
	};
}

function createSenders(
	config: Config,
	now: () => number
): { senders: NoticeSenders; mailer?: Mailer } {
	const mailer = config.mail && createMailer(config.mail);
	const sms = config.sms && createSmsClient(config.sms);
	const webhook = config.webhook;
	return {
		mailer,
		senders: {
			email: mailer && ((message) => mailer.send(message)),
			sms: sms && ((message) => sms.send(message.to, message.body)),
			webhook:
				webhook &&
				(async (message) => {
					await sendSignedWebhook({ ...webhook, ...message, now: now() });
					return { id: message.id };
				})
		}
	};
}

/**
 * The work that happens after a commit rather than inside a request: sending notices and booking
 * couriers. Both run on a short tick and are nudged after every commit, so a notice normally
 * leaves within milliseconds and is retried on the tick when a provider is down.
 */
export class BackgroundWork {
	readonly dispatcher: NoticeDispatcher;
	private readonly mailer: Mailer | undefined;
	private timer: NodeJS.Timeout | undefined;
	private booking: Promise<unknown> | undefined;
	private kicked = false;

	constructor(private readonly deps: Deps & { db: Db; log: Logger }) {
		const { senders, mailer } = createSenders(deps.config, deps.now);
		this.mailer = mailer;
		this.dispatcher = new NoticeDispatcher({
			db: deps.db,
			log: deps.log.child({ module: 'notices' }),
			now: deps.now,
			senders,
			context: () => ({
				shopName: readSettings(deps.db).shopName,
				origin: deps.config.origin,
				zone: deps.config.shopTimeZone,
				templatesDir: deps.config.templatesDir
			})
		});
	}

	start(intervalMs = 1_000): void {
		this.dispatcher.start(intervalMs);
		this.timer ??= setInterval(() => this.bookCouriers(), intervalMs * 5);
		this.timer.unref();
	}

	/**
	 * Called after each commit. Commits that land in the same turn of the event loop (a group
	 * commit, a burst of orders) share one look at the outbox instead of one write lock each.
	 */
	kick(): void {
		if (this.kicked) return;
		this.kicked = true;
		setImmediate(() => {
			this.kicked = false;
			this.dispatcher.kick();
			this.bookCouriers();
		});
	}

	private bookCouriers(): void {
		const courier = this.deps.providers?.courier;
		if (!courier || this.booking) return;
		this.booking = bookDeliveries(this.deps, courier)
			.catch((error: unknown) =>
				this.deps.log.child({ module: 'courier' }).error({ error }, 'courier booking round failed')
			)
			.finally(() => (this.booking = undefined));
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		this.timer = undefined;
		await this.dispatcher.stop();
		await this.booking;
		this.mailer?.close();
	}
}
