import { expect, test } from '@playwright/test';

test('a counter order to bake appears on the oven station, which starts and finishes its load', async ({
	browser,
	request
}) => {
	const kitchen = await (await browser.newContext()).newPage();
	await kitchen.goto('/kitchen');
	await expect(kitchen.locator('html[data-hydrated]')).toBeAttached();
	await expect(kitchen.getByText('Live', { exact: true })).toBeVisible();

	// Focaccia is never on the demo shelf: every unit is baked for the order.
	const answer = await request.post('/api/orders', {
		data: {
			customer: { name: 'Lea Martin' },
			fulfillment: { type: 'pickup' },
			channel: 'pos',
			lines: [
				{ sku: 'FOCACCIA', quantity: 5, note: 'no nuts please', modifiers: ['Happy birthday Lea'] }
			]
		}
	});
	expect(answer.status()).toBe(201);
	const order = (await answer.json()) as { number: string };

	const load = kitchen.locator('article.load.planned', { hasText: `#${order.number}` }).first();
	await expect(load).toBeVisible({ timeout: 3000 });
	await expect(load.locator('.remark.allergy')).toContainText('no nuts please');
	await expect(load.locator('.remark')).toContainText('Happy birthday Lea');

	await load.getByRole('button', { name: 'Into the oven' }).click();
	const baking = kitchen.locator('article.load.baking', { hasText: `#${order.number}` });
	await expect(baking).toBeVisible();
	await expect(baking.locator('.timer')).toHaveText(/^\d+:\d{2}$/);

	await baking.getByRole('button', { name: 'Out of the oven' }).click();
	await expect(kitchen.locator('article.load', { hasText: `#${order.number}` })).toHaveCount(0);
});
