// The anchor of the bench's real-n8n case: a raw sequential `fetch` loop with one Altinn token, in its
// own Node process (as n8n is), so it does not share an event loop with the emulator in the bench process.
// Reads { url, count, warmup, token } as JSON on stdin (the token never goes on the command line),
// makes `warmup` untimed requests, then times `count` requests; prints { ms } as JSON.
import { performance } from 'node:perf_hooks';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { url, count, warmup, token } = JSON.parse(input);
const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };

async function get() {
	const res = await fetch(url, { headers });
	if (!res.ok) throw new Error(`raw fetch loop: HTTP ${res.status}`);
	await res.json();
}

for (let i = 0; i < warmup; i++) await get();
const start = performance.now();
for (let i = 0; i < count; i++) await get();
process.stdout.write(`${JSON.stringify({ ms: performance.now() - start })}\n`);
