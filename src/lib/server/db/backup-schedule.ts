import { and, eq, lt, sql } from 'drizzle-orm';

import type { Logger } from '../logger';
import { backupDatabase, type BackupResult } from './backup';
import type { Db } from './client';
import { counters } from './schema';

export interface BackupSettings {
	dir: string;
	/** 0 turns the schedule off; backups on demand still work. */
	everyMinutes: number;
	keep: number;
}

const SLOT_COUNTER = 'backup-slot';

/**
 * Claims the backup of one interval for this process. Several server processes may share the
 * database; the first to raise the counter to this slot under the write lock takes the backup,
 * and the others see the slot taken. The counter lives in the database, so the claim needs no
 * other shared service.
 */
export function claimBackupSlot(db: Db, slot: number): boolean {
	return db.transaction(
		(tx) => {
			tx.insert(counters).values({ name: SLOT_COUNTER, value: -1 }).onConflictDoNothing().run();
			const raised = tx
				.update(counters)
				.set({ value: sql`${slot}` })
				.where(and(eq(counters.name, SLOT_COUNTER), lt(counters.value, slot)))
				.run();
			return raised.changes === 1;
		},
		{ behavior: 'immediate' }
	);
}

/**
 * Backs the database up once per interval, at the interval's end on the wall clock (a simulated
 * shop clock must not make backups race or stop). Backups on demand go through `now()` too, so
 * a scheduled and an asked-for backup never overlap on one connection.
 */
export class BackupSchedule {
	private timer: NodeJS.Timeout | undefined;
	private running: Promise<BackupResult> | undefined;
	private stopped = false;

	constructor(private readonly options: { db: Db; settings: BackupSettings; log: Logger }) {}

	get settings(): BackupSettings {
		return this.options.settings;
	}

	start(): void {
		const { dir, everyMinutes, keep } = this.options.settings;
		if (everyMinutes <= 0) {
			this.options.log.info({ dir }, 'scheduled backups are off (BACKUP_EVERY_MINUTES=0)');
			return;
		}
		this.options.log.info({ dir, everyMinutes, keep }, 'scheduled backups on');
		this.arm();
	}

	/** A backup now, whatever the schedule; waits for one already under way first. */
	async now(): Promise<BackupResult> {
		while (this.running) await this.running.catch(() => undefined);
		const { dir, keep } = this.options.settings;
		this.running = backupDatabase(this.options.db.$client, { dir, keep, now: Date.now() });
		try {
			const result = await this.running;
			this.options.log.info(
				{
					file: result.file,
					takenAt: result.takenAt,
					bytes: result.bytes,
					ms: result.durationMs,
					pruned: result.pruned
				},
				'database backed up'
			);
			return result;
		} finally {
			this.running = undefined;
		}
	}

	async stop(): Promise<void> {
		this.stopped = true;
		clearTimeout(this.timer);
		await this.running?.catch(() => undefined);
	}

	private get intervalMs(): number {
		return this.options.settings.everyMinutes * 60_000;
	}

	private arm(): void {
		if (this.stopped) return;
		const wait = this.intervalMs - (Date.now() % this.intervalMs);
		this.timer = setTimeout(() => void this.tick(), wait);
		this.timer.unref();
	}

	private async tick(): Promise<void> {
		// The slot that just ended; a timer that fires a moment early still names it.
		const slot = Math.round(Date.now() / this.intervalMs);
		try {
			if (claimBackupSlot(this.options.db, slot)) await this.now();
		} catch (error) {
			this.options.log.error(
				{ err: error, dir: this.options.settings.dir },
				'the scheduled backup failed; the database is not backed up until this is fixed'
			);
		}
		this.arm();
	}
}
