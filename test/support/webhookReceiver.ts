/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * A loopback HTTP endpoint for Events pushes in tests: records every request and answers with
 * the status the test chooses (per request, so a test can fail the first delivery).
 *
 *   const hook = await startReceiver();            // answers 200
 *   hook.answer = (n) => (n === 1 ? 500 : 200);    // first request 500, then 200
 *   ... hook.requests ... await hook.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPush {
	path: string;
	headers: Record<string, string | string[] | undefined>;
	body: Record<string, unknown>;
}

export interface Receiver {
	url: string;
	requests: ReceivedPush[];
	answer: (n: number, push: ReceivedPush) => number;
	close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
	const receiver: Receiver = { url: '', requests: [], answer: () => 200, close: async () => {} };
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			const push: ReceivedPush = { path: req.url ?? '/', headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
			receiver.requests.push(push);
			res.writeHead(receiver.answer(receiver.requests.length, push));
			res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	receiver.close = () =>
		new Promise<void>((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
	return receiver;
}
