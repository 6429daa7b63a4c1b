import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';

import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Where drizzle-kit writes the migrations; the server runs from the repository root. */
export const MIGRATIONS_FOLDER = path.resolve(process.env.MIGRATIONS_PATH ?? 'drizzle');

/**
 * Opens the database file, creating its folder, and applies the committed migrations.
 *
 * WAL lets screens read while an order is written. `synchronous = FULL` makes every commit wait
 * for the WAL to reach the disk, so an order answered with 201 survives a power cut (NORMAL
 * would only survive a crash of the process). The busy timeout makes a second process wait
 * for the write lock instead of failing at once.
 */
export function openDatabase(file: string): Db {
	if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });

	const sqlite = cachingStatements(new Database(file));
	// First, so that even switching the journal mode waits for a process that holds the lock.
	sqlite.pragma('busy_timeout = 5000');
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('synchronous = FULL');
	sqlite.pragma('foreign_keys = ON');

	const db = drizzle(sqlite, { schema });
	applyMigrations(db);
	return db;
}

const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * Applies the committed migrations that the database lacks, in drizzle's own bookkeeping table.
 * drizzle's migrator reads which migrations ran before it takes the write lock, so two
 * processes starting on a fresh file at once would both create the tables and the second
 * would fail; here the check and the work share one `BEGIN IMMEDIATE`, and the second process
 * waits, then finds nothing left to do.
 */
function applyMigrations(db: Db): void {
	const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
	const sqlite = db.$client;
	sqlite
		.transaction(() => {
			sqlite.exec(
				`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" ` +
					'(id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)'
			);
			const last = sqlite
				.prepare(`SELECT created_at FROM "${MIGRATIONS_TABLE}" ORDER BY created_at DESC LIMIT 1`)
				.pluck()
				.get() as number | string | undefined;
			const appliedUpTo = last === undefined ? -Infinity : Number(last);
			const record = sqlite.prepare(
				`INSERT INTO "${MIGRATIONS_TABLE}" ("hash", "created_at") VALUES (?, ?)`
			);
			for (const migration of migrations) {
				if (migration.folderMillis <= appliedUpTo) continue;
				for (const statement of migration.sql) sqlite.exec(statement);
				record.run(migration.hash, migration.folderMillis);
			}
		})
		.immediate();
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * drizzle asks better-sqlite3 to compile every query afresh, and compiling costs more than
 * running the small queries an order makes. The query builder produces the same SQL text for
 * the same shape of query, so compiled statements are kept by their text (least recently used
 * go first). drizzle switches a statement to raw rows for some reads; a statement taken from
 * the cache starts back in the default mode.
 */
function cachingStatements(sqlite: Database.Database): Database.Database {
	const compile = sqlite.prepare.bind(sqlite);
	const cache = new Map<string, Database.Statement>();
	sqlite.prepare = ((source: string) => {
		let statement = cache.get(source);
		if (statement) {
			cache.delete(source);
			if (statement.reader) statement.pluck(false).expand(false).raw(false);
		} else {
			statement = compile(source);
			if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
		}
		cache.set(source, statement);
		return statement;
	}) as Database.Database['prepare'];
	return sqlite;
}

/** A transaction handle; helpers that only write take `Db | Tx` so they can join one. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;
