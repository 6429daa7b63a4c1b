import { inArray } from 'drizzle-orm';

import { products } from '../db/schema';
import type { Deps } from '../deps';
import { refused } from '../errors';
import { PaymentDeclined } from '../providers/payments';
import { AppError } from '../errors';
import { placeOrder, type PlaceOptions, type PlaceResult } from './intake';
import { orderInput } from './input';
import { findOrderId } from './queries';

/** The total the catalogue gives for a basket, for the amount to hold on the card. */
function basketTotal(deps: Deps, lines: { sku: string; quantity: number }[]): number {
	const prices = new Map(
		deps.db
			.select({ sku: products.sku, price: products.priceMinor })
			.from(products)
			.where(
				inArray(
					products.sku,
					lines.map((line) => line.sku)
				)
			)
			.all()
			.map((row) => [row.sku, row.price])
	);
	return lines.reduce((sum, line) => sum + (prices.get(line.sku) ?? 0) * line.quantity, 0);
}

/** Places the order in the next group commit when the process has one, else on its own. */
function place(deps: Deps, body: unknown, options: PlaceOptions): Promise<PlaceResult> {
	if (!deps.group) return Promise.resolve().then(() => placeOrder(deps, body, options));
	return deps.group.run((publish) => placeOrder({ ...deps, publish }, body, options));
}

/**
 * Takes an order that may be paid ahead by card. The card is held for the total before the
 * order is written, and released again if the order is refused, so a refusal never leaves money
 * held and a decline never leaves an order. The money is taken at handover.
 */
export async function takeOrder(
	deps: Deps,
	body: unknown,
	options: Omit<PlaceOptions, 'held'> = {}
): Promise<PlaceResult> {
	const parsed = orderInput.safeParse(body);
	// Anything wrong with the order is answered by placeOrder, with every field named.
	if (!parsed.success || !parsed.data.payment) return place(deps, body, options);
	const input = parsed.data;
	const payment = input.payment!;

	const retry = findOrderId(deps.db, {
		idempotencyKey: options.idempotencyKey ?? undefined,
		channel: input.channel,
		externalId: input.externalId
	});
	if (retry) return place(deps, body, options);

	const client = deps.providers?.payments;
	if (!client) {
		throw refused(
			'payment',
			'paying online by card is not set up in this shop; leave payment out and pay at pickup'
		);
	}
	const amountMinor = basketTotal(deps, input.lines);
	const currency = deps.db.select({ currency: products.currency }).from(products).get()?.currency;
	let intent;
	try {
		intent = await client.authorize({
			amountMinor,
			currency: currency ?? 'GBP',
			paymentMethod: payment.token,
			idempotencyKey: `hold-${options.idempotencyKey ?? crypto.randomUUID()}`,
			description: `Order for ${input.customer.name}`
		});
	} catch (error) {
		const reason =
			error instanceof PaymentDeclined
				? `the card was declined (${error.declineCode}): ${error.message}`
				: `the payment service did not answer (${error instanceof Error ? error.message : String(error)}); try again in a moment`;
		throw new AppError(402, 'payment_refused', `payment: ${reason}`, {
			problems: [{ field: 'payment.token', message: reason }]
		});
	}

	const release = () =>
		client
			.cancel(intent.id)
			.catch((error: unknown) =>
				deps.log
					.child({ module: 'payments' })
					.error(
						{ error, intent: intent.id },
						'a card hold for a refused order could not be released'
					)
			);
	try {
		const result = await place(deps, body, {
			...options,
			held: { providerRef: intent.id, amountMinor }
		});
		if (!result.created) await release();
		return result;
	} catch (error) {
		await release();
		throw error;
	}
}
