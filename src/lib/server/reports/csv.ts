import { stringify } from 'csv-stringify/sync';

import { CHANNELS } from '../../domain/order';
import type { DayReport } from './metrics';

export const REPORT_TABLES = ['orders', 'loads', 'hours'] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];

type Cell = string | number | boolean | null;

/** The columns of each export, in order, and how a day's report fills its rows. */
const TABLES: Record<
	ReportTable,
	{ columns: string[]; rows(report: DayReport): Record<string, Cell>[] }
> = {
	orders: {
		columns: [
			'number',
			'channel',
			'fulfillment',
			'placed_at',
			'ready_at',
			'completed_at',
			'promised_at',
			'asap',
			'placed_to_ready_minutes',
			'placed_to_collected_minutes',
			'on_time',
			'minutes_late',
			'packed_right',
			'rating'
		],
		rows: (report) =>
			report.orders.map((order) => ({
				number: order.number,
				channel: order.channel,
				fulfillment: order.fulfillmentType,
				placed_at: order.placedAt,
				ready_at: order.readyAt,
				completed_at: order.completedAt,
				promised_at: order.promisedAt,
				asap: order.asap,
				placed_to_ready_minutes: order.placedToReadyMinutes,
				placed_to_collected_minutes: order.placedToCollectedMinutes,
				on_time: order.onTime,
				minutes_late: order.minutesLate,
				packed_right: order.packedRight,
				rating: order.rating
			}))
	},
	loads: {
		columns: [
			'oven',
			'status',
			'start_at',
			'end_at',
			'temp_c',
			'trays',
			'capacity_trays',
			'tray_fill',
			'products'
		],
		rows: (report) =>
			report.schedule.map((load) => ({
				oven: load.oven,
				status: load.status,
				start_at: load.startAt,
				end_at: load.endAt,
				temp_c: load.tempC,
				trays: load.trays,
				capacity_trays: load.capacityTrays,
				tray_fill: load.trayFill,
				products: load.products.map((product) => `${product.units} ${product.name}`).join('; ')
			}))
	},
	hours: {
		// One column per known channel, whether or not it had orders, so every day's file lines up.
		columns: [
			'hour',
			'placed',
			...CHANNELS.map((channel) => `placed_${channel}`),
			'ready',
			'on_time',
			'on_time_rate'
		],
		rows: (report) =>
			report.series.hours.map((hour) => ({
				hour: `${String(hour.hour).padStart(2, '0')}:00`,
				placed: hour.placedTotal,
				...Object.fromEntries(
					CHANNELS.map((channel) => [`placed_${channel}`, hour.placed[channel] ?? 0])
				),
				ready: hour.ready,
				on_time: hour.onTime,
				on_time_rate: hour.onTimeRate
			}))
	}
};

/**
 * One table of a day's report as CSV with a header row. It starts with a byte-order mark because
 * Excel reads a CSV without one in the local code page, and product names are not all ASCII.
 */
export function reportCsv(report: DayReport, table: ReportTable): string {
	const { columns, rows } = TABLES[table];
	return stringify(rows(report), {
		bom: true,
		header: true,
		columns,
		cast: { boolean: (value) => String(value) }
	});
}

export function csvFileName(table: ReportTable, date: string): string {
	return `bakery-${table}-${date}.csv`;
}
