import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { io } from 'socket.io-client';

import type { BakerySocket } from '../../src/lib/realtime/feed';

export interface RunningServer {
	url: string;
	port: number;
	databasePath: string;
	process: ChildProcess;
	/** Log lines the server printed, for assertions and for a failing test's story. */
	output: string[];
	/**
	 * Headers that sign a request in as the demo bakery's staff (a session cookie), for staff
	 * endpoints and staff sockets. Empty when the server has no demo accounts.
	 */
	headers: Record<string, string>;
	stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the built production server (server.ts over build/) on a free port with its own
 * database file, the way `npm start` runs it. `npm run build` must have run first.
 */
export async function startServer(
	env: Record<string, string> = {},
	/** Another entry or extra Node flags, for benchmarks that wrap the server. */
	launch: { entry?: string; nodeArgs?: string[] } = {}
): Promise<RunningServer> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakery-server-'));
	const databasePath = env.DATABASE_PATH ?? path.join(dir, 'bakery.sqlite');
	const args = [...(launch.nodeArgs ?? []), '--import', 'tsx', launch.entry ?? 'server.ts'];
	const manager = { MANAGER_NAME: TEST_MANAGER.name, MANAGER_PASSWORD: TEST_MANAGER.password };
	const child = spawn(process.execPath, args, {
		env: {
			...process.env,
			PORT: '0',
			HOST: '127.0.0.1',
			DATABASE_PATH: databasePath,
			LOG_LEVEL: 'info',
			PRINT_URLS: 'false',
			...manager,
			// Tests place orders faster than any customer; the limiter has its own test.
			PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000',
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});

	const output: string[] = [];
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`server did not start:\n${output.join('\n')}`)),
			30_000
		);
		const onLine = (chunk: Buffer) => {
			for (const line of chunk.toString().split('\n').filter(Boolean)) {
				output.push(line);
				const match = /"port":(\d+).*"msg":"listening"/.exec(line);
				if (match) {
					clearTimeout(timer);
					resolve(Number(match[1]));
				}
			}
		};
		child.stdout.on('data', onLine);
		child.stderr.on('data', onLine);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code}:\n${output.join('\n')}`));
		});
	});

	const url = `http://127.0.0.1:${port}`;
	const signedIn = env.SIGN_IN === 'false' ? {} : await signIn(url, TEST_MANAGER);
	return {
		url,
		port,
		databasePath,
		process: child,
		output,
		headers: signedIn,
		stop: (signal = 'SIGTERM') =>
			new Promise((resolve) => {
				if (child.exitCode !== null) return resolve(child.exitCode);
				child.once('exit', (code) => resolve(code));
				child.kill(signal);
			})
	};
}

/** The manager every test server starts with (MANAGER_NAME, MANAGER_PASSWORD). */
export const TEST_MANAGER = { name: 'Test Manager', password: 'test-manager-password' };

/** Signs in and answers the cookie header that carries the session. */
export async function signIn(
	url: string,
	who: { name: string; password: string }
): Promise<Record<string, string>> {
	const response = await fetch(`${url}/api/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: who.name, secret: who.password })
	});
	if (response.status !== 201) {
		throw new Error(`sign-in as ${who.name} failed: ${response.status} ${await response.text()}`);
	}
	const cookie = response.headers.getSetCookie().map((value) => value.split(';')[0]);
	return { cookie: cookie.join('; ') };
}

export function connectScreen(server: RunningServer): BakerySocket {
	return io(server.url, {
		transports: ['websocket'],
		extraHeaders: server.headers,
		reconnectionDelay: 50,
		reconnectionDelayMax: 200
	});
}

/** The first pickup time the server offers, so a test's order is valid whatever the hour. */
export async function firstSlot(server: RunningServer): Promise<string> {
	const answer = (await (await fetch(`${server.url}/api/slots`)).json()) as {
		days: { slots: { at: string }[] }[];
	};
	const at = answer.days.flatMap((day) => day.slots)[0]?.at;
	if (!at) throw new Error('the demo bakery offers no pickup time');
	return at;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers loosely
	return { status: response.status, body: (await response.json()) as Record<string, any> };
}

export function waitFor<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const tick = () => {
			const value = check();
			if (value !== undefined) return resolve(value);
			if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
			setTimeout(tick, 20);
		};
		tick();
	});
}

/** A port free right now, for a server that must come back on the same one after a restart. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer().listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
		probe.once('error', reject);
	});
}
