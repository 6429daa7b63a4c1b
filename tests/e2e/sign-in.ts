import path from 'node:path';

/** The manager the e2e server starts with, and where the signed-in browser state is kept. */
export const E2E_MANAGER = { name: 'E2E Manager', password: 'e2e-manager-password' };
export const STORAGE_STATE = path.resolve('reports/e2e-signed-in.json');
