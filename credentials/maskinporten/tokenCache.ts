/**
 * In-process token cache: one entry per settings fingerprint, kept until the token's own
 * expiry minus a safety margin, with single-flight so that concurrent callers share one grant.
 * n8n's credential row is the durable cache; this one spares grants inside one process.
 */
import type { IssuedToken } from './tokenClient';

interface Entry extends IssuedToken {
	/** When to stop handing the token out (epoch ms): expiry minus the margin. */
	refreshAt: number;
}

/** At most 60 s, and never more than a quarter of the token's lifetime. */
export function safetyMarginMs(lifetimeMs: number): number {
	return Math.max(0, Math.min(60_000, Math.floor(lifetimeMs / 4)));
}

export class TokenCache {
	private readonly entries = new Map<string, Entry>();
	private readonly inFlight = new Map<string, Promise<IssuedToken>>();

	constructor(
		private readonly now: () => number = Date.now,
		private readonly maxEntries = 256,
	) {}

	/**
	 * The cached token for `key`, or the one `fetch` gets (shared with every concurrent caller).
	 * `staleToken` is the token the caller found wanting: if the cache holds exactly that one it
	 * is dropped; if it already holds a newer one, that one is returned.
	 */
	async get(key: string, fetch: () => Promise<IssuedToken>, staleToken?: string): Promise<IssuedToken> {
		const entry = this.entries.get(key);
		if (entry && staleToken && entry.token === staleToken) this.entries.delete(key);
		else if (entry && this.now() < entry.refreshAt) return { token: entry.token, expiresAt: entry.expiresAt };

		const pending = this.inFlight.get(key);
		if (pending) return await pending;

		const obtainedAt = this.now();
		const promise = fetch()
			.then((issued) => {
				this.store(key, { ...issued, refreshAt: issued.expiresAt - safetyMarginMs(issued.expiresAt - obtainedAt) });
				return issued;
			})
			.finally(() => this.inFlight.delete(key));
		this.inFlight.set(key, promise);
		return await promise;
	}

	clear(): void {
		this.entries.clear();
	}

	get size(): number {
		return this.entries.size;
	}

	private store(key: string, entry: Entry): void {
		this.entries.delete(key);
		if (this.entries.size >= this.maxEntries) {
			const now = this.now();
			for (const [other, value] of this.entries) if (value.refreshAt <= now) this.entries.delete(other);
			if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
		}
		this.entries.set(key, entry);
	}
}
