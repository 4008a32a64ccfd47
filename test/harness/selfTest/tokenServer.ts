/* eslint-disable @n8n/community-nodes/no-restricted-imports */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny token-protected API for the harness self-test (not the Altinn emulator):
 * POST /token issues `tok-N`; GET /data/<id> needs a valid bearer token (401 otherwise,
 * 404 for id "missing"); GET /events?after=<n> lists events with id > n.
 */
export interface TokenServer {
	url: string;
	/** Tokens issued so far. */
	grants: number;
	/** Bearer tokens seen on /data and /events, in order. */
	seenTokens: string[];
	dataRequests: number;
	/** Invalidates every issued token (the next data request gets 401). */
	revokeAll(): void;
	/** When true, every data request is answered 401 whatever the token. */
	alwaysUnauthorized: boolean;
	events: Array<{ id: number; name: string }>;
	close(): Promise<void>;
}

export async function startTokenServer(): Promise<TokenServer> {
	const valid = new Set<string>();
	const state = {
		url: '',
		grants: 0,
		seenTokens: [] as string[],
		dataRequests: 0,
		alwaysUnauthorized: false,
		events: [] as Array<{ id: number; name: string }>,
		revokeAll: () => valid.clear(),
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	const server = createServer((req, res) => {
		const send = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		if (req.method === 'POST' && url.pathname === '/token') {
			state.grants += 1;
			const token = `tok-${state.grants}`;
			valid.add(token);
			return send(200, { access_token: token, expires_in: 120 });
		}
		const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
		state.seenTokens.push(token);
		if (url.pathname.startsWith('/data/')) state.dataRequests += 1;
		if (state.alwaysUnauthorized || !valid.has(token)) {
			return send(401, { message: 'invalid token' });
		}
		if (url.pathname === '/data/missing') return send(404, { message: 'no such thing' });
		if (req.method === 'POST' && url.pathname.startsWith('/data/')) {
			let bytes = 0;
			req.on('data', (chunk: Buffer) => (bytes += chunk.length));
			req.on('end', () => send(200, { id: url.pathname.slice('/data/'.length), bytes, token }));
			return;
		}
		if (url.pathname.startsWith('/data/')) {
			return send(200, { id: url.pathname.slice('/data/'.length), token });
		}
		if (url.pathname === '/events') {
			const after = Number(url.searchParams.get('after') ?? '0');
			return send(200, { events: state.events.filter((e) => e.id > after) });
		}
		return send(404, { message: 'no route' });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return state;
}
