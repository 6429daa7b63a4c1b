import type { Role } from '../db/schema';

export type Access = 'public' | Role;

/*
 * Who may open what. Everything not listed as public needs a signed-in session, so a route added
 * later is closed until someone decides otherwise. Managers can do all that staff can.
 */
const PUBLIC_PAGES = [
	/^\/$/,
	/^\/order\/?$/,
	/^\/pickup\/?$/,
	/^\/track\/[^/]+\/?$/,
	/^\/rate\/[^/]+\/?$/,
	/^\/signin\/?$/,
	/^\/pair\/?$/,
	/^\/healthz\/?$/,
	/^\/favicon\.svg$/,
	/^\/robots\.txt$/,
	/^\/_app\//
];

/**
 * Public API calls: what the order page, the sign-in and the customer's links use. A method is
 * `*` where every method of the path is public, so a wrong one is answered 405 by the route.
 */
const PUBLIC_API: [method: string, path: RegExp][] = [
	['*', /^\/api\/products\/?$/],
	['*', /^\/api\/slots\/?$/],
	['POST', /^\/api\/orders\/?$/],
	['*', /^\/api\/session\/?$/],
	['*', /^\/api\/pair\/?$/],
	['*', /^\/api\/openapi\.json$/],
	// Signed by the provider; the route checks the signature.
	['*', /^\/api\/webhooks\//]
];

const MANAGER_ONLY = [
	/^\/admin(\/|$)/,
	/^\/api\/admin(\/|$)/,
	/^\/api\/reports(\/|$)/,
	/^\/metrics\/?$/
];

export function accessFor(method: string, pathname: string): Access {
	if (PUBLIC_PAGES.some((pattern) => pattern.test(pathname))) return 'public';
	const verb = method === 'HEAD' ? 'GET' : method;
	if (
		PUBLIC_API.some(
			([allowed, pattern]) => (allowed === '*' || allowed === verb) && pattern.test(pathname)
		)
	) {
		return 'public';
	}
	if (MANAGER_ONLY.some((pattern) => pattern.test(pathname))) return 'manager';
	// Moving the shop's clock is for replays run by a manager; reading it is for every screen.
	if (pathname.startsWith('/api/clock') && verb !== 'GET') return 'manager';
	return 'staff';
}

export function allows(role: Role | null, needed: Access): boolean {
	if (needed === 'public') return true;
	if (role === null) return false;
	return needed === 'staff' || role === 'manager';
}

/** The staff screens a wall screen can be paired to open. */
export const SCREEN_PAGES = ['/kitchen', '/packing', '/orders', '/pos'] as const;

/**
 * Only a path on this site, so a crafted link cannot send someone elsewhere after sign-in:
 * printable characters only (a browser drops tabs and newlines, and `/<TAB>/evil.example` would
 * become `//evil.example`), and it must still be this site once resolved as a browser would.
 */
export function safeNext(raw: string | null): string {
	if (!raw || !/^\/[\x21-\x7e]*$/.test(raw) || /^\/[/\\]/.test(raw)) return '/';
	const base = 'http://shop.invalid';
	const resolved = new URL(raw, base);
	if (resolved.origin !== base || resolved.pathname.startsWith('/signin')) return '/';
	return resolved.pathname + resolved.search;
}
