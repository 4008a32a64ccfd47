/**
 * Altinn's clock, read from the `Date` header of its answers. The settle time, "start from now"
 * and redelivery are measured on it, so a skewed n8n host neither eats into the settle time nor
 * redelivers early. `Date` has whole seconds and is written before the answer travels, so the
 * clock runs up to about a second behind Altinn: a little more settle, never less.
 */
import { headerValue } from '../Altinn/transport/headers';

export class AltinnClock {
	constructor(
		/** Altinn's time minus n8n's, as last seen (kept in static data between polls). */
		private offsetMs: number | undefined,
		private readonly localNow: () => number = () => Date.now(),
	) {}

	/** Reads `Date` from an answer's headers. */
	observe(headers: Record<string, unknown> | undefined): void {
		const date = Date.parse(headerValue(headers, 'date') ?? '');
		if (Number.isFinite(date)) this.offsetMs = date - this.localNow();
	}

	/** Whether an answer has told the time yet (in this poll or an earlier one). */
	get known(): boolean {
		return this.offsetMs !== undefined;
	}

	/** The offset to keep for the next poll. */
	get offset(): number | undefined {
		return this.offsetMs;
	}

	/** Altinn's "now" in epoch ms (n8n's own until Altinn has told the time). */
	now(): number {
		return this.localNow() + (this.offsetMs ?? 0);
	}
}
