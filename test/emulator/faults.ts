/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * Knobs and fault injection shared by every emulated service. Tests set them to make the
 * emulator slow, flaky or short-lived, and read the counters to assert what really happened.
 */
import type { ServerResponse } from 'node:http';

export interface Fault {
	/** Route name (e.g. `maskinporten.token`, `storage.instances.query`) or `*` for any route. */
	route: string;
	/**
	 * HTTP status to answer with, or a network fault:
	 * - `reset`: destroy the socket before answering (a connection reset);
	 * - `stall`: accept the request and never answer, keeping the socket open (a hung backend
	 *   behind a load balancer; (inferred) a network fault, not an Altinn behaviour);
	 * - `truncate`: let the service handle the request (it takes effect), then send the status,
	 *   the headers with the full Content-Length and only the first half of the body, and close
	 *   the socket (a proxy or connection cut mid-answer; (inferred) network fault);
	 * - `loseAnswer`: let the service handle the request (it takes effect), then close the
	 *   socket without answering (the answer is lost on the way back; (inferred) network fault);
	 * - `stallMidBody`: let the service answer, pass the status, the headers and half of the
	 *   first chunk of the body, then send nothing more and keep the socket open (a download
	 *   that hangs part way; (inferred) network fault);
	 * - `cutMidBody`: as `stallMidBody`, then close the socket (a download whose connection
	 *   drops part way; (inferred) network fault).
	 */
	status: number | 'reset' | 'stall' | 'truncate' | 'loseAnswer' | 'stallMidBody' | 'cutMidBody';
	/** How many matching requests fail before the fault is used up. Default 1. */
	times?: number;
	/** Extra headers, e.g. `{ 'Retry-After': '1' }`. */
	headers?: Record<string, string>;
	/** Body to send; an object is sent as JSON, a string as text. Default empty. */
	body?: unknown;
	/** Only requests whose path contains this text match. */
	pathIncludes?: string;
	/** Let this many matching requests through before the fault starts failing them. */
	after?: number;
}

export interface Knobs {
	/** Added delay before every response, in milliseconds. */
	latencyMs: number;
	/** `expires_in` of Maskinporten access tokens, in seconds. */
	maskinportenTokenLifetimeSec: number;
	/** Lifetime of exchanged Altinn tokens, in seconds (Altinn's JwtValidityMinutes is 30). */
	altinnTokenLifetimeSec: number;
	/** Shifts the emulator's clock relative to the client's, in seconds (clock-skew tests). */
	clockOffsetSec: number;
	/**
	 * Multiplies Altinn's push and validation retry delays (10 s … 12 h; 1 s … 120 s) and the push
	 * 1 is real time; tests use e.g. 0.00001 so all 12 attempts (1.8 days) take under 2 s.
	 */
	pushTimeScale: number;
	/**
	 * How long Events caches the subscriptions that match an event (SubscriptionCachingLifetimeInSeconds,
	 * 3600 in altinn-events appsettings.json): a new subscription can miss events, and a deleted one can
	 * still receive them, for this long. Tests that are not about the cache set 0.
	 */
	subscriptionCacheMs: number;
	/**
	 * Real Events accepts only https endpoints. Set true to let subscriptions use plain http on
	 * loopback, for test webhooks that do not serve TLS (a test-only relaxation; default false).
	 */
	allowHttpEndpoints: boolean;
}

export const defaultKnobs = (): Knobs => ({
	latencyMs: 0,
	maskinportenTokenLifetimeSec: 120,
	altinnTokenLifetimeSec: 1800,
	clockOffsetSec: 0,
	pushTimeScale: 1,
	subscriptionCacheMs: 3_600_000,
	allowHttpEndpoints: false,
});

/** One request as the emulator saw it: route, when it arrived, and whether a fault answered it. */
export interface Arrival {
	route: string;
	at: number;
	fault: boolean;
}

export class Counters {
	private readonly counts = new Map<string, number>();

	/** Requests being answered now, and the most at once since the last reset (`peak.inFlight`). */
	private inFlight = 0;

	/** Every routed request since the last reset, in arrival order (concurrency and pause tests). */
	readonly arrivals: Arrival[] = [];

	inc(name: string, by = 1): void {
		this.counts.set(name, (this.counts.get(name) ?? 0) + by);
	}

	/** Keeps the largest value seen under `name`. */
	peak(name: string, value: number): void {
		if (value > this.get(name)) this.counts.set(name, value);
	}

	requestStarted(): void {
		this.inFlight++;
		this.peak('peak.inFlight', this.inFlight);
	}

	requestEnded(): void {
		this.inFlight--;
	}

	get(name: string): number {
		return this.counts.get(name) ?? 0;
	}

	reset(): void {
		this.counts.clear();
		this.arrivals.length = 0;
	}

	snapshot(): Record<string, number> {
		return Object.fromEntries(this.counts);
	}
}

export class FaultInjector {
	private faults: Array<Fault & { seen: number; used: number }> = [];

	add(fault: Fault): void {
		this.faults.push({ ...fault, seen: 0, used: 0 });
	}

	clear(): void {
		this.faults = [];
	}

	/** How many answers the faults added since the last clear() have spoiled. */
	usedTotal(): number {
		return this.faults.reduce((sum, f) => sum + f.used, 0);
	}

	/** Answers with an injected fault if one matches; returns true when it did. */
	apply(routeName: string, path: string, res: ServerResponse): boolean {
		for (const f of this.faults) {
			if (f.route !== '*' && f.route !== routeName) continue;
			if (f.pathIncludes && !path.includes(f.pathIncludes)) continue;
			if (f.used >= (f.times ?? 1)) continue;
			f.seen++;
			if (f.seen <= (f.after ?? 0)) continue;
			if (f.status === 'truncate' || f.status === 'loseAnswer') {
				// Only a success is cut (a 401 before n8n's token refresh is not the answer under test).
				cutAnswer(res, f.status, () => f.used++);
				return false;
			}
			if (f.status === 'stallMidBody' || f.status === 'cutMidBody') {
				f.used++;
				stallMidBody(res, f.status === 'cutMidBody');
				return false;
			}
			f.used++;
			if (f.status === 'reset') {
				res.socket?.destroy();
				return true;
			}
			if (f.status === 'stall') return true;
			const isText = typeof f.body === 'string';
			const payload = f.body === undefined ? '' : isText ? (f.body as string) : JSON.stringify(f.body);
			res.writeHead(f.status, {
				...(f.body === undefined ? {} : { 'Content-Type': isText ? 'text/plain' : 'application/json' }),
				...(f.headers ?? {}),
			});
			res.end(payload);
			return true;
		}
		return false;
	}
}

/**
 * Lets the handler answer, but cuts what reaches the client when it is a success: `truncate`
 * sends the status and headers (with the full Content-Length) and half the body; `loseAnswer`
 * sends nothing. Then the socket is closed. Other answers pass unchanged.
 */
function cutAnswer(res: ServerResponse, mode: 'truncate' | 'loseAnswer', used: () => void): void {
	let head: { status: number; headers: Record<string, unknown> } = { status: 200, headers: {} };
	const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, unknown>) => ServerResponse;
	res.writeHead = ((status: number, headers?: Record<string, unknown>) => {
		head = { status, headers: { ...(headers ?? {}) } };
		return res;
	}) as ServerResponse['writeHead'];
	const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
	res.end = ((chunk?: unknown) => {
		if (head.status < 200 || head.status >= 300) {
			writeHead(head.status, head.headers);
			return end(chunk);
		}
		used();
		const body = chunk === undefined || typeof chunk === 'function' ? Buffer.alloc(0) : Buffer.from(chunk as string);
		if (mode === 'truncate') {
			writeHead(head.status, { ...head.headers, 'Content-Length': String(body.length) });
			res.write(body.subarray(0, Math.floor(body.length / 2)));
			// Give the half body time to leave before the socket closes.
			res.socket?.end(() => res.socket?.destroy());
		} else res.socket?.destroy();
		return res;
	}) as ServerResponse['end'];
}

/**
 * Passes the head and half of the first body chunk, then swallows the rest: the client waits
 * for bytes that never come, or, with `thenClose`, sees the connection drop.
 */
function stallMidBody(res: ServerResponse, thenClose = false): void {
	const write = res.write.bind(res) as (chunk: unknown, done?: () => void) => boolean;
	let sent = false;
	res.write = ((chunk: unknown) => {
		if (!sent) {
			sent = true;
			const bytes = Buffer.from(chunk as Buffer);
			// Give the half body time to leave before the socket closes.
			write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), () => {
				if (thenClose) setTimeout(() => res.socket?.destroy(), 50);
			});
		}
		return true;
	}) as ServerResponse['write'];
	res.end = (() => res) as ServerResponse['end'];
}

export const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
