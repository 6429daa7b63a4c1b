/**
 * `npm test`: every check the project has, in order, then one plain closing line
 * `N passed, N failed` that counts each test and each check (format, lint, types, build).
 * A later step still runs when an earlier one fails, so one run shows everything wrong.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

interface Tally {
	passed: number;
	failed: number;
	skipped: number;
}

const tally: Tally = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];

function run(command: string, args: string[]): boolean {
	console.log(`\n$ ${command} ${args.join(' ')}`);
	const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
	return result.status === 0;
}

function check(name: string, command: string, args: string[]): boolean {
	const ok = run(command, args);
	if (ok) tally.passed++;
	else {
		tally.failed++;
		failures.push(name);
	}
	return ok;
}

function readJson<T>(file: string): T | null {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
	} catch {
		return null;
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the reports are other tools' JSON
type Report = any;

function suite(
	name: string,
	command: string,
	args: string[],
	report: string,
	count: (json: Report) => Tally
) {
	fs.rmSync(report, { force: true });
	const ok = run(command, args);
	const json = readJson(report);
	if (!json) {
		tally.failed++;
		failures.push(`${name} (no report written)`);
		return;
	}
	const counted = count(json);
	tally.passed += counted.passed;
	tally.failed += counted.failed;
	tally.skipped += counted.skipped;
	if (counted.failed > 0 || !ok) {
		if (counted.failed === 0) tally.failed++;
		failures.push(name);
	}
}

fs.mkdirSync('reports', { recursive: true });
const bin = 'node_modules/.bin';

check('format', `${bin}/prettier`, ['--check', '.']);
check('lint', `${bin}/eslint`, ['.']);
check('types', 'sh', [
	'-c',
	`${bin}/svelte-kit sync && ${bin}/svelte-check --tsconfig ./tsconfig.json --fail-on-warnings`
]);
const built = check('build', `${bin}/vite`, ['build']);

suite(
	'unit and integration',
	`${bin}/vitest`,
	['run', '--reporter=default', '--reporter=json', '--outputFile=reports/vitest.json'],
	'reports/vitest.json',
	(json) => ({
		passed: json.numPassedTests,
		failed: json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0),
		skipped: json.numPendingTests + json.numTodoTests
	})
);

if (built) {
	suite('end to end', `${bin}/playwright`, ['test'], 'reports/playwright.json', (json) => ({
		passed: json.stats.expected,
		failed: json.stats.unexpected + json.stats.flaky,
		skipped: json.stats.skipped
	}));
} else {
	tally.failed++;
	failures.push('end to end (skipped: the build failed)');
}

if (failures.length > 0) console.log(`\nFailed: ${failures.join(', ')}`);
if (tally.skipped > 0) console.log(`\n${tally.skipped} skipped`);
// The last line is plain and exactly this shape: CI reads it and nothing else.
console.log(`\n${tally.passed} passed, ${tally.failed} failed`);
process.exit(tally.failed > 0 ? 1 : 0);
