import { runtime } from '$lib/server/runtime';

import type { LayoutServerLoad } from './$types';

/** Every page gets the server's clock, so screens count down on the shop's time. */
export const load: LayoutServerLoad = () => {
	const { clock } = runtime();
	return { clock: { nowMs: clock.now(), speed: clock.speed } };
};
