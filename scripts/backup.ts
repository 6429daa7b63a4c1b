/**
 * `npm run backup`: copies the database at DATABASE_PATH into BACKUP_DIR (default: `backups/`
 * beside the database) and keeps the newest BACKUP_KEEP. Safe while a server runs: SQLite's
 * online backup reads one consistent state and never blocks the server's writes.
 */
import Database from 'better-sqlite3';

import { ConfigError, loadConfig } from '../src/lib/server/config';
import { backupDatabase } from '../src/lib/server/db/backup';
import { AppError } from '../src/lib/server/errors';

async function main(): Promise<void> {
	const config = loadConfig(process.env);
	const source = new Database(config.databasePath, { fileMustExist: true, timeout: 5000 });
	try {
		const result = await backupDatabase(source, {
			dir: config.backup.dir,
			keep: config.backup.keep,
			now: Date.now(),
			// Nothing else runs in this process: copy the whole file in one read.
			pagesPerStep: 0x7fffffff
		});
		console.log(`Backed up ${config.databasePath}`);
		console.log(`  to ${result.file} (${result.bytes} bytes, ${result.durationMs} ms, intact)`);
		if (result.pruned.length > 0) console.log(`  removed older: ${result.pruned.join(', ')}`);
	} finally {
		source.close();
	}
}

main().catch((error: unknown) => {
	if (error instanceof ConfigError || error instanceof AppError) {
		console.error(error.message);
	} else if ((error as { code?: string }).code === 'SQLITE_CANTOPEN') {
		console.error(
			`There is no database at ${process.env.DATABASE_PATH ?? './data/bakery.sqlite'}; set DATABASE_PATH to the shop's file.`
		);
	} else {
		console.error('The backup failed:', error);
	}
	process.exit(1);
});
