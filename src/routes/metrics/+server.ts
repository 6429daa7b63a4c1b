import { collectDefaultMetrics, Registry } from 'prom-client';

import { endpoint, methodNotAllowed } from '$lib/server/http';
import { registerBakeryMetrics } from '$lib/server/reports/prometheus';
import { runtime } from '$lib/server/runtime';

/*
 * prom-client refuses a metric name registered twice, and Vite's dev server reloads this module;
 * so, like the runtime, the registry is one per process, kept on globalThis.
 */
const KEY = Symbol.for('bakery-flow.metrics-registry');
const store = globalThis as typeof globalThis & { [KEY]?: Registry };

function metricsRegistry(): Registry {
	return (store[KEY] ??= createRegistry());
}

function createRegistry(): Registry {
	const registry = new Registry();
	collectDefaultMetrics({ register: registry });
	registerBakeryMetrics(registry, runtime);
	return registry;
}

/** Process and bakery metrics in Prometheus' text format, for a scraper. */
export const GET = endpoint(async () => {
	const registry = metricsRegistry();
	return new Response(await registry.metrics(), {
		headers: { 'content-type': registry.contentType }
	});
});

export const fallback = methodNotAllowed('GET');
