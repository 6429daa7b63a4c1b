import { expect, test, type Browser } from '@playwright/test';

/** A browser with no session, as a new tablet on the shop wall would be. */
async function signedOut(browser: Browser) {
	const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
	return context.newPage();
}

test('a staff page without a session goes to sign-in; staff sign in with a PIN and stay out of the back office', async ({
	browser,
	page
}) => {
	const name = `Pat ${Date.now() % 100000}`;
	await page.goto('/admin/staff');
	await expect(page.locator('html[data-hydrated]')).toBeAttached();
	await page.getByPlaceholder('Name', { exact: true }).fill(name);
	await page.getByPlaceholder(/PIN/).fill('4321');
	await page.getByRole('button', { name: 'Add' }).click();
	await expect(page.getByRole('status')).toContainText(`${name} can sign in now`);

	const tablet = await signedOut(browser);
	await tablet.goto('/kitchen');
	await expect(tablet).toHaveURL(/\/signin\?next=%2Fkitchen$/);
	await expect(tablet.locator('html[data-hydrated]')).toBeAttached();

	await tablet.getByLabel('Name').fill(name);
	await tablet.getByLabel('Password or PIN').fill('9999');
	await tablet.getByRole('button', { name: 'Sign in' }).click();
	await expect(tablet.getByRole('alert')).toContainText('name or password/PIN is wrong');

	await tablet.getByLabel('Password or PIN').fill('4321');
	await tablet.getByRole('button', { name: 'Sign in' }).click();
	await expect(tablet).toHaveURL(/\/kitchen$/);
	await expect(tablet.getByTestId('connection')).toHaveText('Live');
	await expect(tablet.getByTestId('sign-out')).toContainText(name);

	const office = await tablet.goto('/admin/staff');
	expect(office?.status()).toBe(403);
});

test('a wall screen pairs with a code, stays signed in, and is signed out when revoked', async ({
	browser,
	page
}) => {
	const label = `Packing wall ${Date.now() % 100000}`;
	await page.goto('/admin/staff');
	await expect(page.locator('html[data-hydrated]')).toBeAttached();
	await page.getByPlaceholder('Screen name').fill(label);
	await page.locator('select').nth(1).selectOption('/packing');
	await page.getByRole('button', { name: 'Make a code' }).click();
	const code = (await page.getByTestId('pairing-code').textContent())!.trim();
	expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);

	const wall = await signedOut(browser);
	await wall.goto('/pair');
	await expect(wall.locator('html[data-hydrated]')).toBeAttached();
	await wall.getByLabel('Code').fill(code.toLowerCase());
	await wall.getByRole('button', { name: 'Pair' }).click();
	await expect(wall).toHaveURL(/\/packing$/);
	await expect(wall.getByTestId('connection')).toHaveText('Live');
	await expect(wall.getByTestId('screen-name')).toHaveText(label);

	// The code works once.
	const again = await signedOut(browser);
	await again.goto('/pair');
	await expect(again.locator('html[data-hydrated]')).toBeAttached();
	await again.getByLabel('Code').fill(code);
	await again.getByRole('button', { name: 'Pair' }).click();
	await expect(again.getByRole('alert')).toContainText('unknown, used or expired');

	// A reload keeps the screen signed in; revoking it sends it to sign-in without a reload.
	await wall.reload();
	await expect(wall.getByTestId('connection')).toHaveText('Live');
	await page.reload();
	page.once('dialog', (dialog) => void dialog.accept());
	await page
		.getByTestId('session')
		.filter({ hasText: label })
		.getByRole('button', { name: 'Revoke' })
		.click();
	await expect(page.getByRole('status')).toContainText(`${label} is signed out`);
	await expect(wall).toHaveURL(/\/signin\?next=%2Fpacking$/, { timeout: 10_000 });
});
