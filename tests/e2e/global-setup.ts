import { request, type FullConfig } from '@playwright/test';

import { E2E_MANAGER, STORAGE_STATE } from './sign-in';

/** Signs the browser in once as the test server's manager; every test starts signed in. */
export default async function globalSetup(config: FullConfig): Promise<void> {
	const baseURL = config.projects[0]!.use.baseURL!;
	const context = await request.newContext({ baseURL });
	const answer = await context.post('/api/session', {
		data: { name: E2E_MANAGER.name, secret: E2E_MANAGER.password }
	});
	if (answer.status() !== 201) {
		throw new Error(`e2e sign-in failed: ${answer.status()} ${await answer.text()}`);
	}
	await context.storageState({ path: STORAGE_STATE });
	await context.dispose();
}
