/**
 * The production server with a way to collect garbage on request, for memory figures that do
 * not depend on when the collector last ran: `kill -USR2 <pid>` runs a full collection.
 * Start with `node --expose-gc --import tsx bench/gc-server.ts`. Benchmarks only.
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('start with node --expose-gc');
process.on('SIGUSR2', () => collect());

await import('../server');

export {};
