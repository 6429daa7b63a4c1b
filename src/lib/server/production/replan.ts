import { plan } from '../../planner/plan';
import type { LiveEvent } from '../../realtime/contract';
import type { Executor } from '../db/client';
import { readSettings } from '../settings';
import { plannerInput } from './planner-input';
import { storePlan } from './store-plan';

/**
 * Plans the ovens afresh from what the database holds now and stores the plan, in the caller's
 * transaction. Called after every change that moves demand or oven time; returns the events to
 * publish once that transaction commits.
 *
 * The caller's transaction must be `BEGIN IMMEDIATE` (every caller's is): the write lock is then
 * held from the first read to the commit, so two processes never plan from the same state and
 * store conflicting plans; the second waits (busy_timeout) and plans from the first's result.
 */
export function replan(tx: Executor, now: number, zone: string): LiveEvent[] {
	const input = plannerInput(tx, now, zone, readSettings(tx));
	return storePlan(tx, plan(input), now, zone);
}
