import { expect, test, type Browser, type Page } from '@playwright/test';

async function screen(browser: Browser, path: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await page.goto(path);
	await expect(page.locator('html[data-hydrated]')).toBeAttached();
	return page;
}

test('one order runs from the counter through ovens and packing to the pickup board, no reloads', async ({
	browser,
	request
}) => {
	const kitchen = await screen(browser, '/kitchen');
	const packing = await screen(browser, '/packing');
	const board = await screen(browser, '/pickup');
	const counter = await screen(browser, '/pos');

	// The demo shelf has no focaccia, and other tests' full trays leave at most 11 on it: 13 need
	// the ovens whatever ran before.
	await counter.getByPlaceholder('Walk-in').fill('Lea Martin');
	await counter.locator('button.tile[data-sku="FOCACCIA"]').click();
	for (let more = 1; more < 13; more++) await counter.keyboard.press('+');
	await counter.getByPlaceholder('e.g. no nuts').fill('no nuts');
	await counter.getByRole('button', { name: /Place order/ }).click();
	const number = (await counter.getByTestId('placed-number').textContent())!.trim();

	const orders = (await (await request.get('/api/orders?status=received')).json()) as {
		orders: { number: string; trackingToken: string; fulfillment: { atShopTime: string } }[];
	};
	const order = orders.orders.find((entry) => entry.number === number)!;
	const tracking = await screen(browser, `/track/${order.trackingToken}`);
	await expect(tracking.getByTestId('status')).toHaveText('Order received');
	// The board lists today's orders being prepared; after closing time the order is for tomorrow.
	const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
	if (order.fulfillment.atShopTime.startsWith(today)) {
		await expect(board.getByTestId('preparing')).toContainText(number);
	}

	const load = kitchen.locator('article.load', { hasText: `#${number}` }).first();
	await load.getByRole('button', { name: 'Into the oven' }).click();
	await expect(tracking.getByTestId('status')).toHaveText('In the oven');
	await kitchen
		.locator('article.load.baking', { hasText: `#${number}` })
		.getByRole('button', { name: 'Out of the oven' })
		.click();

	const ticket = packing.locator(`article.ticket[data-order-number="${number}"]`).first();
	await expect(ticket).toBeVisible();
	await expect(ticket.locator('.remark.allergy')).toHaveText('no nuts');
	await expect(ticket.getByRole('button', { name: 'Tick every line' })).toBeDisabled();
	for (const tick of await ticket.locator('button.tick').all()) await tick.click();
	await ticket.getByRole('button', { name: 'Packed' }).click();

	await expect(board.getByTestId('ready')).toContainText(number);
	await expect(board.getByTestId('ready')).toContainText('Lea M.');
	await expect(board.getByTestId('ready')).not.toContainText('Martin');
	await expect(tracking.getByTestId('status')).toHaveText('Ready to collect');
});

test('two packing screens bump the same ticket: one wins, the other is told and shows it packed', async ({
	browser,
	request
}) => {
	const answer = await request.post('/api/orders', {
		data: {
			customer: { name: 'Sam Reid' },
			fulfillment: { type: 'pickup' },
			channel: 'pos',
			lines: [{ sku: 'BROWNIE', quantity: 1 }]
		}
	});
	const { number } = (await answer.json()) as { number: string };
	const first = await screen(browser, '/packing');
	// The second packer's screen misses the first bump: its socket's messages are held back (as a
	// slow network would), so its press still names the version it showed. It must lose, be told,
	// and show the truth once the messages arrive.
	const second = await (await browser.newContext()).newPage();
	let holding = false;
	const held: (() => void)[] = [];
	await second.routeWebSocket(/socket\.io/, (socket) => {
		const server = socket.connectToServer();
		server.onMessage((message) => {
			if (holding) held.push(() => socket.send(message));
			else socket.send(message);
		});
	});
	await second.goto('/packing');
	await expect(second.locator('html[data-hydrated]')).toBeAttached();
	const ticketOn = (page: Page) =>
		page.locator(`section[aria-label="To pack"] article[data-order-number="${number}"]`);
	await expect(ticketOn(first)).toBeVisible();
	await expect(ticketOn(second)).toBeVisible();
	for (const page of [first, second]) await ticketOn(page).locator('button.tick').first().click();

	holding = true;
	await ticketOn(first).getByRole('button', { name: 'Packed' }).click();
	await expect(ticketOn(first)).toHaveCount(0);
	await ticketOn(second).getByRole('button', { name: 'Packed' }).click();
	holding = false;
	for (const send of held.splice(0)) send();

	await expect(second.getByRole('alert')).toContainText(/changed on another screen|already packed/);
	await expect(first.getByRole('alert')).toHaveCount(0);
	for (const page of [first, second]) {
		await expect(ticketOn(page)).toHaveCount(0);
		await expect(
			page.locator(`section[aria-label="Packed"] article[data-order-number="${number}"]`)
		).toBeVisible();
	}
});

test('a packing screen offline for a minute catches up on reconnect, each change once', async ({
	browser,
	request
}) => {
	test.setTimeout(120_000);
	const order = async (name: string) => {
		const answer = await request.post('/api/orders', {
			data: {
				customer: { name },
				fulfillment: { type: 'pickup' },
				channel: 'pos',
				lines: [{ sku: 'BROWNIE', quantity: 1 }]
			}
		});
		return (await answer.json()) as { id: number; number: string; version: number };
	};
	const first = await order('Offline One');
	const packing = await screen(browser, '/packing');
	await expect(packing.locator(`article[data-order-number="${first.number}"]`)).toBeVisible();

	await packing.context().setOffline(true);
	const wentOffline = Date.now();
	await expect(packing.getByTestId('offline')).toBeVisible({ timeout: 60_000 });

	// While it is away: one order is packed elsewhere, and a new one arrives.
	await request.post(`/api/orders/${first.id}/pack`, { data: { expectedVersion: first.version } });
	const second = await order('Offline Two');
	await packing.waitForTimeout(Math.max(0, 60_000 - (Date.now() - wentOffline)));
	await packing.context().setOffline(false);

	await expect(packing.getByTestId('offline')).toHaveCount(0, { timeout: 30_000 });
	const toPack = packing.locator('section[aria-label="To pack"]');
	const packed = packing.locator('section[aria-label="Packed"]');
	await expect(toPack.locator(`article[data-order-number="${second.number}"]`)).toHaveCount(1);
	await expect(toPack.locator(`article[data-order-number="${first.number}"]`)).toHaveCount(0);
	await expect(packed.locator(`article[data-order-number="${first.number}"]`)).toHaveCount(1);
});
