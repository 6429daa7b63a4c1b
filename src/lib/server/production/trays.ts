import { inArray } from 'drizzle-orm';

import type { TrayFeed } from '../../planner/types';
import type { Executor } from '../db/client';
import { loadTrays, trayFeeds } from '../db/schema';

export interface StoredTray {
	id: number;
	loadId: number;
	position: number;
	productId: number;
	units: number;
	feeds: TrayFeed[];
}

/** The trays of the given loads in position order, each with the lines it feeds; two queries. */
export function traysOfLoads(tx: Executor, loadIds: number[]): Map<number, StoredTray[]> {
	const byLoad = new Map<number, StoredTray[]>();
	if (loadIds.length === 0) return byLoad;

	const trays = tx
		.select()
		.from(loadTrays)
		.where(inArray(loadTrays.loadId, loadIds))
		.orderBy(loadTrays.position)
		.all();
	const feeds =
		trays.length === 0
			? []
			: tx
					.select()
					.from(trayFeeds)
					.where(
						inArray(
							trayFeeds.trayId,
							trays.map((tray) => tray.id)
						)
					)
					.all();
	for (const tray of trays) {
		const mine = feeds
			.filter((feed) => feed.trayId === tray.id)
			.map((feed) => ({ orderId: feed.orderId, lineId: feed.orderLineId, units: feed.units }));
		byLoad.set(tray.loadId, [...(byLoad.get(tray.loadId) ?? []), { ...tray, feeds: mine }]);
	}
	return byLoad;
}
