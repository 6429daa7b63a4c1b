import { json } from '@sveltejs/kit';

import { invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, readJson } from '$lib/server/http';
import { finishLoad, reportTrayProblem, startLoad, startPrep } from '$lib/server/production/loads';
import { planView } from '$lib/server/production/plan-view';
import { runtime } from '$lib/server/runtime';

const ACTIONS = {
	prep: startPrep,
	start: startLoad,
	finish: finishLoad,
	problem: reportTrayProblem
};

/**
 * Oven station commands: `prep`, `start`, `finish` and `problem` (a lost tray). Each names the load
 * version the screen showed; the answer is the plan after the change.
 */
export const POST = endpoint(async ({ params, request }) => {
	const action = ACTIONS[params.action as keyof typeof ACTIONS];
	if (!action) {
		throw invalid([
			{
				field: 'action',
				message: `${params.action} is not a load command; use prep, start, finish or problem`
			}
		]);
	}
	if (!params.id || !/^[1-9]\d{0,14}$/.test(params.id)) {
		throw invalid([{ field: 'id', message: `${JSON.stringify(params.id)} is not a load id` }]);
	}

	const rt = runtime();
	action(rt, Number(params.id), await readJson(request));
	return json(planView(rt.db, rt.config.shopTimeZone));
});

export const fallback = methodNotAllowed('POST');
