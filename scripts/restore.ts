/**
 * `npm run restore -- <backup file>`: puts a backup in place of the database at DATABASE_PATH.
 * Stop every server that uses the database first; the script refuses while one has it open.
 * The replaced file is kept beside it as `<name>.before-restore-<time>`.
 */
import { ConfigError, loadConfig } from '../src/lib/server/config';
import { restoreDatabase } from '../src/lib/server/db/backup';
import { AppError } from '../src/lib/server/errors';

function main(): void {
	const file = process.argv[2];
	if (!file || process.argv.length > 3) {
		console.error('Usage: npm run restore -- <backup file>   (see GET /api/admin/backups)');
		process.exit(2);
	}
	const config = loadConfig(process.env);
	const result = restoreDatabase(file, config.databasePath, { now: Date.now() });
	console.log(`Restored ${result.restored}`);
	console.log(`  from ${result.from}`);
	if (result.setAside) console.log(`  the replaced database is kept as ${result.setAside}`);
	console.log(
		result.access === 'kept'
			? '  staff and sign-ins are as they were before the restore'
			: '  everyone is signed out: sign in again and pair the wall screens again'
	);
	console.log('Start the server again; screens that were open catch up on their own.');
}

try {
	main();
} catch (error) {
	if (error instanceof ConfigError || error instanceof AppError) console.error(error.message);
	else console.error('The restore failed:', error);
	process.exit(1);
}
