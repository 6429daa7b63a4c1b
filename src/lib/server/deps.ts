import type { LiveEvent } from '../realtime/contract';

import type { Config } from './config';
import type { Db } from './db/client';
import type { GroupCommit } from './db/group-commit';
import type { Logger } from './logger';
import type { CourierClient } from './providers/courier';
import type { PaymentClient } from './providers/payments';

/** Outside services the shop has set up; each is absent until configured. */
export interface Providers {
	payments?: PaymentClient;
	courier?: CourierClient;
}

/**
 * What the order services need from the world, passed in rather than imported, so tests give
 * them a temporary database, a fixed clock and a recording publisher.
 */
export interface Deps {
	config: Config;
	db: Db;
	log: Logger;
	now(): number;
	/** Hands committed events to the realtime hub; call only after the transaction commits. */
	publish(events: LiveEvent[]): void;
	providers?: Providers;
	/** Batches concurrent intake into one commit; absent, each order commits on its own. */
	group?: GroupCommit;
}
