/**
 * `ensureFreshToken`: call it before a request whose body can be sent only once (a streamed
 * upload). n8n refreshes the credential's token only after a 401, and it cannot resend a
 * streamed body after that 401, so the token must be good before the stream starts.
 */
import { jwtExpiry } from '../../../credentials/maskinporten';
import type { AltinnContext } from './context';
import { CREDENTIAL_TYPE } from './context';
import { altinnRequest } from './request';
import { domainToken, systemUserFor } from './systemUser';

/** Seconds of validity a token must have left for a single-use request. */
const FRESH_MARGIN_SEC = 60;

/** Pure: whether a stored token still has `margin` seconds left ('missing' when there is none or it is no JWT). */
export function tokenFreshness(token: unknown, nowSec: number, margin = FRESH_MARGIN_SEC): 'fresh' | 'expiring' | 'expired' | 'missing' {
	const exp = typeof token === 'string' && token ? jwtExpiry(token) : undefined;
	if (exp === undefined) return 'missing';
	if (exp <= nowSec) return 'expired';
	return exp - nowSec <= margin ? 'expiring' : 'fresh';
}

/**
 * Makes sure a single-use request will not meet a 401.
 *
 * - token fresh, missing (n8n fetches one before sending), or a per-item system user (whose
 *   token the transport refreshes itself): nothing to do, returns undefined;
 * - expired: a cheap authenticated GET (`probeUrl`, e.g. the instance's Storage URL) meets the
 *   401, so n8n refreshes and stores the token; returns undefined;
 * - about to expire (n8n would not refresh it yet): returns a fresh token from the domain cache;
 *   send the request with `altinnRequestWithToken`.
 */
export async function ensureFreshToken(
	this: AltinnContext,
	probeUrl: string,
	itemIndex?: number,
): Promise<string | undefined> {
	if (systemUserFor(this, itemIndex)) return undefined;
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const state = tokenFreshness(credentials.accessToken, Math.floor(Date.now() / 1000));
	if (state === 'fresh' || state === 'missing') return undefined;
	if (state === 'expired') {
		await altinnRequest.call(this, { method: 'GET', url: probeUrl, retry: 'safe', systemUser: null }, itemIndex);
		return undefined;
	}
	return await domainToken.call(this, undefined, credentials.accessToken as string, itemIndex);
}
