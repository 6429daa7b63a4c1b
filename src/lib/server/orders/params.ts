import { invalid } from '../errors';

/** An order id from a URL: a positive whole number. */
export function orderId(raw: string | undefined): number {
	if (raw === undefined || !/^[1-9]\d{0,14}$/.test(raw)) {
		throw invalid([
			{
				field: 'id',
				message: `${JSON.stringify(raw)} is not an order id; use the number from the order's id field`
			}
		]);
	}
	return Number(raw);
}
