import { expect, test } from '@playwright/test';

test('a manager sets up a new product with its recipe in /admin and the order page offers it', async ({
	page,
	browser
}) => {
	await page.goto('/admin/products');
	await expect(page.locator('html[data-hydrated]')).toBeAttached();

	await page.getByLabel('SKU').fill('PRETZEL');
	await page.getByLabel('Name').fill('Salted pretzel');
	await page.getByLabel('Category').fill('bread');
	await page.getByLabel('Price').fill('2.40');
	await page.getByLabel('Shelf life (hours)').fill('12');
	await page.getByLabel('Units per tray').fill('12');
	await page.getByLabel('Bake minutes').fill('14');
	await page.getByLabel('Bake °C').fill('220');
	await page.getByLabel('Ingredient 1').selectOption('bread-flour');
	await page.getByLabel('Amount 1').fill('90');
	await page.getByRole('button', { name: 'Add an ingredient' }).click();
	await page.getByLabel('Ingredient 2').selectOption('salt');
	await page.getByLabel('Amount 2').fill('2.5');
	await page.getByRole('button', { name: 'Save product' }).click();

	await expect(page.getByRole('status')).toHaveText('Salted pretzel is saved and on the menu.');
	const row = page.getByTestId('product-row').filter({ hasText: 'PRETZEL' });
	await expect(row).toContainText('12/tray, 14 min at 220°C');
	await expect(row).toContainText('2 ingredients');

	// A customer, signed out, sees it on the order page at its price.
	const customer = await (await browser.newContext({ storageState: undefined })).newPage();
	await customer.goto('/order');
	const item = customer.locator('li[data-sku="PRETZEL"]');
	await expect(item).toContainText('Salted pretzel');
	await expect(item).toContainText('2.40');

	// Off for today: the order page says so, and it can still be ordered for another day.
	await expect(item).not.toContainText('Not today');
	await row.getByRole('button', { name: 'Off for today' }).click();
	await expect(row.getByRole('button', { name: 'Back on today' })).toBeVisible();
	await customer.reload();
	await expect(customer.locator('li[data-sku="BREAD"]')).toBeVisible();
	await expect(customer.locator('li[data-sku="PRETZEL"]')).toContainText(
		'Not today: order it for another day'
	);
});

test('a manager edits a price in pounds, with a decimal comma, and the row shows it', async ({
	page
}) => {
	await page.goto('/admin/products');
	await expect(page.locator('html[data-hydrated]')).toBeAttached();
	const row = page.getByTestId('product-row').filter({ hasText: 'COFFEE' });
	await row.getByRole('button', { name: 'Edit' }).click();
	await expect(page.getByRole('heading', { name: 'Edit COFFEE' })).toBeVisible();

	await page.getByLabel('Price in GBP').fill('two pounds');
	await page.getByRole('button', { name: 'Save product' }).click();
	await expect(page.getByRole('status')).toHaveText(
		'Price: "two pounds" is not a price in GBP; write it like 2.40 (or 2,40)'
	);

	await page.getByLabel('Price in GBP').fill('2,90');
	await page.getByRole('button', { name: 'Save product' }).click();
	await expect(page.getByRole('status')).toHaveText('Coffee is saved and on the menu.');
	await expect(row.locator('td').nth(2)).toHaveText('2.90');
});

test('a manager takes an oven out of service and puts it back', async ({ page }) => {
	await page.goto('/admin/ovens');
	await expect(page.locator('html[data-hydrated]')).toBeAttached();
	const row = page.getByTestId('oven-row').filter({ hasText: 'Rack oven' });
	await expect(row).toContainText('yes');

	await row.getByRole('button', { name: 'Edit' }).click();
	await page.getByLabel('In service').uncheck();
	await page.getByRole('button', { name: 'Save oven' }).click();
	await expect(page.getByRole('status')).toHaveText(
		'Rack oven is saved, out of service: nothing is planned in it.'
	);
	await expect(row).toContainText('no: nothing is planned in it');
	await expect(row).toContainText('rack');

	await row.getByRole('button', { name: 'Edit' }).click();
	await page.getByLabel('In service').check();
	await page.getByRole('button', { name: 'Save oven' }).click();
	await expect(row).toContainText('yes');
});
