import type { OrderView } from '../domain/order';
import { MINUTE_MS } from '../domain/shop-time';
import { seeded } from '../domain/random';
import type { LoadView, PlanView } from '../server/production/plan-view';
import type { DayPlan, ReplayOrder, ReplayRefund } from './day';

/**
 * Runs a planned day against a server, through the same HTTP commands the pages send: customers
 * order (online ahead, or at the till), bakers prep, load and unload the ovens on the plan's
 * times, packers box what is ready and hand it over when the customer comes. The server's
 * clock is simulated; the replay moves it (as fast as the server answers) or follows it (at a
 * speed a person can watch).
 */

export interface ApiAnswer<T = unknown> {
	status: number;
	body: T;
}

export class Api {
	#cookie = '';

	constructor(readonly base: string) {}

	/** Signs in as a manager: the replay moves the clock, which only a manager may. */
	async signIn(name: string, secret: string): Promise<void> {
		const answer = await this.post('/api/session', { name, secret });
		if (answer.status !== 201) throw new Error(`the replay could not sign in (${answer.status})`);
	}

	async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer<T>> {
		const response = await fetch(`${this.base}${path}`, {
			method,
			headers: {
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...(this.#cookie ? { cookie: this.#cookie } : {})
			},
			body: body === undefined ? undefined : JSON.stringify(body)
		});
		const session = response.headers
			.getSetCookie()
			.find((value) => value.startsWith('bakery_session='));
		if (session) this.#cookie = session.split(';')[0]!;
		const text = await response.text();
		return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
	}

	get<T>(path: string) {
		return this.call<T>('GET', path);
	}

	post<T>(path: string, body: unknown) {
		return this.call<T>('POST', path, body);
	}
}

interface ClockAnswer {
	nowMs: number;
	speed: number;
}

/** How the replay moves through the day. */
export type Pace = { kind: 'max' } | { kind: 'watch'; speed: number };

export interface EngineOptions {
	api: Api;
	pace: Pace;
	/** Minutes before the promised time a packer boxes an order ordered ahead. */
	packAheadMinutes?: number;
	/**
	 * The longest a customer at the counter waits for something to be baked; offered a later
	 * time, they take what the shelf has and leave the rest (counted in the report, not lost).
	 */
	walkInWaitMinutes?: number;
	/** When the replay stops waiting for what is still open. */
	endsAt: number;
	seed: number;
	/** Progress lines, for a person watching. */
	say?: (line: string) => void;
}

export interface PlacedOrder {
	ticket: string;
	channel: ReplayOrder['channel'];
	units: number;
	id?: number;
	/** The API's refusal, when the shop could not take it. */
	refused?: { status: number; message: string };
	/** A walk-in offered a time too far off, who took only what was on the shelf. */
	declined?: Declined;
}

interface Declined {
	promisedAt: string;
	/** Units left behind. */
	units: number;
}

export interface EngineResult {
	placed: PlacedOrder[];
	refunds: { ticket: string; sku: string; quantity: number; applied: boolean; reason: string }[];
	commands: Record<string, number>;
	/** Commands the server refused, by kind and message, for the report. */
	problems: { command: string; status: number; message: string }[];
	/** Orders still open when the replay stopped, and why. */
	stillOpen: { number: string; status: string; why: string }[];
}

const OPEN = 'received,in_production,ready,out_for_delivery';

function errorMessage(body: unknown): string {
	const error = (body as { error?: { message?: string } } | null)?.error;
	return error?.message ?? JSON.stringify(body);
}

export async function runDay(day: DayPlan, options: EngineOptions): Promise<EngineResult> {
	const { api } = options;
	const say = options.say ?? (() => {});
	const packAheadMs = (options.packAheadMinutes ?? 15) * MINUTE_MS;
	const walkInWaitMs = (options.walkInWaitMinutes ?? 120) * MINUTE_MS;
	const random = seeded(options.seed + 1);
	const commands: Record<string, number> = {};
	const problems: EngineResult['problems'] = [];
	const count = (name: string) => (commands[name] = (commands[name] ?? 0) + 1);
	/** Commands the server took; a step that takes none while work is due must let time pass. */
	let progress = 0;

	const queue = [...day.orders].sort((a, b) => a.placeAt - b.placeAt);
	const refunds = [...day.refunds].sort((a, b) => a.at - b.at);
	const placed: PlacedOrder[] = [];
	const refundResults: EngineResult['refunds'] = [];
	/** Order ids by SKU, newest last, for refunds of "the sale they follow". */
	const soldBy = new Map<string, { id: number; lineId: number; left: number }[]>();

	const now = async () => (await api.get<ClockAnswer>('/api/clock')).body.nowMs;
	const moveTo = async (at: number) => {
		if (options.pace.kind === 'max') {
			const answer = await api.post<ClockAnswer>('/api/clock', { at: new Date(at).toISOString() });
			if (answer.status !== 200) throw new Error(`the clock refused: ${errorMessage(answer.body)}`);
			return;
		}
		const speed = options.pace.speed;
		for (let current = await now(); current < at; current = await now()) {
			await new Promise((resolve) => setTimeout(resolve, Math.min(1000, (at - current) / speed)));
		}
	};

	const command = async (name: string, path: string, body: unknown) => {
		count(name);
		const answer = await api.post(path, body);
		if (answer.status >= 400) {
			problems.push({ command: name, status: answer.status, message: errorMessage(answer.body) });
		} else progress += 1;
		return answer;
	};

	const send = (order: ReplayOrder, lines: ReplayOrder['lines'], suffix = '') => {
		count('order');
		progress += 1;
		return api.post<OrderView>('/api/orders', {
			customer: { name: `Till ${order.ticket}` },
			fulfillment:
				order.channel === 'online'
					? { type: 'pickup', at: order.saleShopTime }
					: { type: 'pickup' },
			channel: order.channel,
			externalId: `replay-${day.date}-${order.ticket}${suffix}`,
			lines
		});
	};

	const taken = (order: ReplayOrder, view: OrderView, units: number, declined?: Declined) => {
		placed.push({ ticket: order.ticket, channel: order.channel, units, id: view.id, declined });
		for (const line of view.lines) {
			const list = soldBy.get(line.sku) ?? [];
			list.push({ id: view.id, lineId: line.id, left: line.quantity });
			soldBy.set(line.sku, list);
		}
	};

	/**
	 * A walk-in told to come back in hours takes what is on the shelf and leaves the rest: the
	 * order is cancelled and placed again with only what the shelf and the counter had.
	 */
	const shelfOnly = async (order: ReplayOrder, view: OrderView, units: number) => {
		const promisedAt = view.promisedAt ?? view.fulfillment.at;
		await command('decline', `/api/orders/${view.id}/cancel`, {
			expectedVersion: view.version,
			reason: 'the customer at the counter would not wait that long'
		});
		const kept = view.lines
			.map((line) => ({
				sku: line.sku,
				quantity: line.route === 'counter' ? line.quantity : line.reservedUnits
			}))
			.filter((line) => line.quantity > 0);
		const keptUnits = kept.reduce((total, line) => total + line.quantity, 0);
		const declined = { promisedAt, units: units - keptUnits };
		say(
			`walk-in at till ${order.ticket} would not wait until ${promisedAt}; took ${keptUnits} of ${units}`
		);
		if (kept.length === 0) {
			placed.push({ ticket: order.ticket, channel: order.channel, units: 0, declined });
			return;
		}
		const again = await send(order, kept, '-shelf');
		if (again.status === 201 || again.status === 200)
			return taken(order, again.body, keptUnits, declined);
		placed.push({
			ticket: order.ticket,
			channel: order.channel,
			units: keptUnits,
			declined,
			refused: { status: again.status, message: errorMessage(again.body) }
		});
	};

	const place = async (order: ReplayOrder) => {
		const answer = await send(order, order.lines);
		const units = order.lines.reduce((total, line) => total + line.quantity, 0);
		if (answer.status !== 201 && answer.status !== 200) {
			const refused = { status: answer.status, message: errorMessage(answer.body) };
			placed.push({ ticket: order.ticket, channel: order.channel, units, refused });
			say(`order for till ${order.ticket} refused: ${refused.message}`);
			return;
		}
		const promisedAt = Date.parse(answer.body.promisedAt ?? answer.body.fulfillment.at);
		if (order.channel === 'pos' && promisedAt - order.saleAt > walkInWaitMs) {
			return shelfOnly(order, answer.body, units);
		}
		taken(order, answer.body, units);
	};

	/** The loads' next step and when it is due. */
	const loadStep = (load: LoadView): { action: string; at: number } | null => {
		const prep = Date.parse(load.prepStartAt);
		const start = Date.parse(load.startAt);
		if (load.status === 'planned' && prep < start) return { action: 'prep', at: prep };
		if (load.status === 'planned' || load.status === 'prepping')
			return { action: 'start', at: start };
		if (load.status === 'baking') return { action: 'finish', at: Date.parse(load.endAt) };
		return null;
	};

	const packAt = (order: OrderView) =>
		order.channel === 'pos'
			? 0
			: Date.parse(order.promisedAt ?? order.fulfillment.at) - packAheadMs;
	const collectAt = (order: OrderView) =>
		Math.max(Date.parse(order.promisedAt ?? order.fulfillment.at), Date.parse(order.packedAt!));

	const refundDue = async (refund: ReplayRefund, clock: number, open: Set<number>) => {
		const list = soldBy.get(refund.sku) ?? [];
		const target = [...list].reverse().find((sold) => sold.left >= refund.quantity);
		if (!target) {
			refundResults.push({ ...refund, applied: false, reason: 'no earlier sale of it to refund' });
			return true;
		}
		// Refund once the sale it follows is closed; until then it waits.
		if (open.has(target.id) && clock < options.endsAt) return false;
		const answer = await command('refund', `/api/orders/${target.id}/refund`, {
			lines: [{ id: target.lineId, quantity: refund.quantity }],
			reason: `refund on till ticket ${refund.ticket} (file line ${refund.line})`
		});
		target.left -= refund.quantity;
		refundResults.push({
			...refund,
			applied: answer.status === 200,
			reason: answer.status === 200 ? `refunded on order ${target.id}` : errorMessage(answer.body)
		});
		return true;
	};

	let clock = await now();
	for (let step = 0; ; step += 1) {
		const progressBefore = progress;
		// Customers whose time has come.
		while (queue.length > 0 && queue[0]!.placeAt <= clock) await place(queue.shift()!);

		// Bakers: each load's next step once its time has come, then read the plan again.
		let plan = (await api.get<PlanView>('/api/plan')).body;
		for (let acted = true; acted;) {
			acted = false;
			for (const load of plan.loads) {
				const next = loadStep(load);
				if (!next || next.at > clock) continue;
				const answer = await command(next.action, `/api/loads/${load.id}/${next.action}`, {
					expectedVersion: load.version
				});
				if (answer.status === 200) {
					plan = answer.body as PlanView;
					acted = true;
					break;
				}
			}
		}

		// Packers and the counter.
		const open = (await api.get<{ orders: OrderView[] }>(`/api/orders?status=${OPEN}&limit=2000`))
			.body.orders;
		for (const order of open) {
			const waiting = order.status === 'received' || order.status === 'in_production';
			if (waiting && order.goodsReady && packAt(order) <= clock) {
				await command('pack', `/api/orders/${order.id}/pack`, {
					expectedVersion: order.version,
					lines: order.lines.map((line) => ({ id: line.id, packed: line.quantity }))
				});
			}
		}
		const packed = (await api.get<{ orders: OrderView[] }>(`/api/orders?status=ready&limit=2000`))
			.body.orders;
		for (const order of packed) {
			if (collectAt(order) > clock) continue;
			const paid = order.payment.state === 'paid' || order.payment.state === 'authorized';
			await command('collect', `/api/orders/${order.id}/complete`, {
				expectedVersion: order.version,
				...(paid ? {} : { payment: { method: random() < 0.5 ? 'cash' : 'card' } })
			});
		}

		// What is still open after packing and handover: it holds refunds back and sets the next step.
		const current = (
			await api.get<{ orders: OrderView[] }>(`/api/orders?status=${OPEN}&limit=2000`)
		).body.orders;
		const stillOpen = new Set(current.map((order) => order.id));
		while (refunds.length > 0 && refunds[0]!.at <= clock) {
			if (!(await refundDue(refunds[0]!, clock, stillOpen))) break;
			refunds.shift();
		}

		// The next moment anything is due.
		plan = (await api.get<PlanView>('/api/plan')).body;
		const upcoming = [
			queue[0]?.placeAt,
			// A refund waiting for its sale to close is woken by that order's own steps.
			refunds[0] && refunds[0].at > clock ? refunds[0].at : undefined,
			...plan.loads.map((load) => loadStep(load)?.at),
			...current.map((order) =>
				order.status === 'ready'
					? collectAt(order)
					: order.goodsReady && order.status !== 'out_for_delivery'
						? packAt(order)
						: undefined
			)
		].filter((at): at is number => at !== undefined);
		const due = upcoming.filter((at) => at > clock);
		const nowDue = upcoming.some((at) => at <= clock);
		if (due.length === 0 && !nowDue) {
			return finish(current, 'nothing more is due');
		}
		// Work due now that no command could do (an oven still full): let a minute pass.
		const stuck = nowDue && progress === progressBefore;
		const next = nowDue && !stuck ? clock : stuck ? clock + MINUTE_MS : Math.min(...due);
		if (next > options.endsAt) return finish(current, 'the replay ends here');
		if (next > clock) {
			await moveTo(next);
			clock = await now();
		}
		if (step % 50 === 0) say(`at ${new Date(clock).toISOString()}: ${placed.length} orders placed`);
	}

	function finish(open: OrderView[], reason: string): EngineResult {
		say(`replay stopped: ${reason}`);
		return {
			placed,
			refunds: refundResults,
			commands,
			problems,
			stillOpen: open.map((order) => ({
				number: order.number,
				status: order.status,
				why: whyOpen(order)
			}))
		};
	}
}

function whyOpen(order: OrderView): string {
	const short = order.lines.flatMap((line) => line.shortages);
	if (short.length > 0) return 'waits for an ingredient to be delivered';
	if (!order.goodsReady) return 'waits for goods that are not baked';
	return `is ${order.status}`;
}
