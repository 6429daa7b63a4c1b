import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

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
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('synchronous = FULL');
	sqlite.pragma('busy_timeout = 5000');
	sqlite.pragma('foreign_keys = ON');

	const db = drizzle(sqlite, { schema });
	migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
	return db;
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
