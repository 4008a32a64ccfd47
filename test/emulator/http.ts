/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * The emulator's tiny HTTP layer: a route table, body reading and response helpers.
 * Each real service (Maskinporten, Altinn authentication, Storage, apps, Events) registers
 * its routes here from its own module; nothing in this file knows about any of them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface EmulatorRequest {
	method: Method;
	/** Path without the query string, e.g. `/storage/api/v1/instances`. */
	path: string;
	/** Path parameters captured by `:name` segments of the route pattern. */
	params: Record<string, string>;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	/** The raw request, for handlers that stream a large body instead of buffering it. */
	raw: IncomingMessage;
	/** Reads the whole body. Call at most once, and not after streaming `raw`. */
	body(): Promise<Buffer>;
	/** The absolute base URL the client used, e.g. `http://127.0.0.1:40123`. */
	baseUrl: string;
}

export type Handler = (req: EmulatorRequest, res: ServerResponse) => Promise<void> | void;

interface Route {
	method: Method;
	segments: string[];
	handler: Handler;
	/** Route name used by counters and fault injection, e.g. `maskinporten.token`. */
	name: string;
}

export class Router {
	private readonly routes: Route[] = [];

	/** `pattern` uses `:param` segments; a final `*rest` segment captures the remainder. */
	add(method: Method, pattern: string, name: string, handler: Handler): void {
		this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler, name });
	}

	match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
		const parts = path.split('/').filter(Boolean);
		for (const route of this.routes) {
			if (route.method !== method) continue;
			const params = matchSegments(route.segments, parts);
			if (params) return { route, params };
		}
		return undefined;
	}
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | undefined {
	const params: Record<string, string> = {};
	for (let i = 0; i < segments.length; i++) {
		const seg = segments[i];
		if (seg.startsWith('*')) {
			params[seg.slice(1)] = parts.slice(i).map(decodeURIComponent).join('/');
			return params;
		}
		if (i >= parts.length) return undefined;
		if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(parts[i]);
		else if (seg !== parts[i]) return undefined;
	}
	return segments.length === parts.length ? params : undefined;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
	res.end(text);
}

/** Storage and app controllers return plain strings through the JSON formatter: a JSON-quoted string. */
export function sendJsonString(res: ServerResponse, status: number, message: string): void {
	sendJson(res, status, message);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
	res.writeHead(status, { 'Content-Type': contentType });
	res.end(text);
}

/** 401 and 403 from Altinn's JwtCookie scheme and `Forbid()` carry no body at all. */
export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
	res.writeHead(status, headers);
	res.end();
}

/** RFC 7807 ProblemDetails as ASP.NET Core writes them. */
export function sendProblem(
	res: ServerResponse,
	status: number,
	title: string,
	detail?: string,
	extensions: Record<string, unknown> = {},
): void {
	sendJson(
		res,
		status,
		{
			type: `https://tools.ietf.org/html/rfc9110#section-${status}`,
			title,
			status,
			...(detail !== undefined ? { detail } : {}),
			traceId: `00-${Math.random().toString(16).slice(2).padEnd(32, '0')}-01`,
			...extensions,
		},
		{ 'Content-Type': 'application/problem+json; charset=utf-8' },
	);
}
