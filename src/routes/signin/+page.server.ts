import { fail, redirect } from '@sveltejs/kit';

import { safeNext } from '$lib/server/auth/access';
import { limitedAttempt } from '$lib/server/auth/attempts';
import { setSessionCookie } from '$lib/server/auth/cookie';
import { signIn } from '$lib/server/auth/staff';
import { AppError } from '$lib/server/errors';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url, locals }) => ({
	shopName: readSettings(runtime().db).shopName,
	next: safeNext(url.searchParams.get('next')),
	signedInAs: locals.viewer?.label ?? null
});

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const rt = runtime();
		const form = await request.formData();
		const name = String(form.get('name') ?? '');
		try {
			const { token, viewer } = await limitedAttempt(
				rt,
				{ address: getClientAddress(), name },
				() => signIn(rt.db, Date.now(), { name, secret: String(form.get('secret') ?? '') })
			);
			setSessionCookie(cookies, token, viewer.kind, rt.config.origin);
			rt.log.info({ who: viewer.label, role: viewer.role }, 'signed in');
		} catch (error) {
			if (error instanceof AppError) return fail(error.status, { name, message: error.message });
			throw error;
		}
		redirect(303, safeNext(url.searchParams.get('next')));
	}
};
