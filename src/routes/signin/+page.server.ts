import { fail, redirect } from '@sveltejs/kit';

import { setSessionCookie } from '$lib/server/auth/cookie';
import { signIn } from '$lib/server/auth/staff';
import { AppError } from '$lib/server/errors';
import { runtime } from '$lib/server/runtime';
import { readSettings } from '$lib/server/settings';

import type { Actions, PageServerLoad } from './$types';

/** Only a path on this site, so a crafted link cannot send someone elsewhere after sign-in. */
function safeNext(raw: string | null): string {
	return raw && /^\/(?!\/)[^\\]*$/.test(raw) && !raw.startsWith('/signin') ? raw : '/';
}

export const load: PageServerLoad = ({ url, locals }) => ({
	shopName: readSettings(runtime().db).shopName,
	next: safeNext(url.searchParams.get('next')),
	signedInAs: locals.viewer?.label ?? null
});

export const actions: Actions = {
	default: async ({ request, cookies, url }) => {
		const rt = runtime();
		const form = await request.formData();
		const name = String(form.get('name') ?? '');
		try {
			const { token, viewer } = await signIn(rt.db, Date.now(), {
				name,
				secret: String(form.get('secret') ?? '')
			});
			setSessionCookie(cookies, token, viewer.kind, rt.config.origin);
			rt.log.info({ who: viewer.label, role: viewer.role }, 'signed in');
		} catch (error) {
			if (error instanceof AppError) return fail(error.status, { name, message: error.message });
			throw error;
		}
		redirect(303, safeNext(url.searchParams.get('next')));
	}
};
