/**
 * `altinnRequest`: the one function that sends a request to Altinn (Storage, apps, Events).
 *
 * - Authenticates with the node's `maskinportenApi` credential through n8n's
 *   `httpRequestWithAuthentication` (n8n's preAuthentication fetches the token; a 401 makes
 *   n8n refresh it and resend once), or, for a per-item system user, with that system user's
 *   own token (see `systemUser.ts`).
 * - Sends the token only to the credential's Altinn hosts (`links.ts`): a `next` link or
 *   `selfLinks` URL on any other host is refused before anything is sent.
 * - Gives every attempt a timeout (Request Options > Timeout, `timeout.ts`) and bounds all
 *   attempts together.
 * - Retries with exponential backoff and jitter on 429 (honouring `Retry-After`), 502, 503,
 *   504, a 500 to a GET (Storage's transient "Unable to perform query on instances"),
 *   connection resets, timeouts, and an answer cut short or not the JSON it claims — only for
 *   requests marked `retry: 'safe'`. The wait after a retryable status holds every request of
 *   the execution (`pacing.ts`). `retry: 'never'` requests (instantiate, upload, process
 *   next, …) are sent once; after an ambiguous failure the error says what to check
 *   (`ambiguous`). A 404 to a retried DELETE means the first attempt did the work.
 * - Maps every failure with `toNodeError` (errors.ts); returns parsed JSON, text, a Buffer or
 *   a stream.
 */
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import type { AltinnContext } from './context';
import { CREDENTIAL_TYPE } from './context';
import type { AltinnFailure, FailureContext } from './errors';
import { toNodeError } from './errors';
import { headerValue } from './headers';
import { foreignHost } from './links';
import { pacingOf } from './pacing';
import { domainToken, systemUserFor, type SystemUserOverride } from './systemUser';
import { RETRY_BUDGET_TIMEOUTS, timeoutMsFor, UPLOAD_FLOOR_BYTES_PER_SEC, watchIdle } from './timeout';
import { resolveAltinnUrls } from './urls';

/** A readable stream, named without importing `node:stream` (runtime code may not). */
export interface ByteStream extends AsyncIterable<unknown> {
	pipe: (...args: never[]) => unknown;
}

export type QueryValue = string | number | boolean | undefined | null | Array<string | number | boolean>;

export interface AltinnRequestOptions {
	method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
	/** Absolute URL (build it from `resolveAltinnUrls`, or a `next` link verbatim). */
	url: string;
	/** Query parameters; arrays repeat the key (`lastChanged=gt:…&lastChanged=lte:…`); empty values are left out. */
	qs?: Record<string, QueryValue>;
	/** A plain object/array is sent as JSON; a string or Buffer as is; a stream once (never resent). */
	body?: IDataObject | IDataObject[] | string | Buffer | ByteStream;
	headers?: Record<string, string>;
	/** Response as raw bytes (`buffer`) or as a stream (`stream`); default parsed JSON (or text). */
	binary?: 'buffer' | 'stream';
	/** `safe`: may be repeated after a transient failure. `never`: sent once (not idempotent). */
	retry: 'safe' | 'never';
	/** What the request is about, for messages: `instance 50001234/1b4e…`, `app ttd/my-app`. */
	target?: string;
	/** The policy action it needs, for 403 messages: `read`, `write`, `instantiate`, `complete`, `delete`, … */
	action?: string;
	/** `retry: 'never'` only: what the user should check before retrying after an ambiguous failure. */
	ambiguous?: string;
	/** Explicit system user for this request; default: the node's per-item System User setting. */
	systemUser?: SystemUserOverride | null;
	/** Error statuses that are an answer here, returned (with the body as text) instead of thrown, e.g. [404] for a lookup. */
	acceptStatus?: number[];
}

export interface AltinnResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
	/** A retried DELETE met 404: an earlier attempt, whose answer was lost, did the work. */
	alreadyDone?: boolean;
	/**
	 * A streamed body only: the user-facing error for what broke the stream while it was read (our
	 * idle timeout, or the connection lost part way); undefined for an error that is not the
	 * network's (e.g. a full disk while n8n stored the file).
	 */
	streamFailure?: (error: unknown) => Error | undefined;
}

/** What one send gave: a response (any status) or a network failure. */
export type SendResult =
	| { kind: 'response'; statusCode: number; headers: Record<string, unknown>; body: unknown }
	| { kind: 'network'; code: string; mayHaveBeenSent: boolean; timedOut?: boolean }
	/** The answer began (status and headers) but its body ended early: the request was carried out. */
	| { kind: 'cut'; statusCode: number }
	| { kind: 'error'; error: Error };

// ---------------------------------------------------------------------------------------------
// Retry policy (pure)

export const RETRY = {
	/** Attempts in total, including the first. */
	maxAttempts: 5,
	baseDelayMs: 400,
	maxDelayMs: 20_000,
	/** A Retry-After longer than this is not waited for; the error says how long Altinn asked. */
	maxRetryAfterMs: 60_000,
};

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/**
 * Storage answers a query that met a transient database error with 500 "Unable to perform
 * query on instances" (altinn-storage InstancesController.ExecuteQueryAndBuildResponse), so a
 * read retries 500 too. A write that met a 500 may have taken effect; it is not repeated.
 */
const RETRYABLE_READ_STATUS = new Set([500]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'CERT_HAS_EXPIRED']);

export function isRetryableStatus(status: number, method: string): boolean {
	return RETRYABLE_STATUS.has(status) || (method === 'GET' && RETRYABLE_READ_STATUS.has(status));
}

/** Seconds or an HTTP date in `Retry-After`, as milliseconds from `now`. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
	const text = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
	if (!text) return undefined;
	if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
	const at = Date.parse(text);
	return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random; a Retry-After wins when longer. */
export function backoffMs(attempt: number, retryAfterMs?: number, random = Math.random): number {
	const exp = Math.min(RETRY.maxDelayMs, RETRY.baseDelayMs * 2 ** (attempt - 1));
	const jittered = exp / 2 + random() * (exp / 2);
	return retryAfterMs !== undefined ? Math.max(retryAfterMs, Math.min(jittered, 1000)) : Math.round(jittered);
}

/** Classifies a thrown network error (no HTTP response). */
export function classifyNetworkCode(
	code: string | undefined,
	message = '',
): { code: string; mayHaveBeenSent: boolean; timedOut?: boolean } {
	const c = (code ?? '').toUpperCase();
	if (NOT_SENT_CODES.has(c)) return { code: c, mayHaveBeenSent: false };
	// axios: `timeout of 60000ms exceeded` (ECONNABORTED, or ETIMEDOUT with clarifyTimeoutError).
	if (/timeout of \d+ms exceeded/i.test(message) || c === 'ETIMEDOUT' || c === 'ESOCKETTIMEDOUT') {
		return { code: 'ETIMEDOUT', mayHaveBeenSent: true, timedOut: true };
	}
	if (RESET_CODES.has(c) || /socket hang up|timeout|aborted/i.test(message)) return { code: RESET_CODES.has(c) ? c : 'ECONNRESET', mayHaveBeenSent: true };
	return { code: c || 'unknown', mayHaveBeenSent: true };
}

function isRetryableNetwork(code: string): boolean {
	return RESET_CODES.has(code);
}

/** A network error that ended a response stream: a reset, or the stream closed before its end. */
function isStreamBreak(error: unknown): boolean {
	const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
	return RESET_CODES.has(String(code)) || code === 'ERR_STREAM_PREMATURE_CLOSE' || /^(aborted|Premature close)$/.test(String(message ?? ''));
}

/**
 * A stream that went quiet for at least this share of the timeout before it broke counts as
 * timed out: the HTTP client's socket timer and our idle watch start a moment apart.
 */
const IDLE_TIMEOUT_TOLERANCE = 0.9;

// ---------------------------------------------------------------------------------------------
// URL and body helpers (pure)

/** Appends query parameters; arrays repeat the key; undefined, null and '' are left out. */
export function withQuery(url: string, qs?: Record<string, QueryValue>): string {
	if (!qs) return url;
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(qs)) {
		const values = Array.isArray(value) ? value : [value];
		for (const v of values) if (v !== undefined && v !== null && v !== '') params.append(key, String(v));
	}
	const query = params.toString();
	if (!query) return url;
	return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

function isStream(body: unknown): body is ByteStream {
	return !!body && typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function';
}

async function bodyToBuffer(body: unknown): Promise<Buffer> {
	if (body === undefined || body === null) return Buffer.alloc(0);
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	if (typeof body === 'string') return Buffer.from(body);
	if (isStream(body)) {
		const chunks: Buffer[] = [];
		for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
		return Buffer.concat(chunks);
	}
	return Buffer.from(JSON.stringify(body));
}

/** Whether a Content-Type says JSON (`application/json`, `application/problem+json`, `…+json`). */
function saysJson(contentType: string | undefined): boolean {
	return /^application\/([\w.-]+\+)?json\b/i.test((contentType ?? '').trim());
}

/** Stands for an answer that claims JSON but does not parse. */
const INVALID_ANSWER = Symbol('invalid answer');

/**
 * A text answer: parsed JSON, or the text itself. `undefined` for an empty body.
 * `INVALID_ANSWER` when the answer claims JSON (or looks like JSON) but does not parse: a body
 * cut short, or a proxy's error page.
 */
function parseText(text: string, contentType: string | undefined): unknown {
	if (!text) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return saysJson(contentType) || /^\s*[[{"]/.test(text) ? INVALID_ANSWER : text;
	}
}

// ---------------------------------------------------------------------------------------------
// Sending

interface PreparedRequest {
	method: IHttpRequestMethods;
	url: string;
	headers: Record<string, string>;
	body?: Buffer | string | ByteStream;
	encoding: 'arraybuffer' | 'stream';
	/** This attempt's timeout, in milliseconds (set by `execute` before each send). */
	timeoutMs?: number;
}

function prepare(options: AltinnRequestOptions): PreparedRequest {
	const headers: Record<string, string> = { ...(options.headers ?? {}) };
	const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
	if (!has('accept') && !options.binary) headers.Accept = 'application/json';
	let body: PreparedRequest['body'];
	const raw = options.body;
	if (raw === undefined) body = undefined;
	else if (typeof raw === 'string' || Buffer.isBuffer(raw) || isStream(raw)) body = raw;
	else {
		body = Buffer.from(JSON.stringify(raw));
		if (!has('content-type')) headers['Content-Type'] = 'application/json';
	}
	return {
		method: options.method,
		url: withQuery(options.url, options.qs),
		headers,
		body,
		encoding: options.binary === 'stream' ? 'stream' : 'arraybuffer',
	};
}

function httpOptions(req: PreparedRequest): IHttpRequestOptions {
	return {
		timeout: req.timeoutMs,
		method: req.method,
		url: req.url,
		headers: { ...req.headers },
		body: req.body as IHttpRequestOptions['body'],
		encoding: req.encoding,
		json: false,
		returnFullResponse: true,
		// Streamed bodies: never let the HTTP client buffer a copy to replay on a redirect.
		...(isStream(req.body) ? { disableFollowRedirect: true } : {}),
	};
}

/** What an error thrown by n8n's HTTP helpers was: an HTTP response, a network failure, or something else. */
function fromThrown(error: unknown, url: string): SendResult {
	const cause = (error instanceof NodeApiError || error instanceof NodeOperationError ? error.cause : error) as
		| { isAxiosError?: boolean; code?: string; message?: string; config?: { url?: string }; response?: { status: number; headers?: Record<string, unknown>; data?: unknown } }
		| undefined;
	if (cause?.isAxiosError) {
		// An axios error for another URL came from the credential (the token request), not from Altinn.
		const sameRequest = !cause.config?.url || url.startsWith(cause.config.url.split('?')[0]);
		// axios rejects a body that ends before its Content-Length with ERR_BAD_RESPONSE ("stream
		// has been aborted"), still carrying the response's status.
		if (sameRequest && (cause.code === 'ERR_BAD_RESPONSE' || (cause.response && cause.response.status < 400))) {
			return { kind: 'cut', statusCode: cause.response?.status ?? 0 };
		}
		if (sameRequest && cause.response) {
			return { kind: 'response', statusCode: cause.response.status, headers: cause.response.headers ?? {}, body: cause.response.data };
		}
		if (sameRequest) return { kind: 'network', ...classifyNetworkCode(cause.code, cause.message) };
	}
	return { kind: 'error', error: error as Error };
}

/** Through the credential: n8n runs preAuthentication and, after a 401, refreshes and resends once. */
async function sendWithCredential(ctx: AltinnContext, req: PreparedRequest): Promise<SendResult> {
	const options: IHttpRequestOptions = { ...httpOptions(req), ignoreHttpStatusErrors: { ignore: true, except: [401] } };
	try {
		const res = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options)) as IN8nHttpFullResponse;
		return { kind: 'response', statusCode: res.statusCode, headers: res.headers as Record<string, unknown>, body: res.body };
	} catch (error) {
		return fromThrown(error, req.url);
	}
}

/** With a token the transport obtained itself (a system user's): no n8n preAuthentication involved. */
async function sendWithBearer(ctx: AltinnContext, req: PreparedRequest, token: string): Promise<SendResult> {
	const options = httpOptions(req);
	options.headers = { ...options.headers, Authorization: `Bearer ${token}` };
	options.ignoreHttpStatusErrors = true;
	try {
		const res = (await ctx.helpers.httpRequest(options)) as IN8nHttpFullResponse;
		return { kind: 'response', statusCode: res.statusCode, headers: res.headers as Record<string, unknown>, body: res.body };
	} catch (error) {
		return fromThrown(error, req.url);
	}
}

/** As a system user: that org's token from the domain cache; after a 401 a fresh one, once. */
async function sendAsSystemUser(
	ctx: AltinnContext,
	req: PreparedRequest,
	override: SystemUserOverride,
	itemIndex?: number,
): Promise<SendResult> {
	const token = await domainToken.call(ctx, override, undefined, itemIndex);
	const first = await sendWithBearer(ctx, req, token);
	if (first.kind !== 'response' || first.statusCode !== 401 || isStream(req.body)) return first;
	const fresh = await domainToken.call(ctx, override, token, itemIndex);
	return await sendWithBearer(ctx, req, fresh);
}

/** Sends a request with an explicit Bearer token (e.g. from `ensureFreshToken`), with the same retries and errors. */
export async function altinnRequestWithToken<T = unknown>(
	this: AltinnContext,
	options: AltinnRequestOptions,
	token: string,
	itemIndex?: number,
): Promise<AltinnResponse<T>> {
	return await execute(this, options, itemIndex, async (req) => await sendWithBearer(this, req, token));
}

/** Sends a request to Altinn and returns status, headers and body. See the file comment. */
export async function altinnRequestFull<T = unknown>(
	this: AltinnContext,
	options: AltinnRequestOptions,
	itemIndex?: number,
): Promise<AltinnResponse<T>> {
	const override = options.systemUser === undefined ? systemUserFor(this, itemIndex) : (options.systemUser ?? undefined);
	return await execute(this, options, itemIndex, async (req) =>
		override ? await sendAsSystemUser(this, req, override, itemIndex) : await sendWithCredential(this, req),
	);
}

/**
 * Sends a request to Altinn and returns the body: parsed JSON (or text), a Buffer (`binary:
 * 'buffer'`) or a stream (`binary: 'stream'`). Typed `any` so that callers name the shape.
 */
export async function altinnRequest(
	this: AltinnContext,
	options: AltinnRequestOptions,
	itemIndex?: number,
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<any> {
	return (await altinnRequestFull.call(this, options, itemIndex)).body;
}

async function execute<T>(
	ctx: AltinnContext,
	options: AltinnRequestOptions,
	itemIndex: number | undefined,
	send: (req: PreparedRequest) => Promise<SendResult>,
): Promise<AltinnResponse<T>> {
	const req = prepare(options);
	await refuseForeignHost(ctx, req.url, options.target, itemIndex);
	const repeatable = options.retry === 'safe' && !isStream(req.body);
	const timeoutMs = timeoutMsFor(ctx, itemIndex);
	const started = Date.now();
	const deadline = started + timeoutMs * RETRY_BUDGET_TIMEOUTS;
	const failureContext = (attempts: number): FailureContext => ({
		method: options.method,
		url: req.url,
		target: options.target,
		action: options.action,
		ambiguous: options.retry === 'never' ? (options.ambiguous ?? 'Check in Altinn whether the change was made before you run it again.') : undefined,
		attempts,
		timeoutMs,
	});
	const fail = (failure: AltinnFailure, attempt: number) => toNodeError(ctx.getNode(), failure, failureContext(attempt), itemIndex);
	// Whether an earlier attempt may have been carried out by Altinn without its answer reaching us.
	let outcomeUnknown = false;

	const pacing = pacingOf(ctx);
	for (let attempt = 1; ; attempt++) {
		await pacing.ready();
		req.timeoutMs = attemptTimeoutMs(req, timeoutMs, attempt === 1 ? undefined : deadline - Date.now());
		const result = await send(req);
		if (result.kind === 'error') {
			throw result.error instanceof NodeApiError || result.error instanceof NodeOperationError
				? result.error
				: new NodeApiError(ctx.getNode(), result.error as never, { itemIndex });
		}
		/** The pause before the next attempt, or undefined when this request may not (or no longer) be retried. */
		const retryPause = (retryAfterMs?: number): number | undefined => {
			if (!repeatable || attempt >= RETRY.maxAttempts) return undefined;
			const pause = backoffMs(attempt, retryAfterMs);
			return deadline - Date.now() - pause >= timeoutMs / 2 ? pause : undefined;
		};
		/** An answer cut short or not JSON: Altinn did the work; repeat a safe request, else say what to check. */
		const retryInvalidAnswer = async (statusCode: number) => {
			outcomeUnknown = true;
			const pause = retryPause();
			if (pause === undefined) throw fail({ kind: 'invalid', statusCode }, attempt);
			await sleep(pause);
		};
		if (result.kind === 'cut') {
			await retryInvalidAnswer(result.statusCode);
			continue;
		}
		if (result.kind === 'network') {
			outcomeUnknown ||= result.mayHaveBeenSent;
			const pause = isRetryableNetwork(result.code) ? retryPause() : undefined;
			if (pause !== undefined) {
				await sleep(pause);
				continue;
			}
			throw fail({ kind: 'network', code: result.code, mayHaveBeenSent: result.mayHaveBeenSent, timedOut: result.timedOut }, attempt);
		}
		const headers = result.headers as Record<string, string | string[] | undefined>;
		if (result.statusCode >= 400 && !options.acceptStatus?.includes(result.statusCode)) {
			if (result.statusCode === 404 && options.method === 'DELETE' && outcomeUnknown) {
				// The first attempt deleted it; its answer was lost, so the retry finds nothing.
				await drain(result.body);
				return { statusCode: result.statusCode, headers, body: undefined as T, alreadyDone: true };
			}
			const retryAfter = headerValue(headers, 'retry-after');
			const retryAfterMs = parseRetryAfter(retryAfter);
			const waitable = retryAfterMs === undefined || retryAfterMs <= RETRY.maxRetryAfterMs;
			const pause = isRetryableStatus(result.statusCode, options.method) && waitable ? retryPause(retryAfterMs) : undefined;
			if (pause !== undefined) {
				outcomeUnknown ||= result.statusCode >= 500;
				await drain(result.body);
				// Every item of this execution waits, not only this one (pacing.ts).
				pacing.slowDown(pause);
				continue;
			}
			const text = (await bodyToBuffer(result.body)).toString('utf8');
			throw fail({ kind: 'http', statusCode: result.statusCode, body: text, retryAfter }, attempt);
		}
		pacing.succeeded();
		let body: unknown = result.body;
		if (options.binary === 'buffer') body = await bodyToBuffer(result.body);
		else if (options.binary === 'stream' && isIdleWatchable(body)) {
			const idleFailure = () => fail({ kind: 'network', code: 'ETIMEDOUT', mayHaveBeenSent: true, timedOut: true, midBody: true }, attempt);
			const watch = watchIdle(body, timeoutMs, idleFailure);
			const streamFailure = (error: unknown): Error | undefined => {
				if (error instanceof NodeApiError) return error;
				if (!isStreamBreak(error)) return undefined;
				// n8n's HTTP client has a socket timeout of the same length, and it may strike first:
				// the stream then ends with a bare ECONNRESET. Idle that long is our timeout all the same.
				if (watch.idleForMs() >= timeoutMs * IDLE_TIMEOUT_TOLERANCE) return idleFailure();
				const { code, message } = (error ?? {}) as { code?: string; message?: string };
				return fail({ kind: 'network', code: classifyNetworkCode(code || 'ECONNRESET', message).code, mayHaveBeenSent: true, midBody: true }, attempt);
			};
			return { statusCode: result.statusCode, headers, body: body as T, streamFailure };
		} else if (options.binary !== 'stream') {
			body = parseText((await bodyToBuffer(result.body)).toString('utf8'), headerValue(headers, 'content-type'));
			if (body === INVALID_ANSWER) {
				await retryInvalidAnswer(result.statusCode);
				continue;
			}
		}
		return { statusCode: result.statusCode, headers, body: body as T };
	}
}

/**
 * One attempt's timeout: the request timeout, cut to what is left of the retry budget. A
 * streamed upload gets its transfer time on top: n8n's HTTP client counts the timeout from the
 * start of the request, not from the last byte sent.
 */
function attemptTimeoutMs(req: PreparedRequest, timeoutMs: number, budgetLeftMs: number | undefined): number {
	const base = budgetLeftMs === undefined ? timeoutMs : Math.max(1, Math.min(timeoutMs, Math.floor(budgetLeftMs)));
	if (!isStream(req.body)) return base;
	const size = Number(headerValue(req.headers, 'content-length') ?? 0);
	return base + (Number.isFinite(size) && size > 0 ? Math.ceil((size / UPLOAD_FLOOR_BYTES_PER_SEC) * 1000) : 0);
}

function isIdleWatchable(body: unknown): body is Parameters<typeof watchIdle>[0] {
	const b = body as { push?: unknown; destroy?: unknown; once?: unknown } | null;
	return !!b && typeof b.push === 'function' && typeof b.destroy === 'function' && typeof b.once === 'function';
}

/** The token goes only to the credential's Altinn hosts; a link to any other host is refused before sending. */
async function refuseForeignHost(ctx: AltinnContext, url: string, target: string | undefined, itemIndex: number | undefined): Promise<void> {
	const urls = await resolveAltinnUrls.call(ctx);
	const host = foreignHost(url, urls);
	if (host === undefined) return;
	throw new NodeOperationError(ctx.getNode(), `Refused to send the Altinn token to ${host}${target ? ` (${target})` : ''}`, {
		itemIndex,
		description: `The link points outside the credential's Altinn environment. Altinn's links (the next page, selfLinks) are followed only to the Altinn Platform host (${new URL(urls.platform).host}) or the apps host (${urls.appsPattern.replace(/^https?:\/\//, '')}). Check the credential's Environment; if Altinn really answered with this link, report it to Altinn.`,
	});
}

async function drain(body: unknown): Promise<void> {
	if (isStream(body)) for await (const _ of body) void _;
}
