import fs from 'node:fs';
import path from 'node:path';

/** Median of a list of numbers. */
export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = sorted.length >> 1;
	return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export { seeded } from '../src/lib/domain/random';

export function integer(random: () => number, min: number, max: number): number {
	return min + Math.floor(random() * (max - min + 1));
}

/** Writes a report as JSON and as a Markdown table under reports/. */
export function writeReport(name: string, data: unknown, markdown: string): void {
	fs.mkdirSync('reports', { recursive: true });
	fs.writeFileSync(path.join('reports', `${name}.json`), JSON.stringify(data, null, '\t'));
	fs.writeFileSync(path.join('reports', `${name}.md`), markdown);
	console.log(markdown);
	console.log(`written reports/${name}.json and reports/${name}.md`);
}

export function table(headers: string[], rows: (string | number)[][]): string {
	const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
	return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
