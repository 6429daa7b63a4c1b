import { and, asc, eq, inArray, isNull, lte, or, lt } from 'drizzle-orm';

import type { NoticeChannel } from '../../domain/order';
import type { Db } from '../db/client';
import { notifications } from '../db/schema';
import type { Logger } from '../logger';
import type { NoticeFacts } from './outbox';
import { renderNotice, type RenderContext } from './render';

/** One way out per channel; each answers the provider's id for the message. */
export interface NoticeSenders {
	email?: (message: {
		to: string;
		subject: string;
		text: string;
		messageId: string;
	}) => Promise<{ id: string }>;
	sms?: (message: { to: string; body: string }) => Promise<{ id: string }>;
	webhook?: (message: {
		event: string;
		id: string;
		payload: Record<string, unknown>;
	}) => Promise<{ id: string }>;
}

const NOT_SET_UP: Record<NoticeChannel, string> = {
	email: 'e-mail is not set up: set SMTP_URL and MAIL_FROM',
	sms: 'SMS is not set up: set SMS_BASE_URL, SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM',
	webhook: 'the shop webhook is not set up: set NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET'
};

/** Waits before the 2nd, 3rd, … try; after the last, the notice is failed. */
export const RETRY_DELAYS_MS = [10_000, 60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** How long a dispatcher holds a row it is sending; another may take it after that. */
const CLAIM_MS = 2 * 60_000;
const BATCH = 25;

type Row = typeof notifications.$inferSelect;

function partition<T>(items: T[], keep: (item: T) => boolean): [T[], T[]] {
	return [items.filter(keep), items.filter((item) => !keep(item))];
}

export interface DispatcherOptions {
	db: Db;
	log: Logger;
	now(): number;
	senders: NoticeSenders;
	/** Read at each send: the shop's name can change while the server runs. */
	context(): RenderContext;
}

/**
 * Sends the outbox. Rows are claimed under the write lock before sending, so two processes
 * never send the same notice; a sent row is never sent again, so a restart repeats nothing that
 * was recorded as sent. A crash in the instant between the provider's answer and recording it
 * is the one window in which a notice can go out twice: e-mail carries a Message-ID made from
 * the row so mail clients fold such a repeat.
 */
export class NoticeDispatcher {
	private timer: NodeJS.Timeout | undefined;
	private running: Promise<number> | undefined;
	private again = false;

	constructor(private readonly options: DispatcherOptions) {}

	start(intervalMs = 1_000): void {
		this.timer ??= setInterval(() => this.kick(), intervalMs);
		this.timer.unref();
		this.kick();
	}

	/** Sends what is due now; called after a commit so a notice leaves at once, not on the tick. */
	kick(): void {
		if (this.running) {
			this.again = true;
			return;
		}
		this.running = this.drain().finally(() => {
			this.running = undefined;
			if (this.again) {
				this.again = false;
				this.kick();
			}
		});
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		this.timer = undefined;
		this.again = false;
		await this.running;
	}

	/** Sends every notice that is due, batch by batch; answers how many it handled. */
	async drain(): Promise<number> {
		let handled = 0;
		for (;;) {
			const { sendable, skipped } = this.claim();
			if (sendable.length + skipped === 0) return handled;
			for (const row of sendable) await this.send(row);
			handled += sendable.length + skipped;
		}
	}

	private claim(): { sendable: Row[]; skipped: number } {
		const { db } = this.options;
		const now = this.options.now();
		return db.transaction(
			(tx) => {
				const due = tx
					.select()
					.from(notifications)
					.where(
						and(
							eq(notifications.state, 'pending'),
							lte(notifications.nextAttemptAt, now),
							or(isNull(notifications.claimedUntil), lt(notifications.claimedUntil, now))
						)
					)
					.orderBy(asc(notifications.nextAttemptAt), asc(notifications.id))
					.limit(BATCH)
					.all();
				// A channel the shop has not set up is marked skipped here, in the same write.
				const [sendable, unsent] = partition(due, (row) =>
					Boolean(this.options.senders[row.channel])
				);
				for (const channel of new Set(unsent.map((row) => row.channel))) {
					tx.update(notifications)
						.set({ state: 'skipped', lastError: NOT_SET_UP[channel], attempts: 0 })
						.where(
							inArray(
								notifications.id,
								unsent.filter((row) => row.channel === channel).map((row) => row.id)
							)
						)
						.run();
				}
				if (sendable.length > 0) {
					tx.update(notifications)
						.set({ claimedUntil: now + CLAIM_MS })
						.where(
							inArray(
								notifications.id,
								sendable.map((row) => row.id)
							)
						)
						.run();
				}
				return { sendable, skipped: unsent.length };
			},
			{ behavior: 'immediate' }
		);
	}

	private async send(row: Row): Promise<void> {
		const { senders } = this.options;
		const facts = row.data as unknown as NoticeFacts;
		let rendered = { subject: '', body: '' };
		try {
			if (row.channel === 'webhook') {
				const payload = { kind: row.kind, notice: row.id, ...facts };
				rendered = { subject: `order.${row.kind}`, body: JSON.stringify(payload) };
				const { id } = await senders.webhook!({
					event: `order.${row.kind}`,
					id: `notice-${row.id}`,
					payload
				});
				this.finish(row, { state: 'sent', providerRef: id, ...rendered });
				return;
			}
			rendered = renderNotice(row.kind, row.channel, facts, this.options.context());
			const { id } =
				row.channel === 'email'
					? await senders.email!({
							to: row.recipient,
							subject: rendered.subject,
							text: rendered.body,
							messageId: `<notice-${row.id}.${row.dedupeKey.replace(/[^\w.-]/g, '-')}@bakery-flow>`
						})
					: await senders.sms!({ to: row.recipient, body: rendered.body });
			this.finish(row, { state: 'sent', providerRef: id, ...rendered });
		} catch (error) {
			this.failed(row, error, rendered);
		}
	}

	private failed(row: Row, error: unknown, rendered: { subject: string; body: string }): void {
		const attempts = row.attempts + 1;
		const message = error instanceof Error ? error.message : String(error);
		const retryable = (error as { retryable?: boolean }).retryable !== false;
		const last = !retryable || attempts >= MAX_ATTEMPTS;
		const log = this.options.log;
		(last ? log.error.bind(log) : log.warn.bind(log))(
			{ notice: row.id, orderId: row.orderId, channel: row.channel, attempts, error: message },
			last ? 'notice failed for good' : 'notice failed, will retry'
		);
		this.finish(row, {
			state: last ? 'failed' : 'pending',
			lastError: message,
			attempts,
			nextAttemptAt: last ? row.nextAttemptAt : this.options.now() + RETRY_DELAYS_MS[attempts - 1]!,
			...rendered
		});
	}

	private finish(row: Row, changes: Partial<typeof notifications.$inferInsert>): void {
		const now = this.options.now();
		const sent = changes.state === 'sent';
		this.options.db
			.update(notifications)
			.set({
				...changes,
				attempts: changes.attempts ?? (sent ? row.attempts + 1 : row.attempts),
				claimedUntil: null,
				sentAt: sent ? now : null
			})
			.where(eq(notifications.id, row.id))
			.run();
	}
}
