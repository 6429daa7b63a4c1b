/**
 * Headers on every answer. The content security policy itself is SvelteKit's (svelte.config.js),
 * which adds a nonce for its own inline start-up script.
 */
export function securityHeaders(https: boolean): Record<string, string> {
	return {
		'x-content-type-options': 'nosniff',
		// Tracking and rating links carry the customer's token in the path: never send it to another
		// site. (Not no-referrer: then browsers send `Origin: null` on form posts, and SvelteKit's
		// CSRF check refuses the shop's own sign-in and rating forms.)
		'referrer-policy': 'same-origin',
		'x-frame-options': 'DENY',
		'cross-origin-opener-policy': 'same-origin',
		'cross-origin-resource-policy': 'same-origin',
		'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
		...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {})
	};
}
