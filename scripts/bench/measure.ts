/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * Measuring helpers for `npm run bench`: wall time, peak heap while something runs, a table
 * printer, and the count checks that make `npm run bench -- --short` fail (never a time).
 */
import { performance } from 'node:perf_hooks';

export interface Measured<T> {
	ms: number;
	/** Peak heap used above the heap at the start, in MB (sampled every 5 ms). */
	peakMb: number;
	value: T;
}

export async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
	const base = process.memoryUsage().heapUsed;
	let peak = base;
	const timer = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	}, 5);
	const start = performance.now();
	try {
		const value = await fn();
		peak = Math.max(peak, process.memoryUsage().heapUsed);
		return { ms: performance.now() - start, peakMb: (peak - base) / 2 ** 20, value };
	} finally {
		clearInterval(timer);
	}
}

export const ratio = (ms: number, anchorMs: number) => `${(ms / anchorMs).toFixed(2)}x`;

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Prints rows as an aligned Markdown table (so the README can take it as is). */
export function table(header: string[], rows: Array<Array<string | number>>): void {
	const cells = [header, ...rows.map((r) => r.map(String))];
	const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
	const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
	console.log(line(cells[0]));
	console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const r of cells.slice(1)) console.log(line(r));
}

/** Count checks: the bench fails on these, never on a time. */
export const failures: string[] = [];

export function expectCount(what: string, actual: number, expected: number | { max: number }): void {
	const ok = typeof expected === 'number' ? actual === expected : actual <= expected.max;
	const want = typeof expected === 'number' ? `${expected}` : `at most ${expected.max}`;
	console.log(`   check: ${what} = ${actual} (expected ${want}) ${ok ? 'ok' : 'FAILED'}`);
	if (!ok) failures.push(`${what}: ${actual}, expected ${want}`);
}
