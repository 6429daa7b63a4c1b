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
