import type { LiveEvent } from '../../realtime/contract';
import type { Db } from './client';

/** A unit of work: it writes through the database it is given and publishes through `publish`. */
export type GroupedWork<T> = (publish: (events: LiveEvent[]) => void) => T;

interface Job {
	work: GroupedWork<unknown>;
	resolve(value: unknown): void;
	reject(error: unknown): void;
}

export interface GroupCommitOptions {
	db: Db;
	/** Where events go once their batch has committed. */
	publish(events: LiveEvent[]): void;
	/** The most units of work one commit carries. */
	maxBatch?: number;
}

/**
 * Group commit for requests that arrive together. With `synchronous = FULL` every commit waits
 * for the disk; when sixteen tills send orders at once, each waiting for its own flush is what
 * limits intake. Work queued in the same turn of the event loop runs in one `BEGIN IMMEDIATE`
 * transaction, each unit inside its own savepoint, so a refused order rolls back alone. The
 * answers (and the events) are released only after the one `COMMIT` returns: an order answered
 * with 201 is on disk, and nothing is announced that a failed commit could take back.
 */
export class GroupCommit {
	private queue: Job[] = [];
	private scheduled = false;
	private readonly maxBatch: number;

	constructor(private readonly options: GroupCommitOptions) {
		this.maxBatch = options.maxBatch ?? 64;
	}

	run<T>(work: GroupedWork<T>): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
			if (!this.scheduled) {
				this.scheduled = true;
				setImmediate(() => this.flush());
			}
		});
	}

	private flush(): void {
		this.scheduled = false;
		const batch = this.queue.splice(0, this.maxBatch);
		if (this.queue.length > 0) {
			this.scheduled = true;
			setImmediate(() => this.flush());
		}

		const sqlite = this.options.db.$client;
		const outcomes: { ok: boolean; value: unknown; events: LiveEvent[] }[] = [];
		try {
			sqlite
				.transaction(() => {
					for (const job of batch) {
						const events: LiveEvent[] = [];
						const publish = (more: LiveEvent[]) => void events.push(...more);
						try {
							const value = sqlite.transaction(() => job.work(publish))();
							outcomes.push({ ok: true, value, events });
						} catch (error) {
							outcomes.push({ ok: false, value: error, events: [] });
						}
					}
				})
				.immediate();
		} catch (error) {
			// The commit itself failed: nothing of the batch is on disk, so every unit fails.
			for (const job of batch) job.reject(error);
			return;
		}

		batch.forEach((job, index) => {
			const outcome = outcomes[index]!;
			if (!outcome.ok) return job.reject(outcome.value);
			if (outcome.events.length > 0) this.options.publish(outcome.events);
			job.resolve(outcome.value);
		});
	}
}
