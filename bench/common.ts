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

/** A small seeded generator (mulberry32), so every run benchmarks the same instances. */
export function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

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
