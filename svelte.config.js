import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: {
		runes: true
	},
	kit: {
		adapter: adapter({ out: 'build' }),
		// SvelteKit's own CSRF check stays on (its default): form posts from another site are
		// refused, and server.ts refuses them on the API in the API's own shape first.
		// SvelteKit adds a nonce for its own start-up script; nothing else inline may run.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				// Svelte's transitions and style: directives write inline styles.
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				// 'self' covers the Socket.IO WebSocket on the same host.
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		},
		typescript: {
			// Type-check the root files too: server.ts, the configs and the scripts.
			config: (tsconfig) => {
				tsconfig.include.push(
					'../server.ts',
					'../vite.config.ts',
					'../playwright.config.ts',
					'../drizzle.config.ts',
					'../scripts/**/*.ts',
					'../bench/**/*.ts',
					'../tests/**/*.ts'
				);
				return tsconfig;
			}
		}
	}
};

export default config;
