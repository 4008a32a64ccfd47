/**
 * The one entry point used by the credential and the nodes:
 *
 *   const { token } = await getAccessToken(httpCallFrom(this.helpers.httpRequest), credentials);
 *
 * Validates the credential fields, then returns a cached token or makes the grant (and the
 * Altinn exchange) once for all concurrent callers.
 */
import type { ICredentialTestFunctions, IHttpRequestHelper } from 'n8n-workflow';

import { parseSettings, settingsFingerprint, type TokenRequestOverrides } from './settings';
import { TokenCache } from './tokenCache';
import { type ClientOptions, fetchToken, type HttpCall, type IssuedToken, TOKEN_TIMEOUTS } from './tokenClient';

export { appBaseUrl, resolveEndpoints, type Endpoints, type EnvironmentName } from './environments';
export { CredentialSettingsError, MaskinportenError, redact } from './errors';
export { testCredentials, type CredentialTestResult } from './credentialTest';
export { decodeJwtPayload, jwtExpiry } from './jwt';
export { DEFAULT_SCOPES, parseSettings, type MaskinportenSettings, type TokenRequestOverrides } from './settings';
export type { HttpCall, HttpRequest, HttpResponse, IssuedToken } from './tokenClient';

const cache = new TokenCache();

export interface GetAccessTokenOptions {
	/** The token the caller holds and found wanting (e.g. after a 401); see `TokenCache.get`. */
	staleToken?: string;
	/** Per-request system user, on top of the credential. */
	overrides?: TokenRequestOverrides;
	/** Retry pauses and clock, for tests. */
	client?: ClientOptions;
}

export async function getAccessToken(
	http: HttpCall,
	credentials: Record<string, unknown>,
	options: GetAccessTokenOptions = {},
): Promise<IssuedToken> {
	const settings = parseSettings(credentials, options.overrides);
	const staleToken = typeof options.staleToken === 'string' && options.staleToken ? options.staleToken : undefined;
	return await cache.get(settingsFingerprint(settings), async () => await fetchToken(http, settings, options.client), staleToken);
}

/** Forgets every cached token in this process (tests, or after rotating a key). */
export function clearTokenCache(): void {
	cache.clear();
}

const asText = (body: unknown): string => {
	if (body === undefined || body === null) return '';
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	return JSON.stringify(body);
};

/** Adapts n8n's `httpRequest` helper (proxy, SSRF policy, timeouts) to `HttpCall`. */
export function httpCallFrom(httpRequest: IHttpRequestHelper['helpers']['httpRequest']): HttpCall {
	return async (request) => {
		const response = (await httpRequest({
			method: request.method,
			url: request.url,
			headers: request.headers,
			body: request.body,
			encoding: 'text',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: TOKEN_TIMEOUTS.requestMs,
		})) as { statusCode?: number; body?: unknown };
		return { statusCode: Number(response.statusCode), body: asText(response.body) };
	};
}

/**
 * Adapts the helpers of a credential test method to `HttpCall`. n8n gives such a method only the
 * legacy `request` helper (ICredentialTestFunctions, n8n-workflow 2.41: no `httpRequest`), which n8n's
 * lint calls deprecated in favour of `httpRequest`; here there is no `httpRequest` to use instead.
 * It still goes through n8n's outbound HTTP (proxy, SSRF policy). `simple: false` hands back 4xx/5xx
 * answers as responses instead of throwing.
 */
export function httpCallFromLegacyRequest(helpers: ICredentialTestFunctions['helpers']): HttpCall {
	return async (call) => {
		const response = (await helpers.request({
			method: call.method,
			uri: call.url,
			headers: call.headers,
			body: call.body,
			json: false,
			simple: false,
			resolveWithFullResponse: true,
			timeout: TOKEN_TIMEOUTS.requestMs,
		})) as { statusCode?: number; body?: unknown };
		return { statusCode: Number(response.statusCode), body: asText(response.body) };
	};
}
