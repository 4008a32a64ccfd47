/**
 * The JWT-bearer grant (RFC 7523) exactly as Maskinporten accepts it: only documented header
 * parameters and claims, `aud` = the issuer with its trailing slash, a lifetime under the
 * 120 s limit and a fresh `jti` every time (a grant can never be reused).
 */
import { randomUUID } from 'node:crypto';

import { signJwt } from './jwt';
import type { MaskinportenSettings } from './settings';

/** The identifier scheme for Norwegian organisation numbers (ISO 6523, `0192:`). */
export const ORG_NUMBER_SCHEME = 'iso6523-actorid-upis';

const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Seconds between `iat` and `exp`. Maskinporten allows at most 120. */
export const GRANT_LIFETIME_SEC = 100;

interface GrantClaims {
	aud: string;
	iss: string;
	scope: string;
	iat: number;
	exp: number;
	jti: string;
	resource?: string[];
	consumer_org?: string;
	authorization_details?: Array<{
		type: 'urn:altinn:systemuser';
		systemuser_org: { authority: typeof ORG_NUMBER_SCHEME; ID: string };
		externalRef?: string;
	}>;
}

function grantClaims(settings: MaskinportenSettings, nowSec: number, jti: string = randomUUID()): GrantClaims {
	const claims: GrantClaims = {
		aud: settings.endpoints.maskinportenIssuer,
		iss: settings.clientId,
		scope: settings.scopes.join(' '),
		iat: nowSec,
		exp: nowSec + GRANT_LIFETIME_SEC,
		jti,
	};
	if (settings.resource.length) claims.resource = settings.resource;
	if (settings.consumerOrg) claims.consumer_org = settings.consumerOrg;
	if (settings.systemUser) {
		claims.authorization_details = [
			{
				type: 'urn:altinn:systemuser',
				systemuser_org: { authority: ORG_NUMBER_SCHEME, ID: settings.systemUser.org },
				...(settings.systemUser.externalRef ? { externalRef: settings.systemUser.externalRef } : {}),
			},
		];
	}
	return claims;
}

/** A signed grant, ready to post. Never log it. */
export function signGrant(settings: MaskinportenSettings, nowSec = Math.floor(Date.now() / 1000)): string {
	return signJwt({ ...settings.signing.header }, { ...grantClaims(settings, nowSec) }, settings.signing.key, settings.algorithm);
}

/** The form body of the token request. */
export function grantRequestBody(assertion: string): string {
	return new URLSearchParams({ grant_type: JWT_BEARER_GRANT_TYPE, assertion }).toString();
}
