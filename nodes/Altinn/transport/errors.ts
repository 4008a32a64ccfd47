/**
 * The single error mapper: every Altinn failure (HTTP status, network failure) becomes a
 * `NodeApiError` whose message and description a user understands. Nothing here ever puts a
 * token, a header or a stack trace into a message.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { describeAuthenticationRefusal } from './authenticationErrors';

/** What went wrong with one request, before it is told to the user. */
export type AltinnFailure =
	| {
			kind: 'http';
			statusCode: number;
			/** The response body as text (empty when Altinn sent none). */
			body: string;
			retryAfter?: string;
	  }
	| {
			kind: 'network';
			/** Node's error code, e.g. `ECONNRESET`, `ETIMEDOUT`, `ECONNREFUSED`. */
			code: string;
			/** Whether the request may have reached Altinn (reset/timeout after sending). */
			mayHaveBeenSent: boolean;
			/** No answer (or, for a streamed file, no data) within the timeout. */
			timedOut?: boolean;
			/** The timeout struck, or the connection broke, while a file was being received. */
			midBody?: boolean;
	  }
	| {
			/** A success status whose body ended early or is not the JSON it claims to be. */
			kind: 'invalid';
			statusCode: number;
	  };

/** The request a failure belongs to, as far as messages need it. */
export interface FailureContext {
	method: string;
	url: string;
	/** What the request was about, for messages, e.g. `instance 50001234/1b4e…`. */
	target?: string;
	/** The policy action the request needs (`read`, `write`, `instantiate`, `complete`, `delete`, …). */
	action?: string;
	/** For requests that are not safe to repeat: what to check before retrying by hand. */
	ambiguous?: string;
	/** How many attempts were made (more than 1 after retries). */
	attempts?: number;
	/** The timeout of one attempt, in milliseconds. */
	timeoutMs?: number;
}

export interface ValidationIssue {
	severity?: number | string;
	code?: string;
	description?: string;
	field?: string;
	dataElementId?: string;
	source?: string;
	customTextKey?: string;
}

/** An RFC 7807 ProblemDetails body, with Altinn's extensions. */
export interface ProblemDetails {
	type?: string;
	title?: string;
	status?: number;
	detail?: string;
	instance?: string;
	validationIssues?: ValidationIssue[];
	uploadValidationIssues?: ValidationIssue[];
	[key: string]: unknown;
}

/** What an error body said: a text (Storage's plain or JSON-quoted strings), a ProblemDetails, or other JSON. */
export interface ParsedErrorBody {
	text?: string;
	problem?: ProblemDetails;
	json?: unknown;
}

/** Reads an Altinn error body: empty, a JSON-quoted string, a ProblemDetails, other JSON, or plain text. */
export function parseErrorBody(body: string): ParsedErrorBody {
	const trimmed = body.trim();
	if (!trimmed) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(trimmed);
	} catch {
		return { text: trimmed.length > 1000 ? `${trimmed.slice(0, 1000)}…` : trimmed };
	}
	if (typeof parsed === 'string') return { text: parsed };
	if (Array.isArray(parsed)) {
		// A bare list of validation issues or failed obligations.
		const issues = parsed.filter((x) => x && typeof x === 'object') as ValidationIssue[];
		if (issues.length && issues.some((i) => i.description || i.code)) {
			return { problem: { validationIssues: issues } };
		}
		return { json: parsed };
	}
	if (parsed && typeof parsed === 'object') {
		const obj = parsed as ProblemDetails;
		if (obj.title || obj.detail || obj.validationIssues || obj.uploadValidationIssues) return { problem: obj };
		return { json: parsed };
	}
	return { text: String(parsed) };
}

const SEVERITY: Record<string, string> = { '1': 'Error', '2': 'Warning', '3': 'Informational', '4': 'Fixed', '5': 'Success' };

/** Validation issues as readable lines: `- Error: <description> (field X, code Y)`. */
export function formatValidationIssues(issues: ValidationIssue[]): string {
	return issues
		.map((issue) => {
			const severity = issue.severity === undefined ? undefined : (SEVERITY[String(issue.severity)] ?? String(issue.severity));
			const details = [
				issue.field ? `field ${issue.field}` : undefined,
				issue.code ? `code ${issue.code}` : undefined,
				issue.dataElementId ? `data element ${issue.dataElementId}` : undefined,
			].filter(Boolean);
			const text = issue.description || issue.customTextKey || issue.code || 'validation failed';
			return `- ${severity ? `${severity}: ` : ''}${text}${details.length ? ` (${details.join(', ')})` : ''}`;
		})
		.join('\n');
}

/** What the server said, in one line, or undefined when it said nothing. */
function serverSaid(parsed: ParsedErrorBody): string | undefined {
	if (parsed.text) return parsed.text;
	const p = parsed.problem;
	if (p) {
		const parts = [p.title, p.detail].filter((x): x is string => typeof x === 'string' && x.length > 0);
		// "Bad Request: Bad Request" says nothing twice.
		const unique = parts.filter((x, i) => parts.indexOf(x) === i);
		if (unique.length) return unique.join(': ');
	}
	if (parsed.json !== undefined) {
		const text = JSON.stringify(parsed.json);
		return text.length > 500 ? `${text.slice(0, 500)}…` : text;
	}
	return undefined;
}

function issuesOf(parsed: ParsedErrorBody): ValidationIssue[] {
	return [...(parsed.problem?.validationIssues ?? []), ...(parsed.problem?.uploadValidationIssues ?? [])];
}

const about = (ctx: FailureContext) => ctx.target ?? `${ctx.method} ${stripQuery(ctx.url)}`;

function stripQuery(url: string): string {
	const q = url.indexOf('?');
	return q === -1 ? url : url.slice(0, q);
}

export interface DescribedError {
	message: string;
	description: string;
	httpCode?: string;
	cause?: 'rate-limited' | 'temporarily-unavailable' | 'credential-invalid' | 'configuration-invalid';
}

/** Pure: the message and description a user sees for a failure. */
export function describeAltinnError(failure: AltinnFailure, ctx: FailureContext): DescribedError {
	if (failure.kind === 'network') return failure.timedOut ? describeTimeout(failure, ctx) : describeNetworkFailure(failure, ctx);
	if (failure.kind === 'invalid') return describeInvalidAnswer(failure, ctx);
	const parsed = parseErrorBody(failure.body);
	const said = serverSaid(parsed);
	const issues = issuesOf(parsed);
	const saidLine = said ? `Altinn said: ${said}` : undefined;
	const issueBlock = issues.length ? `Validation issues:\n${formatValidationIssues(issues)}` : undefined;
	const join = (...parts: Array<string | undefined>) => parts.filter(Boolean).join('\n\n');
	const status = failure.statusCode;
	const httpCode = String(status);
	const target = about(ctx);
	const refusal = describeAuthenticationRefusal(status, parsed.problem, ctx, target);
	if (refusal) return { httpCode, ...refusal, ...(status === 403 ? { cause: 'credential-invalid' as const } : {}) };

	switch (status) {
		case 400:
			return {
				httpCode,
				message: `Altinn rejected the request for ${target} as invalid${said ? `: ${said}` : ''}`,
				description: join(issueBlock, 'Check the parameters of this operation.'),
				cause: 'configuration-invalid',
			};
		case 401:
			return {
				httpCode,
				cause: 'credential-invalid',
				message: `Altinn did not accept the access token (401) for ${target}`,
				description: join(
					saidLine,
					'The token is invalid or has expired, or it was issued for another environment. Check that the credential\'s Environment matches the Altinn environment you call (Test = TT02, Production = altinn.no), that "Exchange to Altinn Token" is on, and that the Maskinporten client is registered in that environment.',
				),
			};
		case 403:
			return {
				httpCode,
				message: `Altinn refused access to ${target} (403 Forbidden)`,
				description: join(
					saidLine,
					issueBlock,
					[
						'Possible reasons:',
						'- the token lacks the service owner scopes (altinn:serviceowner/instances.read and altinn:serviceowner/instances.write) — check the credential\'s Scopes and what the Maskinporten client was granted;',
						`- the app's authorization policy does not grant the service owner ${ctx.action ? `the action "${ctx.action}"` : 'this action'} (the default app policy grants read, write, instantiate and complete, but not delete, confirm or sign);`,
						'- the Org does not own this app or instance (service owners may only act on their own apps);',
						'- for a system user: the system user has not been given the rights to this app.',
						'Storage also answers 403 for an instance that does not exist.',
					].join('\n'),
				),
			};
		case 404:
			return {
				httpCode,
				message: `Not found: ${target}`,
				description: join(
					saidLine,
					'Check the instance ID (partyId/instanceGuid), the Org and the App, and that the credential points at the environment where it exists.',
				),
			};
		case 409:
			return {
				httpCode,
				message: `Altinn refused the change to ${target} because of its state (409 Conflict)${said ? `: ${said}` : ''}`,
				description: join(
					issueBlock,
					'The instance may be in another process task, already ended or deleted, locked, or the data type may have reached its maximum count.',
				),
			};
		case 413:
			return {
				httpCode,
				message: `The file is too large for ${target} (413)`,
				description: join(saidLine, issueBlock, "Check the data type's maximum size in the app's metadata."),
			};
		case 429:
			return {
				httpCode,
				cause: 'rate-limited',
				message: `Altinn is receiving too many requests (429) for ${target}`,
				description: join(
					saidLine,
					failure.retryAfter ? `Altinn asked to wait ${failure.retryAfter} s.` : undefined,
					ctx.attempts && ctx.attempts > 1 ? `Gave up after ${ctx.attempts} attempts.` : undefined,
					'Use the Batching option (fewer items at a time, a pause between batches) or try again later.',
				),
			};
		default:
			break;
	}
	if (status >= 500) {
		const ambiguous = ctx.ambiguous && status !== 501;
		return {
			httpCode,
			cause: 'temporarily-unavailable',
			message: ambiguous
				? `Altinn failed (${status}) while handling ${target}; the request may still have taken effect`
				: `Altinn failed to handle ${target} (${status})`,
			description: join(
				saidLine,
				issueBlock,
				ambiguous ? `It was not retried automatically because it is not safe to repeat. ${ctx.ambiguous}` : undefined,
				!ambiguous && ctx.attempts && ctx.attempts > 1 ? `Gave up after ${ctx.attempts} attempts.` : undefined,
				!ambiguous ? 'Altinn may be temporarily unavailable; try again later.' : undefined,
			),
		};
	}
	return {
		httpCode,
		message: `Altinn answered ${status} for ${target}${said ? `: ${said}` : ''}`,
		description: join(issueBlock, `Request: ${ctx.method} ${stripQuery(ctx.url)}`),
	};
}

function describeNetworkFailure(failure: Extract<AltinnFailure, { kind: 'network' }>, ctx: FailureContext): DescribedError {
	const target = about(ctx);
	const host = hostOf(ctx.url);
	if (!failure.mayHaveBeenSent) {
		return {
			cause: 'configuration-invalid',
			message: `Could not connect to Altinn at ${host} for ${target}`,
			description: `The connection failed before the request was sent (${failure.code}). Check the credential's Environment (and the URLs of a Custom environment), and the network between n8n and Altinn.`,
		};
	}
	if (ctx.ambiguous) {
		return {
			cause: 'temporarily-unavailable',
			message: `The connection to Altinn was lost during ${target}; the request may still have taken effect`,
			description: `The connection was closed or timed out after the request was sent (${failure.code}). It was not retried automatically because it is not safe to repeat. ${ctx.ambiguous}`,
		};
	}
	if (failure.midBody) {
		return {
			cause: 'temporarily-unavailable',
			message: `The connection to Altinn at ${host} was lost while ${target} was being downloaded`,
			description: `The file began to arrive, then the connection was closed (${failure.code}). Nothing was stored. Altinn may be temporarily unavailable; run the workflow again.`,
		};
	}
	return {
		cause: 'temporarily-unavailable',
		message: `The connection to Altinn at ${host} was lost during ${target}`,
		description: `The connection was closed or timed out (${failure.code})${ctx.attempts && ctx.attempts > 1 ? ` ${ctx.attempts} times` : ''}. Altinn may be temporarily unavailable; try again later.`,
	};
}

const seconds = (ms: number | undefined) => `${Math.round((ms ?? 0) / 1000)} s`;
const triedTimes = (ctx: FailureContext) => (ctx.attempts && ctx.attempts > 1 ? ` Tried ${ctx.attempts} times.` : '');

/** Which Altinn API a URL belongs to, for messages: `Storage`, `Events`, `authentication`, or an app. */
function altinnApiOf(url: string): string {
	const path = (() => {
		try {
			return new URL(url).pathname;
		} catch {
			return url;
		}
	})();
	if (path.startsWith('/storage/')) return 'Altinn Storage';
	if (path.startsWith('/events/')) return 'Altinn Events';
	if (path.startsWith('/authentication/')) return 'Altinn authentication';
	const app = /^\/([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9-]*)\//i.exec(path);
	return app ? `the Altinn app ${app[1]}/${app[2]}` : 'Altinn';
}

function describeTimeout(failure: Extract<AltinnFailure, { kind: 'network' }>, ctx: FailureContext): DescribedError {
	const what = `${ctx.method} ${about(ctx)}`;
	const api = altinnApiOf(ctx.url);
	const limit = seconds(ctx.timeoutMs);
	const Api = api.charAt(0).toUpperCase() + api.slice(1);
	const message = failure.midBody
		? `${Api} sent no data for ${limit} while ${what} was being downloaded`
		: `${Api} did not answer ${what} within ${limit}${ctx.ambiguous ? '; the request may still have taken effect' : ''}`;
	const raise = 'If Altinn is just slow for this request, raise Request Options > Timeout.';
	return {
		cause: 'temporarily-unavailable',
		message,
		description: ctx.ambiguous
			? `It was not retried automatically because it is not safe to repeat. ${ctx.ambiguous} ${raise}`
			: `${triedTimes(ctx).trim()} Altinn may be slow or temporarily unavailable; try again later. ${raise}`.trim(),
	};
}

const answered = (status: number) => (status ? ` answered ${status}` : ' began to answer');

function describeInvalidAnswer(failure: Extract<AltinnFailure, { kind: 'invalid' }>, ctx: FailureContext): DescribedError {
	const target = about(ctx);
	if (ctx.ambiguous) {
		return {
			cause: 'temporarily-unavailable',
			message: `The answer from Altinn to ${target} was cut short or is not valid JSON; the request may still have taken effect`,
			description: `Altinn${answered(failure.statusCode)}, but the body ended early or is not the JSON it claims to be, so the result is unknown. It was not retried automatically because it is not safe to repeat. ${ctx.ambiguous}`,
		};
	}
	return {
		cause: 'temporarily-unavailable',
		message: `The answer from Altinn to ${target} was cut short or is not valid JSON`,
		description: `Altinn${answered(failure.statusCode)}, but the body ended early or is not the JSON it claims to be (a connection cut mid-answer, or a proxy's error page).${triedTimes(ctx)} Try again later.`,
	};
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

/** The one place that turns an Altinn failure into the error n8n shows. */
export function toNodeError(node: INode, failure: AltinnFailure, ctx: FailureContext, itemIndex?: number): NodeApiError {
	const described = describeAltinnError(failure, ctx);
	const response: JsonObject = { message: described.message, description: described.description };
	if (described.httpCode) response.httpCode = described.httpCode;
	const retryAfterMs =
		failure.kind === 'http' && failure.retryAfter && Number.isFinite(Number(failure.retryAfter))
			? Number(failure.retryAfter) * 1000
			: undefined;
	return new NodeApiError(node, response, {
		message: described.message,
		description: described.description,
		httpCode: described.httpCode,
		itemIndex,
		failure: described.cause ? { cause: described.cause, ...(retryAfterMs ? { retryAfterMs } : {}) } : undefined,
	});
}
