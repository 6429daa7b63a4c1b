import { sveltekit } from '@sveltejs/kit/vite';
import type { Plugin, ViteDevServer } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Attaches Socket.IO to Vite's own HTTP server for `npm run dev`, through the
 * same runtime module the pages use (loaded by Vite, so both share one copy). Inside vitest there
 * is no HTTP server and this does nothing.
 */
function realtimeDuringDev(): Plugin {
	const attach = async (server: ViteDevServer, load: () => Promise<unknown>) => {
		if (!server.httpServer) return;
		const { runtime } = (await load()) as typeof import('./src/lib/server/runtime');
		await runtime().hub.attach(server.httpServer as import('node:http').Server);
	};
	return {
		name: 'bakery-realtime',
		configureServer(server) {
			return () => void attach(server, () => server.ssrLoadModule('/src/lib/server/runtime.ts'));
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), realtimeDuringDev()],
	test: {
		include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'src/**/*.test.ts'],
		environment: 'node',
		testTimeout: 20_000,
		hookTimeout: 60_000,
		// Each integration file starts its own server process; two at a time suit two cores.
		maxWorkers: 2,
		server: { deps: { external: [/\/build\//] } }
	}
});
