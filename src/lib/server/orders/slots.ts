import { earliestPickup, pickupSlots } from '../../domain/opening-hours';
import { addShopDays, formatShopTime, wallClock } from '../../domain/shop-time';
import type { Deps } from '../deps';
import { readSettings } from '../settings';
import { shopHours } from './intake';

export interface SlotDay {
	date: string;
	/** Like "Fri 14 Jun", for a button. */
	label: string;
	slots: { at: string; time: string }[];
}

/** Pickup times the shop offers from its opening hours and lead time, day by day. */
export function offeredSlots(deps: Deps, options: { from?: string; days: number }): SlotDay[] {
	const zone = deps.config.shopTimeZone;
	const now = deps.now();
	const shop = readSettings(deps.db);
	const rules = { now, leadMinutes: shop.leadMinutes, hours: shopHours(deps.db), zone };
	const first = options.from ?? wallClock(earliestPickup(rules) ?? now, zone).date;

	const days: SlotDay[] = [];
	for (let offset = 0; offset < options.days; offset++) {
		const date = addShopDays(first, offset);
		const slots = pickupSlots(date, shop.slotMinutes, rules).map((at) => ({
			at: new Date(at).toISOString(),
			time: formatShopTime(at, zone, 'HH:mm')
		}));
		const noon = new Date(`${date}T12:00:00Z`).getTime();
		days.push({ date, label: formatShopTime(noon, 'UTC', 'EEE d MMM'), slots });
	}
	return days;
}
