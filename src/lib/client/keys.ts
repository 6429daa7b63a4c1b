/**
 * A fresh idempotency key. `crypto.randomUUID` exists only on secure pages (https or localhost);
 * shop tablets often reach the server over plain http on the local network, where
 * `getRandomValues` still works.
 */
export function newKey(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Idempotency keys for a form: sending the same contents again (a double tap, a retry after a
 * lost answer) reuses the key, so the server returns the order already taken; any change makes
 * a new order and a new key.
 */
export class SubmissionKeys {
	#body = '';
	#key = '';

	keyFor(body: unknown): string {
		const text = JSON.stringify(body);
		if (text !== this.#body) {
			this.#body = text;
			this.#key = newKey();
		}
		return this.#key;
	}

	/**
	 * The order was taken: the next one is a new order even with the same contents (two walk-ins
	 * each buying one coffee), so it gets a new key.
	 */
	settle(): void {
		this.#body = '';
		this.#key = '';
	}
}
