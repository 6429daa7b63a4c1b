import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { AppError } from '../errors';
import { newDatabaseId, RENAME_DATABASE_SQL } from '../events/log';
import { MIGRATIONS_FOLDER } from './client';

/** One complete backup file in the backup folder. */
export interface BackupFile {
	file: string;
	name: string;
	/** When the copy was taken (from its name), as an ISO instant. */
	takenAt: string;
	bytes: number;
}

export interface BackupResult extends BackupFile {
	/** How long the copy and its check took. */
	durationMs: number;
	/** Backups the keep rule removed after this one was written. */
	pruned: string[];
}

export interface BackupOptions {
	dir: string;
	/** How many of the newest backups to keep; older ones are removed after a good copy. */
	keep: number;
	now: number;
	/**
	 * Pages copied per turn of the event loop. A server copies in slices so orders keep flowing;
	 * the script takes the whole file in one step, one consistent read, since nothing else runs.
	 */
	pagesPerStep?: number;
}

const PREFIX = 'bakery-';
const SUFFIX = '.sqlite';
/** `bakery-2025-03-01T06-30-00-000Z.sqlite`: sorts by name in time order, and is safe in any file system. */
const NAME = /^bakery-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.sqlite$/;

function nameFor(now: number): string {
	return PREFIX + new Date(now).toISOString().replace(/[:.]/g, '-') + SUFFIX;
}

function takenAtOf(name: string): string | null {
	const match = NAME.exec(name);
	if (!match) return null;
	const [, date, hours, minutes, seconds, millis] = match;
	return `${date}T${hours}:${minutes}:${seconds}.${millis}Z`;
}

/** The complete backups in `dir`, newest first; half-written ones have another name. */
export function listBackups(dir: string): BackupFile[] {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((name) => NAME.test(name))
		.sort()
		.reverse()
		.map((name) => {
			const file = path.join(dir, name);
			return { file, name, takenAt: takenAtOf(name)!, bytes: fs.statSync(file).size };
		});
}

/** Removes all but the newest `keep` backups; answers the names removed. */
export function pruneBackups(dir: string, keep: number): string[] {
	const old = listBackups(dir).slice(keep);
	for (const backup of old) fs.rmSync(backup.file, { force: true });
	return old.map((backup) => backup.name);
}

/**
 * Copies a live database into the backup folder with SQLite's online backup, which reads a
 * consistent state while the server keeps writing. The copy is written under a temporary name,
 * switched to a single-file journal, checked with `integrity_check`, flushed to disk, and only
 * then renamed to its final name: a crash halfway leaves a `.partial` file that is never listed
 * or restored.
 */
export async function backupDatabase(
	source: Database.Database,
	options: BackupOptions
): Promise<BackupResult> {
	const started = Date.now();
	fs.mkdirSync(options.dir, { recursive: true });
	const name = nameFor(options.now);
	const file = path.join(options.dir, name);
	if (fs.existsSync(file)) {
		throw new AppError(409, 'conflict', `a backup named ${name} already exists; try again`);
	}
	const partial = path.join(options.dir, `.${name}.partial`);

	try {
		const step = options.pagesPerStep ?? 1024;
		await source.backup(partial, { progress: () => step });
		// The copy carries the source's WAL flag; a backup should be one self-contained file.
		const copy = new Database(partial);
		try {
			copy.pragma('journal_mode = DELETE');
			assertIntact(copy, partial);
		} finally {
			copy.close();
		}
		flush(partial);
		fs.renameSync(partial, file);
		flush(options.dir);
	} catch (error) {
		fs.rmSync(partial, { force: true });
		throw error;
	}

	const pruned = pruneBackups(options.dir, options.keep);
	const bytes = fs.statSync(file).size;
	return { file, name, takenAt: takenAtOf(name)!, bytes, durationMs: Date.now() - started, pruned };
}

function flush(target: string): void {
	const fd = fs.openSync(target, 'r');
	try {
		fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
}

function assertIntact(sqlite: Database.Database, file: string): void {
	let problems: string[];
	try {
		const rows = sqlite.pragma('integrity_check') as { integrity_check: string }[];
		problems = rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
	} catch (error) {
		// A damaged header or page can stop the check itself.
		problems = [error instanceof Error ? error.message : String(error)];
	}
	if (problems.length > 0) {
		throw new AppError(
			422,
			'corrupt',
			`${file} fails SQLite's integrity check (${problems.slice(0, 3).join('; ')}); use another backup`
		);
	}
}

/** The newest migration a database has applied, as drizzle records it (its journal's `when`). */
function appliedMigration(sqlite: Database.Database): number {
	const table = sqlite
		.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`)
		.get();
	if (!table) return 0;
	const row = sqlite
		.prepare('SELECT max(created_at) AS latest FROM __drizzle_migrations')
		.get() as {
		latest: number | null;
	};
	return Number(row.latest ?? 0);
}

/** The newest migration this code ships. */
function shippedMigration(folder: string): number {
	const journal = JSON.parse(
		fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')
	) as {
		entries: { when: number }[];
	};
	return Math.max(0, ...journal.entries.map((entry) => entry.when));
}

/**
 * Whether a server (or anything else) has the database open. SQLite's exclusive locking mode
 * takes a lock that any other open connection blocks, even an idle one, and the operating
 * system drops those locks when a process dies, so a server killed with SIGKILL does not leave
 * the file looking busy.
 */
export function databaseInUse(file: string): boolean {
	if (!fs.existsSync(file)) return false;
	const probe = new Database(file, { timeout: 0 });
	try {
		probe.pragma('locking_mode = EXCLUSIVE');
		probe.exec('BEGIN EXCLUSIVE');
		probe.exec('COMMIT');
		return false;
	} catch (error) {
		if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
		throw error;
	} finally {
		// Closing the last connection also folds a crashed server's WAL into the file.
		probe.close();
	}
}

export interface RestoreResult {
	restored: string;
	from: string;
	/** Where the database that was replaced now is, or null when there was none. */
	setAside: string | null;
	/** Whether the staff list and sessions came from the replaced database, or all were ended. */
	access: 'kept' | 'signed out';
}

/**
 * Puts a backup in place of the database file. Refuses while the database is open, when the
 * backup fails its integrity check, and when the backup has migrations this code does not know
 * (it was taken by a newer version). The current file is renamed, never deleted, and its
 * -wal and -shm go with it so that SQLite cannot replay them into the restored copy.
 */
export function restoreDatabase(
	backupFile: string,
	databasePath: string,
	options: { now: number; migrationsFolder?: string }
): RestoreResult {
	const from = path.resolve(backupFile);
	if (!fs.existsSync(from)) {
		throw new AppError(
			404,
			'not_found',
			`${from} does not exist; pass a file from the backup folder`
		);
	}
	if (databaseInUse(databasePath)) {
		throw new AppError(
			409,
			'in_use',
			`${databasePath} is open in another process; stop every server that uses it, then restore`
		);
	}

	const backup = new Database(from, { readonly: true, fileMustExist: true });
	let applied: number;
	try {
		assertIntact(backup, from);
		applied = appliedMigration(backup);
	} finally {
		backup.close();
	}
	const shipped = shippedMigration(options.migrationsFolder ?? MIGRATIONS_FOLDER);
	if (applied > shipped) {
		throw new AppError(
			422,
			'too_new',
			`${from} was taken by a newer version of the app (its latest migration is from ${new Date(applied).toISOString()}, this code's from ${new Date(shipped).toISOString()}); restore it with that version`
		);
	}

	const dir = path.dirname(databasePath);
	fs.mkdirSync(dir, { recursive: true });
	const staged = `${databasePath}.restoring`;
	fs.copyFileSync(from, staged);
	// The restored log is another history than the one screens followed: give it a new name.
	let access: 'kept' | 'signed out' = 'signed out';
	const copy = new Database(staged);
	try {
		copy.prepare(RENAME_DATABASE_SQL).run(newDatabaseId());
		access = keepAccess(copy, fs.existsSync(databasePath) ? databasePath : null, options.now);
	} finally {
		copy.close();
	}
	flush(staged);

	let setAside: string | null = null;
	if (fs.existsSync(databasePath)) {
		setAside = `${databasePath}.before-restore-${new Date(options.now).toISOString().replace(/[:.]/g, '-')}`;
		fs.renameSync(databasePath, setAside);
	}
	for (const extra of ['-wal', '-shm']) {
		const stale = databasePath + extra;
		if (!fs.existsSync(stale)) continue;
		if (setAside && extra === '-wal') fs.renameSync(stale, setAside + extra);
		else fs.rmSync(stale, { force: true });
	}
	fs.renameSync(staged, databasePath);
	flush(dir);
	return { restored: databasePath, from, setAside, access };
}

/**
 * Who may sign in is today's decision, not the backup's: the backup remembers the sessions and
 * staff of its day, some revoked or taken off since (a lost tablet, someone who left). So the
 * restored file takes the staff list and sessions from the database it replaces, and every
 * unused pairing code is spent. When that database cannot be read (it may be why the shop is
 * restoring), everyone is signed out instead, to sign in and pair screens again.
 */
function keepAccess(
	copy: Database.Database,
	current: string | null,
	now: number
): 'kept' | 'signed out' {
	const tables = new Set(
		(
			copy.prepare("select name from sqlite_master where type = 'table'").all() as {
				name: string;
			}[]
		).map((row) => row.name)
	);
	if (!tables.has('sessions')) return 'signed out';
	copy.prepare('update pairing_codes set used_at = ? where used_at is null').run(now);
	if (current && fs.existsSync(current)) {
		try {
			copy.prepare('attach database ? as current').run(current);
			copy.transaction(() => {
				copy.exec(`insert or replace into main.staff_members (${STAFF_COLUMNS})
					select ${STAFF_COLUMNS} from current.staff_members`);
				copy.exec(`insert or replace into main.sessions (${SESSION_COLUMNS})
					select ${SESSION_COLUMNS} from current.sessions`);
			})();
			copy.exec('detach database current');
			return 'kept';
		} catch {
			// Unreadable, or from before sign-in existed: fall through and sign everyone out.
		}
	}
	copy.prepare('update sessions set revoked_at = ? where revoked_at is null').run(now);
	return 'signed out';
}

const STAFF_COLUMNS = 'id, name, role, password_hash, pin_hash, active, created_at';
const SESSION_COLUMNS =
	'id, kind, staff_id, label, role, created_at, last_seen_at, expires_at, revoked_at';
