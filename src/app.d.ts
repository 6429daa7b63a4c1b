// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Viewer } from '$lib/server/auth/sessions';

declare global {
	namespace App {
		interface Error {
			message: string;
			code?: string;
		}
		interface Locals {
			/** The signed-in person or paired screen; null for the public. */
			viewer: Viewer | null;
		}
	}
}

export {};
