import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { LiveEvent } from '../../src/lib/realtime/contract';
import { GroupCommit } from '../../src/lib/server/db/group-commit';
import { AppError } from '../../src/lib/server/errors';
import { takeOrder } from '../../src/lib/server/orders/pay-ahead';
import { footprint, testBakery, type TestBakery } from '../helpers/deps';

// Thursday 13 June 2024, 09:00 in London: the shop is open.
const NOW = Date.parse('2024-06-13T08:00:00Z');

function order(name: string, sku = 'CROISSANT') {
	return {
		customer: { name },
		fulfillment: { type: 'pickup', at: '2024-06-13T12:00' },
		lines: [{ sku, quantity: 2 }]
	};
}

let bakery: TestBakery;
let published: { seq: number; committed: boolean }[];
let group: GroupCommit;

beforeEach(() => {
	bakery = testBakery({ now: NOW });
	published = [];
	group = new GroupCommit({
		db: bakery.db,
		// Records, for each event, whether the write was already visible outside the transaction.
		publish: (events: LiveEvent[]) => {
			for (const event of events) {
				published.push({ seq: event.seq, committed: !bakery.db.$client.inTransaction });
			}
		}
	});
	bakery.deps.group = group;
});
afterEach(() => bakery.close());

describe('group commit', () => {
	it('commits orders sent together once, rolls back the refused one alone, announces after', async () => {
		const before = footprint(bakery.db);

		const answers = await Promise.allSettled([
			takeOrder(bakery.deps, order('Ana Ruiz')),
			takeOrder(bakery.deps, order('Ben Ode', 'NOT-ON-MENU')),
			takeOrder(bakery.deps, order('Cara Lim'))
		]);

		expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
		const refused = (answers[1] as PromiseRejectedResult).reason;
		expect(refused).toBeInstanceOf(AppError);
		expect((refused as AppError).message).toContain('lines[0].sku');

		const after = footprint(bakery.db);
		expect(after.orders! - before.orders!).toBe(2);
		const names = bakery.db.$client
			.prepare('select customer_name as name from orders order by id')
			.all() as { name: string }[];
		expect(names.map((row) => row.name)).toEqual(['Ana Ruiz', 'Cara Lim']);

		expect(published.length).toBeGreaterThanOrEqual(2);
		expect(published.every((event) => event.committed)).toBe(true);
		const seqs = published.map((event) => event.seq);
		expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
		// Nothing was handed to the test's own publisher directly: all went through the group.
		expect(bakery.published).toEqual([]);
	});

	it('keeps the other orders of a batch when one is refused by the database itself', async () => {
		bakery.db.$client.exec(
			"create trigger no_dee after insert on orders when new.customer_name = 'Dee Fail' begin select raise(abort, 'refused by a check'); end"
		);
		const count = () =>
			(bakery.db.$client.prepare('select count(*) as n from orders').get() as { n: number }).n;
		const before = count();

		const answers = await Promise.allSettled([
			takeOrder(bakery.deps, order('Eve Ok')),
			takeOrder(bakery.deps, order('Dee Fail'))
		]);

		expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected']);
		expect(count()).toBe(before + 1);
		expect(published.every((event) => event.committed)).toBe(true);
	});

	it('fails every unit of a batch whose commit fails, and announces none of them', async () => {
		const sqlite = bakery.db.$client;
		const counter = (name: string) =>
			sqlite.prepare('select value from counters where name = ?').get(name);
		// A foreign key checked only at COMMIT makes the commit itself fail, as a full disk would.
		const results = await Promise.allSettled([
			group.run((publish) => {
				sqlite.prepare("insert into counters (name, value) values ('first', 1)").run();
				publish([{ seq: 1 } as LiveEvent]);
				return 'first';
			}),
			group.run(() => {
				sqlite.pragma('defer_foreign_keys = ON');
				sqlite
					.prepare(
						"insert into stock_movements (product_id, reason, at) values (999999, 'adjust', 0)"
					)
					.run();
				return 'second';
			})
		]);

		expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
		expect(String((results[0] as PromiseRejectedResult).reason)).toContain('FOREIGN KEY');
		expect(counter('first')).toBeUndefined();
		expect(published).toEqual([]);
		expect(sqlite.inTransaction).toBe(false);
	});
});
