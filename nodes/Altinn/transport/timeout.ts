/**
 * How long Altinn may keep a request waiting. Without a timeout of our own n8n's default (300 s)
 * applies, and with five attempts one stalled GET could hold an execution for 25 minutes.
 *
 * - Each attempt may wait `timeout` for Altinn to answer (and, for a JSON answer, to finish it).
 * - A downloaded file is streamed; it fails when no byte arrives for `timeout` (idle time, not
 *   total time, so a large file on a slow line still completes).
 * - All attempts of one request together stop after `RETRY_BUDGET_TIMEOUTS` timeouts: a retry
 *   starts only while at least half a timeout of that budget is left, and it gets no more than
 *   what is left.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { AltinnContext } from './context';
import { REQUEST_OPTIONS } from './systemUser';

export const DEFAULT_TIMEOUT_SEC = 60;

/** All attempts of one request together take at most this many timeouts (120 s by default). */
export const RETRY_BUDGET_TIMEOUTS = 2;

/** Upload bodies are streamed; n8n's HTTP client counts their timeout from the start of the request, so the file's transfer is added at this floor rate. */
export const UPLOAD_FLOOR_BYTES_PER_SEC = 100 * 1024;

/** The node's Request Options > Timeout for this item, in milliseconds (the trigger and pickers use the default). */
export function timeoutMsFor(ctx: AltinnContext, itemIndex: number | undefined): number {
	if (itemIndex === undefined || !('getInputData' in ctx)) return DEFAULT_TIMEOUT_SEC * 1000;
	const value = Number((ctx as IExecuteFunctions).getNodeParameter(`${REQUEST_OPTIONS}.timeout`, itemIndex, DEFAULT_TIMEOUT_SEC));
	return (Number.isFinite(value) && value > 0 ? value : DEFAULT_TIMEOUT_SEC) * 1000;
}

/** The readable side of a response stream, as far as the idle watch needs it. */
interface WatchedStream {
	push: (chunk: unknown, encoding?: never) => boolean;
	destroy: (error?: Error) => unknown;
	once: (event: 'close', listener: () => void) => unknown;
	destroyed?: boolean;
}

/**
 * Destroys `stream` with `error()` once no data has arrived for `idleMs`. Data is seen where it
 * enters the stream (`push`), so watching never changes the stream's flow or mode. The timer
 * is an unreferenced `AbortSignal.timeout`, so it never keeps n8n alive.
 */
export function watchIdle(stream: WatchedStream, idleMs: number, error: () => Error): { idleForMs: () => number } {
	let last = Date.now();
	let done = false;
	const push = stream.push.bind(stream);
	stream.push = (chunk: unknown, encoding?: never) => {
		last = Date.now();
		return push(chunk, encoding);
	};
	stream.once('close', () => {
		done = true;
	});
	const arm = (ms: number) => AbortSignal.timeout(Math.max(1, ms)).addEventListener('abort', check, { once: true });
	function check() {
		if (done || stream.destroyed) return;
		const idle = Date.now() - last;
		if (idle >= idleMs) stream.destroy(error());
		else arm(idleMs - idle);
	}
	arm(idleMs);
	return { idleForMs: () => Date.now() - last };
}
