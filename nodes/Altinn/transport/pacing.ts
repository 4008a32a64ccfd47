/**
 * Pacing: how many requests one node execution keeps in flight, and a pause shared by all of
 * them. When Altinn answers 429 or 503 (or 502/504), every item of the execution waits, not
 * only the one that got the answer: the pause lasts Retry-After when Altinn sent one, else the
 * backoff delay. The number of items in flight then halves, and grows back by one after as
 * many successes as items in flight (additive increase, multiplicative decrease, as TCP does).
 *
 * One `Pacing` per execution context (the router's `this`), so executions do not slow each
 * other down, and the trigger and pickers get a pause of their own.
 */
import { sleep } from 'n8n-workflow';

export class Pacing {
	/** Items in flight now; between 1 and `max`. */
	limit: number;

	private resumeAt = 0;

	private successes = 0;

	constructor(readonly max: number) {
		this.limit = max;
	}

	/** Waits while a pause asked for by Altinn is running. */
	async ready(): Promise<void> {
		for (let wait = this.resumeAt - Date.now(); wait > 0; wait = this.resumeAt - Date.now()) await sleep(wait);
	}

	/** Altinn asked to slow down: pause every request for `waitMs`, and halve the items in flight. */
	slowDown(waitMs: number): void {
		this.resumeAt = Math.max(this.resumeAt, Date.now() + waitMs);
		this.limit = Math.max(1, Math.floor(this.limit / 2));
		this.successes = 0;
	}

	/** A request went through: after `limit` of them in a row, one more item in flight. */
	succeeded(): void {
		if (this.limit >= this.max) return;
		if (++this.successes >= this.limit) {
			this.limit++;
			this.successes = 0;
		}
	}
}

const byContext = new WeakMap<object, Pacing>();

/** The pacing of one execution context; created with `max` items in flight (default 1) on first use. */
export function pacingOf(ctx: object, max = 1): Pacing {
	let pacing = byContext.get(ctx);
	if (!pacing) {
		pacing = new Pacing(max);
		byContext.set(ctx, pacing);
	}
	return pacing;
}
