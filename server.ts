/**
 * Production entry: one HTTP server for the SvelteKit pages and API (adapter-node's handler) and
 * Socket.IO, on one port. `npm start` builds first, then runs this file.
 */
import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { ConfigError, loadConfig } from './src/lib/server/config';
import { createRootLogger } from './src/lib/server/logger';
import { runtime } from './src/lib/server/runtime';

type Handler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

const PAGES = [
	['Online order page', '/order'],
	['Counter (POS)', '/pos'],
	['Live order list', '/orders'],
	['Oven station', '/kitchen'],
	['Packing', '/packing'],
	['Pickup board', '/pickup'],
	['Back office', '/admin'],
	['Shop platforms', '/admin/platforms'],
	['What to buy', '/admin/procurement'],
	['Reports', '/admin/reports'],
	['Notices sent', '/admin/notices'],
	['Staff and screens', '/admin/staff'],
	['Sign in', '/signin'],
	['Metrics', '/metrics'],
	['Products API', '/api/products'],
	['Health', '/healthz']
] as const;

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;

/**
 * The API takes JSON only. SvelteKit's cross-site check answers a form-typed POST from another
 * origin with a plain-text 403 before any route runs; answer it here in the API's own shape.
 */
function refuseFormBody(req: IncomingMessage, res: ServerResponse): boolean {
	const type = req.headers['content-type'] ?? '';
	if (!req.url?.startsWith('/api/') || req.method === 'GET' || !FORM_TYPES.test(type)) {
		return false;
	}
	if (req.url.split('?')[0] === '/api/webhooks/woocommerce') {
		// WooCommerce pings a new webhook with a form body (`webhook_id=12`) and will not save one
		// whose ping fails; SvelteKit would refuse it as a cross-site form. Nothing is stored, so
		// the ping is acknowledged without reading it.
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ received: true, stored: false, reason: 'ping' }));
		req.resume();
		return true;
	}
	const message = `is ${type.split(';')[0]}; send application/json`;
	res.writeHead(415, { 'content-type': 'application/json' });
	res.end(
		JSON.stringify({
			error: {
				code: 'unsupported_media_type',
				message: `Content-Type: ${message}`,
				problems: [{ field: 'Content-Type', message }]
			}
		})
	);
	// Drain the unread body so the connection can serve the next request.
	req.resume();
	return true;
}

/** Without ORIGIN a request's address comes from its Host header, which must then be one. */
function refuseBadHost(req: IncomingMessage, res: ServerResponse): boolean {
	const host = req.headers.host ?? '';
	if (/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) {
		try {
			// The shape is right; the URL parser also knows a port above 65535 is none.
			if (new URL(`http://${host}`).host) return false;
		} catch {
			// Falls through to the refusal.
		}
	}
	const message = `is ${host ? JSON.stringify(host) : 'missing'}; send the address you connected to, such as localhost:3000`;
	res.writeHead(400, { 'content-type': 'application/json' });
	res.end(
		JSON.stringify({
			error: {
				code: 'bad_host',
				message: `Host: ${message}`,
				problems: [{ field: 'Host', message }]
			}
		})
	);
	req.resume();
	return true;
}

async function main() {
	const rt = runtime();
	const log = rt.log.child({ module: 'server' });
	const first = await rt.ready;

	/*
	 * With ORIGIN set, adapter-node builds every request's URL on it (behind a proxy, or with TLS in
	 * front). Without it, a request's origin is the address the browser used, so a wall tablet on
	 * http://192.168.1.20:3000 and a laptop on http://localhost:3000 both pass the cross-site
	 * checks. adapter-node would assume https for those; this server speaks plain HTTP, and says
	 * so in a header of its own that it sets on every request (so no client can choose it).
	 */
	const PROTOCOL_HEADER = 'x-bakery-flow-protocol';
	if (rt.config.originFixed) {
		process.env.ORIGIN = rt.config.origin;
	} else {
		delete process.env.ORIGIN;
		process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;
	}
	const buildDir = path.resolve(process.env.BUILD_DIR ?? 'build');
	const { handler } = (await import(pathToFileURL(path.join(buildDir, 'handler.js')).href)) as {
		handler: Handler;
	};

	const server = createServer((req, res) => {
		if (!rt.config.originFixed) {
			if (refuseBadHost(req, res)) return;
			req.headers[PROTOCOL_HEADER] = 'http';
		}
		if (refuseFormBody(req, res)) return;
		handler(req, res);
	});
	await rt.hub.attach(server);

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(rt.config.port, rt.config.host, resolve);
	});
	const { port } = server.address() as AddressInfo;
	const base = rt.config.origin.replace(/:\d+$/, '') + `:${port}`;
	log.info({ port, origin: rt.config.origin }, 'listening');
	// In a cluster the first worker prints the page list; the others would only repeat it.
	const repeat = cluster.isWorker && cluster.worker?.id !== 1;
	if (!repeat && (process.stdout.isTTY || process.env.PRINT_URLS !== 'false')) {
		console.log(`\n${'Bakery is open'} at ${base}\n`);
		for (const [name, url] of PAGES) console.log(`  ${name.padEnd(20)} ${base}${url}`);
		console.log('');
	}
	// Printed once, on the start that made them; they are not kept anywhere in plain text.
	if (first.manager) {
		console.log(
			`  First manager: sign in at ${base}/signin as "${first.manager.name}" with password ${first.manager.password}\n` +
				'  (shown only now; set MANAGER_PASSWORD before the first start to choose it).'
		);
	}
	if (first.restored) {
		log.warn(
			{ manager: first.restored },
			'no active manager was left: made one again from MANAGER_PASSWORD'
		);
	}
	if (first.staff) {
		console.log(`  Demo staff: "${first.staff.name}" with PIN ${first.staff.pin}.`);
	}
	if (first.manager || first.staff) console.log('');

	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal }, 'shutting down');
		const forced = setTimeout(() => process.exit(1), 10_000).unref();
		server.closeIdleConnections();
		await rt.close();
		await new Promise<void>((resolve) => server.close(() => resolve()));
		clearTimeout(forced);
		log.info('stopped');
		process.exit(0);
	};
	process.on('SIGTERM', (signal) => void stop(signal));
	process.on('SIGINT', (signal) => void stop(signal));
}

/** `--workers N` on the command line (`npm start -- --workers 2`) stands for WORKERS=N. */
function workersFromArgs(args: string[]): void {
	const index = args.findIndex((arg) => arg === '--workers' || arg.startsWith('--workers='));
	if (index === -1) return;
	const arg = args[index]!;
	process.env.WORKERS = arg.includes('=')
		? arg.slice(arg.indexOf('=') + 1)
		: (args[index + 1] ?? '');
}

/**
 * Several processes on one port: the primary only forks and watches; each worker is a whole
 * server (its own runtime, database connection and Socket.IO) that node:cluster hands
 * connections to. Workers meet through Redis (required) and the one database file.
 */
async function primary(workers: number): Promise<void> {
	const config = loadConfig(process.env);
	const log = createRootLogger(config.logLevel).child({ module: 'cluster' });
	log.info({ workers, redisKey: config.redisKey }, 'starting workers');

	let stopping = false;
	const fork = () => cluster.fork();
	for (let i = 0; i < workers; i += 1) fork();
	cluster.on('exit', (worker, code, signal) => {
		if (stopping) return;
		log.error({ worker: worker.process.pid, code, signal }, 'worker died; starting another');
		setTimeout(fork, 1_000).unref();
	});

	const stop = (signal: NodeJS.Signals) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal }, 'stopping workers');
		for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
		const forced = setTimeout(() => process.exit(1), 12_000).unref();
		cluster.on('exit', () => {
			if (Object.keys(cluster.workers ?? {}).length > 0) return;
			clearTimeout(forced);
			process.exit(0);
		});
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

async function start(): Promise<void> {
	workersFromArgs(process.argv.slice(2));
	if (cluster.isWorker) return main();
	const { workers } = loadConfig(process.env);
	return workers > 1 ? primary(workers) : main();
}

start().catch((error: unknown) => {
	const code = (error as NodeJS.ErrnoException).code;
	if (error instanceof ConfigError) {
		console.error(error.message);
	} else if (code === 'EADDRINUSE' || code === 'EACCES') {
		const port = process.env.PORT ?? '3000';
		console.error(
			code === 'EADDRINUSE'
				? `Port ${port} is already in use; stop the other program or set PORT to a free port (PORT=3001 npm start).`
				: `Port ${port} needs privileges this user lacks; set PORT to 1024 or above.`
		);
	} else {
		console.error('The server could not start:', error);
	}
	process.exit(1);
});
