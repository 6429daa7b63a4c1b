import { expect, test } from '@playwright/test';

test('an order placed on /order appears live on /orders in another browser', async ({
	browser
}) => {
	const staff = await (await browser.newContext()).newPage();
	await staff.goto('/orders');
	await expect(staff.getByTestId('connection')).toHaveText('Live');

	const customer = await (await browser.newContext()).newPage();
	await customer.goto('/order');
	await expect(customer.locator('html[data-hydrated]')).toBeAttached();
	const croissant = customer.locator('li[data-sku="CROISSANT"]');
	await croissant.getByRole('button', { name: 'One more Croissant' }).click();
	await croissant.getByRole('button', { name: 'One more Croissant' }).click();
	await customer.getByLabel('Note for Croissant').fill('well done');
	await customer.getByLabel('Your name').fill('Lea Martin');
	await customer.getByLabel('E-mail').fill('lea@example.com');
	const chosenTime = await customer.locator('select[name="time"] option:checked').textContent();
	await customer.getByRole('button', { name: 'Place order' }).click();

	await expect(customer).toHaveURL(/\/track\/[A-Za-z0-9_-]{24}$/);
	const number = (await customer.getByTestId('order-number').textContent())!.trim();
	await expect(customer.getByTestId('pickup-time')).toContainText(chosenTime!.trim());

	// No reload on the staff page: the row arrives over the socket.
	const row = staff.locator(`tr[data-order-number="${number}"]`);
	await expect(row).toBeVisible({ timeout: 3000 });
	await expect(row).toContainText('Lea Martin');
	await expect(row).toContainText('2 × Croissant');
	await expect(row).toContainText('well done');
});

test('the counter takes a walk-in order by keyboard and the list shows it', async ({ browser }) => {
	const staff = await (await browser.newContext()).newPage();
	await staff.goto('/orders');
	await expect(staff.getByTestId('connection')).toHaveText('Live');

	const counter = await (await browser.newContext()).newPage();
	await counter.goto('/pos');
	await expect(counter.locator('html[data-hydrated]')).toBeAttached();
	// Key 1 is the first product (Bread); pressing it twice and + once makes three.
	await counter.keyboard.press('1');
	await counter.keyboard.press('1');
	await counter.keyboard.press('+');
	await counter.keyboard.press('Enter');
	const number = (await counter.getByTestId('placed-number').textContent())!.trim();

	const row = staff.locator(`tr[data-order-number="${number}"]`);
	await expect(row).toContainText('3 × Bread');
	await expect(row).toContainText('Walk-in');
	await expect(row).toContainText('pos');
});

test('a refused order shows the reason next to the field and keeps the basket', async ({
	page
}) => {
	await page.goto('/order');
	await expect(page.locator('html[data-hydrated]')).toBeAttached();
	await page
		.locator('li[data-sku="BAGUETTE"]')
		.getByRole('button', { name: 'One more Baguette' })
		.click();
	await page.getByLabel('Your name').fill('Sam');
	await page.getByLabel('E-mail').fill('not-an-address');
	await page.getByRole('button', { name: 'Place order' }).click();

	await expect(page.getByRole('alert')).toHaveText(
		'Must be an e-mail address such as ana@example.com.'
	);
	await expect(
		page.getByText('must be an e-mail address such as ana@example.com').first()
	).toBeVisible();
	await expect(page.locator('li[data-sku="BAGUETTE"] output')).toHaveText('1');
});
