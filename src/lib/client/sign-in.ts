/** Sends a staff screen whose session ended (revoked, expired) to sign in, and back afterwards. */
export function goToSignIn(): void {
	const here = location.pathname + location.search;
	location.assign(`/signin?next=${encodeURIComponent(here)}`);
}

/** The server answers a staff socket without a session with this connect error. */
export const UNAUTHORIZED = 'unauthorized';
