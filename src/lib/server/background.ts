import type { Config } from './config';
import type { Db } from './db/client';
import { bookDeliveries } from './delivery/courier';
import type { Deps, Providers } from './deps';
import type { Logger } from './logger';
import { NoticeDispatcher, type NoticeSenders } from './notices/dispatcher';
import { createCourierClient } from './providers/courier';
import { createMailer, type Mailer } from './providers/mail';
import { createPaymentClient } from './providers/payments';
import { processInbox } from './platforms/inbox';
import { createSquareClient, type SquareClient } from './providers/square';
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
 * The work that happens after a commit rather than inside a request: sending notices, booking
 * couriers and turning stored platform webhooks into orders. They run on a short tick and are nudged after every commit, so a notice normally
 * leaves within milliseconds and is retried on the tick when a provider is down.
 */
export class BackgroundWork {
	readonly dispatcher: NoticeDispatcher;
	private readonly mailer: Mailer | undefined;
	private timer: NodeJS.Timeout | undefined;
	private booking: Promise<unknown> | undefined;
	private inboxTimer: NodeJS.Timeout | undefined;
	private inboxRun: Promise<unknown> | undefined;
	/** A delivery stored while a round runs: the round looks again before it ends. */
	private inboxAgain = false;
	private readonly square: SquareClient | undefined;
	private kicked = false;
	private stopping = false;

	constructor(private readonly deps: Deps & { db: Db; log: Logger }) {
		const { senders, mailer } = createSenders(deps.config, deps.now);
		this.mailer = mailer;
		const square = deps.config.platforms.square;
		this.square = square && createSquareClient(square);
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
		this.inboxTimer ??= setInterval(() => this.drainInbox(), intervalMs);
		this.inboxTimer.unref();
	}

	/** Called when a platform delivery is stored, so it becomes an order within milliseconds. */
	kickInbox(): void {
		setImmediate(() => this.drainInbox());
	}

	/** One round at a time per process; rows are claimed, so other processes may run theirs. */
	private drainInbox(): void {
		if (this.stopping) return;
		if (this.inboxRun) {
			this.inboxAgain = true;
			return;
		}
		this.inboxAgain = false;
		this.inboxRun = processInbox({ ...this.deps, square: this.square })
			.catch((error: unknown) =>
				this.deps.log
					.child({ module: 'platforms' })
					.error({ err: error }, 'platform inbox round failed')
			)
			.finally(() => {
				this.inboxRun = undefined;
				if (this.inboxAgain) this.drainInbox();
			});
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
		this.stopping = true;
		clearInterval(this.inboxTimer);
		this.inboxTimer = undefined;
		await this.inboxRun;
		await this.dispatcher.stop();
		await this.booking;
		this.mailer?.close();
	}
}
