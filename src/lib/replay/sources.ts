import { parse } from 'csv-parse/sync';

/**
 * Sales files of real bakeries, read into one shape: a sale is one till transaction with its
 * items, on the shop's wall clock. Two formats are known, told apart by their header:
 *
 * - Bread Basket (an Edinburgh bakery): `Date,Time,Transaction,Item`, one row per item sold,
 *   so two coffees are two rows.
 * - French bakery: `,date,time,ticket_number,article,Quantity,unit_price`, one row per article
 *   with its quantity (`"1.0"`, negative for a refund) and price (`"0,90 €"`).
 */

export type SourceFormat = 'bread-basket' | 'french-bakery';

export interface SaleItem {
	/** The name as the till printed it, trimmed. */
	name: string;
	/** Units; negative for a refund. */
	quantity: number;
	/** Price per unit in minor units when the file has it. */
	unitPriceMinor: number | null;
	/** Line in the file (1 is the header), for messages. */
	line: number;
}

export interface Sale {
	/** The till's transaction or ticket number. */
	ticket: string;
	/** `yyyy-MM-dd` on the shop's wall clock. */
	date: string;
	/** `HH:mm:ss` on the shop's wall clock. */
	time: string;
	items: SaleItem[];
}

export class SourceError extends Error {}

const HEADERS: Record<SourceFormat, string[]> = {
	'bread-basket': ['Date', 'Time', 'Transaction', 'Item'],
	'french-bakery': ['date', 'time', 'ticket_number', 'article', 'Quantity', 'unit_price']
};

export function detectFormat(header: string[]): SourceFormat {
	const names = header.map((name) => name.trim());
	for (const [format, wanted] of Object.entries(HEADERS) as [SourceFormat, string[]][]) {
		if (wanted.every((name) => names.includes(name))) return format;
	}
	throw new SourceError(
		`the header ${JSON.stringify(names.join(','))} is neither Bread Basket (${HEADERS['bread-basket'].join(',')}) nor the French bakery format (${HEADERS['french-bakery'].join(',')})`
	);
}

/** `"0,90 €"` → 90; `"1.20"` → 120. */
export function parsePrice(text: string): number | null {
	const cleaned = text.replace(/[€$£\s\u00a0]/g, '').replace(',', '.');
	if (cleaned === '') return null;
	const value = Number(cleaned);
	return Number.isFinite(value) ? Math.round(value * 100) : null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

function normalTime(text: string, line: number): string {
	const match = TIME.exec(text.trim());
	if (!match) throw new SourceError(`line ${line}: time ${JSON.stringify(text)} is not HH:mm[:ss]`);
	return `${match[1]!.padStart(2, '0')}:${match[2]}:${match[3] ?? '00'}`;
}

function checkedDate(text: string, line: number): string {
	const date = text.trim();
	if (!DATE.test(date))
		throw new SourceError(`line ${line}: date ${JSON.stringify(text)} is not yyyy-MM-dd`);
	return date;
}

/** `"150040.0"` → `"150040"`: the French file writes its ticket numbers as floats. */
function ticketOf(text: string): string {
	const trimmed = text.trim();
	return /^\d+\.0+$/.test(trimmed) ? trimmed.replace(/\.0+$/, '') : trimmed;
}

/** Reads a whole sales file; sales keep the order in which the file first names them. */
export function readSales(text: string): { format: SourceFormat; sales: Sale[] } {
	const rows = parse(text, {
		bom: true,
		relax_column_count: true,
		skip_empty_lines: true
	}) as string[][];
	if (rows.length === 0) throw new SourceError('the file is empty');
	const header = rows[0]!;
	const format = detectFormat(header);
	const column = (name: string) => header.findIndex((cell) => cell.trim() === name);

	const byTicket = new Map<string, Sale>();
	rows.slice(1).forEach((row, index) => {
		const line = index + 2;
		const item =
			format === 'bread-basket'
				? breadBasketItem(row, column, line)
				: frenchItem(row, column, line);
		const key = `${item.date} ${item.ticket}`;
		let sale = byTicket.get(key);
		if (!sale) {
			sale = { ticket: item.ticket, date: item.date, time: item.time, items: [] };
			byTicket.set(key, sale);
		}
		sale.items.push(item.item);
	});
	return { format, sales: [...byTicket.values()] };
}

type Column = (name: string) => number;

function breadBasketItem(row: string[], column: Column, line: number) {
	return {
		date: checkedDate(row[column('Date')] ?? '', line),
		time: normalTime(row[column('Time')] ?? '', line),
		ticket: ticketOf(row[column('Transaction')] ?? ''),
		item: { name: (row[column('Item')] ?? '').trim(), quantity: 1, unitPriceMinor: null, line }
	};
}

function frenchItem(row: string[], column: Column, line: number) {
	const quantityText = (row[column('Quantity')] ?? '').trim();
	const quantity = Number(quantityText);
	if (!Number.isFinite(quantity) || !Number.isInteger(quantity) || quantity === 0) {
		throw new SourceError(
			`line ${line}: quantity ${JSON.stringify(quantityText)} is not a whole, non-zero number`
		);
	}
	return {
		date: checkedDate(row[column('date')] ?? '', line),
		time: normalTime(row[column('time')] ?? '', line),
		ticket: ticketOf(row[column('ticket_number')] ?? ''),
		item: {
			name: (row[column('article')] ?? '').trim(),
			quantity,
			unitPriceMinor: parsePrice(row[column('unit_price')] ?? ''),
			line
		}
	};
}
