import type { Cookies } from '@sveltejs/kit';

import { PERSON_SESSION_MS, SESSION_COOKIE, type Viewer } from './sessions';

/** Browsers keep a cookie at most about 400 days; a paired screen renews it on every visit. */
const SCREEN_COOKIE_SECONDS = 400 * 24 * 60 * 60;

export function setSessionCookie(
	cookies: Cookies,
	token: string,
	kind: Viewer['kind'],
	origin: string
): void {
	cookies.set(SESSION_COOKIE, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		// Set from the shop's origin, not guessed: SvelteKit would mark it secure on http://127.0.0.1.
		secure: origin.startsWith('https:'),
		maxAge: kind === 'screen' ? SCREEN_COOKIE_SECONDS : PERSON_SESSION_MS / 1000
	});
}

export function clearSessionCookie(cookies: Cookies, origin: string): void {
	cookies.delete(SESSION_COOKIE, { path: '/', secure: origin.startsWith('https:') });
}
