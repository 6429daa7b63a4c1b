import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface LaunchedServer {
	url: string;
	process: ChildProcess;
	stop(): Promise<void>;
}

/**
 * Starts the built server (`server.ts` over `build/`) in its own process, the way `npm start`
 * runs it, and waits until it listens. Its log goes to `logFile`.
 */
export async function launchServer(
	env: Record<string, string>,
	logFile: string
): Promise<LaunchedServer> {
	const log = fs.createWriteStream(logFile);
	const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
		env: { ...process.env, HOST: '127.0.0.1', PRINT_URLS: 'false', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout.pipe(log);
	child.stderr.pipe(log);

	const port = await new Promise<number>((resolve, reject) => {
		let seen = '';
		const timer = setTimeout(
			() => reject(new Error(`the server did not start; see ${logFile}`)),
			60_000
		);
		const onData = (chunk: Buffer) => {
			if (seen.length > 100_000) return;
			seen += chunk.toString();
			const match = /"port":(\d+).*"msg":"listening"/.exec(seen);
			if (match) {
				clearTimeout(timer);
				resolve(Number(match[1]));
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`the server exited with ${code}:\n${seen.slice(-2000)}`));
		});
	});

	return {
		url: `http://127.0.0.1:${port}`,
		process: child,
		stop: () =>
			new Promise((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => {
					log.end();
					resolve();
				});
				child.kill('SIGTERM');
			})
	};
}
