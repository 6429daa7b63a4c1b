import { fail, redirect } from '@sveltejs/kit';

import { limitedAttempt } from '$lib/server/auth/attempts';
import { setSessionCookie } from '$lib/server/auth/cookie';
import { pairScreen } from '$lib/server/auth/sessions';
import { AppError } from '$lib/server/errors';
import { runtime } from '$lib/server/runtime';

import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => ({
	pairedAs: locals.viewer?.kind === 'screen' ? locals.viewer.label : null
});

export const actions: Actions = {
	default: async ({ request, cookies, getClientAddress }) => {
		const rt = runtime();
		const code = String((await request.formData()).get('code') ?? '');
		let landing: string;
		try {
			const paired = await limitedAttempt(rt, { address: getClientAddress(), name: null }, () =>
				pairScreen(rt.db, Date.now(), code.slice(0, 20))
			);
			setSessionCookie(cookies, paired.token, 'screen', rt.config.origin);
			rt.log.info({ screen: paired.viewer.label }, 'wall screen paired');
			landing = paired.landing;
		} catch (error) {
			if (error instanceof AppError) return fail(error.status, { message: error.message });
			throw error;
		}
		redirect(303, landing);
	}
};
