/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * Knobs and fault injection shared by every emulated service. Tests set them to make the
 * emulator slow, flaky or short-lived, and read the counters to assert what really happened.
 */
import type { ServerResponse } from 'node:http';

export interface Fault {
	/** Route name (e.g. `maskinporten.token`, `storage.instances.query`) or `*` for any route. */
	route: string;
	/** HTTP status to answer with, or `reset` to destroy the socket (a connection reset). */
	status: number | 'reset';
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

export class Counters {
	private readonly counts = new Map<string, number>();

	inc(name: string, by = 1): void {
		this.counts.set(name, (this.counts.get(name) ?? 0) + by);
	}

	get(name: string): number {
		return this.counts.get(name) ?? 0;
	}

	reset(): void {
		this.counts.clear();
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

	/** Answers with an injected fault if one matches; returns true when it did. */
	apply(routeName: string, path: string, res: ServerResponse): boolean {
		for (const f of this.faults) {
			if (f.route !== '*' && f.route !== routeName) continue;
			if (f.pathIncludes && !path.includes(f.pathIncludes)) continue;
			if (f.used >= (f.times ?? 1)) continue;
			f.seen++;
			if (f.seen <= (f.after ?? 0)) continue;
			f.used++;
			if (f.status === 'reset') {
				res.socket?.destroy();
				return true;
			}
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

export const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
