import { runtime } from '$lib/server/runtime';

import type { LayoutServerLoad } from './$types';

/**
 * Every page gets the server's clock, so screens count down on the shop's time, and who is signed
 * in (a name and a role, never the session itself).
 */
export const load: LayoutServerLoad = ({ locals }) => {
	const { clock } = runtime();
	const viewer = locals.viewer
		? { name: locals.viewer.label, role: locals.viewer.role, kind: locals.viewer.kind }
		: null;
	return { clock: { nowMs: clock.now(), speed: clock.speed }, viewer };
};
