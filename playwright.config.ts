import os from 'node:os';
import path from 'node:path';

import { defineConfig, devices } from '@playwright/test';

import { E2E_MANAGER, STORAGE_STATE } from './tests/e2e/sign-in';

const PORT = Number(process.env.E2E_PORT ?? 4173);
// Outside test-results/, which Playwright empties at start; a new file per run.
const DATABASE_PATH = path.join(os.tmpdir(), `bakery-e2e-${process.pid}-${Date.now()}.sqlite`);

/**
 * Browser tests drive Debian's Chromium (no browser download is possible here). Set
 * CHROMIUM_PATH to another binary, or to an empty string to use Playwright's own browser.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
	testDir: 'tests/e2e',
	globalSetup: './tests/e2e/global-setup.ts',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 30_000,
	reporter: [['list'], ['json', { outputFile: 'reports/playwright.json' }]],
	use: {
		baseURL: `http://127.0.0.1:${PORT}`,
		storageState: STORAGE_STATE,
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure'
	},
	projects: [
		{
			name: 'chromium',
			use: {
				...devices['Desktop Chrome'],
				launchOptions: {
					executablePath: chromiumPath || undefined,
					args: [
						'--headless',
						'--no-sandbox',
						'--disable-gpu',
						'--disable-quic',
						'--no-first-run',
						'--disable-background-networking',
						'--disable-component-update',
						'--disable-sync'
					]
				}
			}
		}
	],
	webServer: {
		command: 'node --import tsx server.ts',
		url: `http://127.0.0.1:${PORT}/healthz`,
		reuseExistingServer: false,
		timeout: 60_000,
		env: {
			PORT: String(PORT),
			HOST: '127.0.0.1',
			ORIGIN: `http://127.0.0.1:${PORT}`,
			DATABASE_PATH,
			LOG_LEVEL: 'warn',
			PRINT_URLS: 'false',
			MANAGER_NAME: E2E_MANAGER.name,
			MANAGER_PASSWORD: E2E_MANAGER.password,
			PUBLIC_RATE_LIMIT_PER_MINUTE: '1000000'
		}
	}
});
