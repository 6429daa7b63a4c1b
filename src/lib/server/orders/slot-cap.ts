import { and, count, eq, gte, lt, ne } from 'drizzle-orm';

import { MINUTE_MS, wallClock } from '../../domain/shop-time';
import type { Executor } from '../db/client';
import { orders } from '../db/schema';

/**
 * The counter can hand over only so many orders in one slot. Slots run on the shop's clock from
 * midnight in steps of the slot length, so a 15-minute slot is 12:00 to 12:15 whatever the day's
 * opening time.
 */
export function slotStart(at: number, slotMinutes: number, zone: string): number {
	const { minuteOfDay } = wallClock(at, zone);
	const intoSlot = (minuteOfDay % slotMinutes) * MINUTE_MS + (at % MINUTE_MS);
	return at - intoSlot;
}

/** Pickups booked in the slot holding `at`; cancelled orders give their place back. */
export function bookedInSlot(db: Executor, at: number, slotMinutes: number, zone: string): number {
	const from = slotStart(at, slotMinutes, zone);
	return (
		db
			.select({ n: count() })
			.from(orders)
			.where(
				and(
					eq(orders.fulfillmentType, 'pickup'),
					ne(orders.status, 'cancelled'),
					gte(orders.fulfillmentAt, from),
					lt(orders.fulfillmentAt, from + slotMinutes * MINUTE_MS)
				)
			)
			.get()?.n ?? 0
	);
}

export interface SlotCap {
	slotMinutes: number;
	/** 0 = no cap. */
	capacity: number;
	zone: string;
}

export function isSlotFull(db: Executor, at: number, cap: SlotCap): boolean {
	return cap.capacity > 0 && bookedInSlot(db, at, cap.slotMinutes, cap.zone) >= cap.capacity;
}
