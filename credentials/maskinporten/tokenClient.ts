/**
 * The two HTTP conversations: the grant (`POST {issuer}token`) and Altinn's exchange
 * (`GET {platform}/authentication/api/v1/exchange/maskinporten`). Network failures and 5xx
 * answers are retried with backoff (each grant retry is signed afresh, since a grant that
 * reached Maskinporten cannot be used twice); 4xx answers never are.
 */
import { sleep } from 'n8n-workflow';

import {
	exchangeBadSuccess,
	exchangeRejection,
	type FailedStep,
	maskinportenBadSuccess,
	maskinportenRejection,
	unreachable,
} from './errors';
import { grantRequestBody, signGrant } from './grant';
import { jwtExpiry, parseJson } from './jwt';
import type { MaskinportenSettings } from './settings';

export interface HttpRequest {
	method: 'GET' | 'POST';
	url: string;
	headers: Record<string, string>;
	body?: string;
}

export interface HttpResponse {
	statusCode: number;
	body: string;
}

/** Sends one request. Never throws on an HTTP status; throws on network failure. */
export type HttpCall = (request: HttpRequest) => Promise<HttpResponse>;

export interface IssuedToken {
	token: string;
	/** Epoch milliseconds. */
	expiresAt: number;
}

export interface ClientOptions {
	/** Pauses before each retry of a network failure or 5xx; its length is the number of retries. */
	retryDelaysMs?: number[];
	/** Waits; defaults to n8n-workflow's `sleep`. */
	sleep?: (ms: number) => Promise<void>;
	/** Epoch milliseconds; defaults to `Date.now`. */
	now?: () => number;
}

const DEFAULT_RETRY_DELAYS_MS = [300, 1200];

/**
 * Timeouts of the token requests: each grant or exchange may wait `requestMs` for an answer,
 * and its attempts together stop after `budgetMs` (a retry starts only while at least half a
 * request timeout of the budget is left). Mutable for tests.
 */
export const TOKEN_TIMEOUTS = { requestMs: 30_000, budgetMs: 60_000 };

/** Fallback lifetime when neither `expires_in` nor the token's `exp` says (Maskinporten's default is 120 s). */
const FALLBACK_LIFETIME_SEC = 120;

async function sendWithRetry(
	http: HttpCall,
	step: FailedStep,
	build: () => HttpRequest,
	options: ClientOptions,
): Promise<HttpResponse> {
	const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
	const wait = options.sleep ?? sleep;
	const now = options.now ?? Date.now;
	const started = now();
	let attempt = 0;
	for (;;) {
		const request = build();
		let response: HttpResponse | undefined;
		let failure: unknown;
		try {
			response = await http(request);
		} catch (error) {
			failure = error;
		}
		const retryable = response === undefined || response.statusCode >= 500;
		const budgetLeft = TOKEN_TIMEOUTS.budgetMs - (now() - started) - (delays[attempt] ?? 0);
		if (!retryable || attempt >= delays.length || budgetLeft < TOKEN_TIMEOUTS.requestMs / 2) {
			if (response) return response;
			throw unreachable(step, request, failure, attempt + 1, TOKEN_TIMEOUTS.requestMs);
		}
		await wait(delays[attempt]);
		attempt++;
	}
}

/** Posts a freshly signed grant and returns Maskinporten's access token. */
async function requestMaskinportenToken(
	http: HttpCall,
	settings: MaskinportenSettings,
	options: ClientOptions = {},
): Promise<IssuedToken> {
	const now = options.now ?? Date.now;
	const url = settings.endpoints.maskinportenTokenUrl;
	const response = await sendWithRetry(
		http,
		'grant',
		() => ({
			method: 'POST',
			url,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			body: grantRequestBody(signGrant(settings, Math.floor(now() / 1000))),
		}),
		options,
	);
	if (response.statusCode < 200 || response.statusCode >= 300) {
		throw maskinportenRejection(response.statusCode, response.body, {
			issuer: settings.endpoints.maskinportenIssuer,
			environment: settings.environment,
			clientId: settings.clientId,
			scopes: settings.scopes,
			keyDescription: settings.signing.description,
		});
	}
	const parsed = parseJson(response.body) as { access_token?: unknown; expires_in?: unknown } | undefined;
	const token = typeof parsed?.access_token === 'string' ? parsed.access_token.trim() : '';
	if (!token) throw maskinportenBadSuccess(response.body);
	const expiresIn = Number(parsed?.expires_in);
	const expiresAt =
		Number.isFinite(expiresIn) && expiresIn > 0
			? now() + expiresIn * 1000
			: ((jwtExpiry(token) ?? 0) * 1000 || now() + FALLBACK_LIFETIME_SEC * 1000);
	return { token, expiresAt };
}

export function exchangeUrl(settings: MaskinportenSettings): string {
	const query = settings.useAltinnTestOrg ? '?test=true' : '';
	return `${settings.endpoints.altinnPlatformUrl}/authentication/api/v1/exchange/maskinporten${query}`;
}

/** The Altinn token in an exchange answer: a raw JWT, a JSON string literal, or `{access_token}`. */
export function parseExchangeBody(body: string): string | undefined {
	let value: unknown = body.trim();
	if (typeof value === 'string' && (value.startsWith('"') || value.startsWith('{'))) value = parseJson(value);
	if (value && typeof value === 'object') value = (value as { access_token?: unknown }).access_token;
	if (typeof value !== 'string') return undefined;
	const token = value.trim();
	return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token) ? token : undefined;
}

/** Exchanges a Maskinporten token for an Altinn token; its lifetime is read from its own `exp`. */
export async function exchangeToAltinn(
	http: HttpCall,
	settings: MaskinportenSettings,
	maskinportenToken: IssuedToken,
	options: ClientOptions = {},
): Promise<IssuedToken> {
	const url = exchangeUrl(settings);
	const response = await sendWithRetry(
		http,
		'exchange',
		() => ({ method: 'GET', url, headers: { Authorization: `Bearer ${maskinportenToken.token}`, Accept: 'text/plain' } }),
		options,
	);
	if (response.statusCode !== 200) {
		throw exchangeRejection(response.statusCode, response.body, {
			url,
			environment: settings.environment,
			issuer: settings.endpoints.maskinportenIssuer,
		});
	}
	const token = parseExchangeBody(response.body);
	if (!token) throw exchangeBadSuccess(url);
	const exp = jwtExpiry(token);
	return { token, expiresAt: exp ? exp * 1000 : maskinportenToken.expiresAt };
}

/**
 * The whole road from settings to a usable token: grant, then (unless switched off) the
 * exchange. Altinn answers 401 for transient problems too, so a 401 gets one fresh grant and
 * one more exchange.
 */
export async function fetchToken(http: HttpCall, settings: MaskinportenSettings, options: ClientOptions = {}): Promise<IssuedToken> {
	const maskinporten = await requestMaskinportenToken(http, settings, options);
	if (!settings.exchangeToAltinn) return maskinporten;
	let refused: unknown;
	try {
		return await exchangeToAltinn(http, settings, maskinporten, options);
	} catch (error) {
		refused = error;
	}
	if ((refused as { statusCode?: number }).statusCode !== 401) throw refused;
	const fresh = await requestMaskinportenToken(http, settings, options);
	return await exchangeToAltinn(http, settings, fresh, options);
}
