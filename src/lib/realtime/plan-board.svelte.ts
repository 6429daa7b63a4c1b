import { io } from 'socket.io-client';

import { goToSignIn, UNAUTHORIZED } from '../client/sign-in';
import type { PlanView } from '../server/production/plan-view';
import { LiveFeed, type BakerySocket } from './feed';

/**
 * The oven plan a kitchen screen shows, kept live: every committed change that moves the plan
 * announces itself with a `plan.updated` event, and the screen then reads the plan afresh.
 */
export class PlanBoard {
	plan = $state<PlanView>() as PlanView;
	online = $state(false);
	#socket: BakerySocket | null = null;
	#feed: LiveFeed | null = null;
	#loading: Promise<void> | null = null;

	constructor(
		initial: PlanView,
		private readonly head: number
	) {
		this.plan = initial;
	}

	connect(onChange?: () => void): void {
		this.#socket = io({ transports: ['websocket', 'polling'] });
		this.#socket.on('connect_error', (error) => {
			if (error.message === UNAUTHORIZED) goToSignIn();
		});
		this.#feed = new LiveFeed(
			this.#socket,
			{
				onEvent: (event) => {
					if (event.type === 'plan.updated') void this.refresh().then(onChange);
				},
				onSnapshot: () => void this.refresh(),
				onConnectionChange: (online) => (this.online = online)
			},
			this.head
		);
	}

	/** Reads the plan; calls that come while one is under way share it. */
	refresh(): Promise<void> {
		this.#loading ??= fetch('/api/plan')
			.then((response) => (response.ok ? (response.json() as Promise<PlanView>) : null))
			.then((plan) => {
				if (plan) this.plan = plan;
			})
			.catch(() => undefined)
			.finally(() => (this.#loading = null));
		return this.#loading;
	}

	disconnect(): void {
		this.#feed?.stop();
		this.#socket?.disconnect();
	}
}
