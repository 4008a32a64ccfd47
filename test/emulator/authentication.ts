/**
 * Emulated Altinn Authentication: the token exchange
 * `GET /authentication/api/v1/exchange/{tokenProvider}` (route `authentication.exchange`),
 * as `AuthenticationController.ExchangeExternalSystemToken` behaves (Altinn/altinn-authentication).
 *
 * - tokenProvider other than maskinporten / id-porten / altinnstudio (any case): 400 text
 *   "Invalid token provider: X. Trusted token providers are 'Maskinporten', 'Id-porten' and 'AltinnStudio'."
 *   Only the Maskinporten path is emulated; the other two answer 401.
 * - `X-Altinn-EnterpriseUser-Authentication` on the Maskinporten path: 410 ProblemDetails
 *   "Virksomhetsbruker is no longer available" (Altinn 2 is shut down).
 * - The bearer must be a Maskinporten access token of this emulator (signature, issuer,
 *   lifetime with 10 s skew, checked with jose) with a `consumer` claim whose authority is
 *   `iso6523-actorid-upis`; anything else (or any internal error) gives 401 with an empty body.
 * - The Altinn token copies the Maskinporten claims except aud/iss/client_amr/sid, and adds
 *   `urn:altinn:orgNumber`, `urn:altinn:authenticatemethod` = "maskinporten",
 *   `urn:altinn:authlevel` = 3, a new `sid`, and `urn:altinn:org` (the service owner code of the
 *   consumer) only when a scope contains `altinn:serviceowner`. `?test=true` turns Digdir
 *   (991825827, code `digdir`) into `ttd`. Signed with `ctx.keys.altinn`, issuer
 *   `ctx.urls.altinnIssuer`, lifetime `knobs.altinnTokenLifetimeSec`.
 * - Body: the JWT as text/plain, or a JSON string literal when ASP.NET's content negotiation
 *   picks JSON (an Accept header asking for application/json and no wildcard type).
 *
 * - `GET /authentication/api/v1/refresh` (route `authentication.refresh`): a new Altinn token for a
 *   valid one (the credential test request), else an empty 401.
 *
 * Counters: `authentication.exchanges` (successful), `authentication.refreshes`, `authentication.rejections`.
 *
 * Storage, apps and Events check Altinn tokens with `authenticateAltinn(ctx, authorization)`
 * below, or with `verifyBearer(authorization, ctx.keys.altinn, ctx.urls.altinnIssuer, ctx.nowSec())`.
 */
import type { JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';

import type { EmulatorContext } from './context';
import { type Router, sendEmpty, sendJson, sendProblem, sendText } from './http';
import { ORG_AUTHORITY } from './maskinporten';
import { signToken, verifyBearer } from './tokens';

export const DIGDIR_ORG_NUMBER = '991825827';
const PROVIDERS = ['maskinporten', 'id-porten', 'altinnstudio'];

/** Who an Altinn token speaks for, as Storage/apps/Events need it. */
export interface AltinnPrincipal {
	/** Service owner code (`urn:altinn:org`), only for service-owner tokens. */
	org?: string;
	/** `urn:altinn:orgNumber`: the consumer's org number. */
	orgNumber: string;
	scopes: string[];
	/** Present for system-user tokens: the customer org the system user acts for, and its id. */
	systemUser?: { orgNumber: string; id: string };
	/** All claims of the token. */
	claims: JWTPayload;
}

export function registerAuthentication(router: Router, ctx: EmulatorContext): void {
	router.add('GET', '/authentication/api/v1/exchange/:provider', 'authentication.exchange', async (req, res) => {
		const provider = req.params.provider;
		if (!PROVIDERS.includes(provider.toLowerCase())) {
			ctx.counters.inc('authentication.rejections');
			sendText(
				res,
				400,
				`Invalid token provider: ${provider}. Trusted token providers are 'Maskinporten', 'Id-porten' and 'AltinnStudio'.`,
			);
			return;
		}
		if (
			provider.toLowerCase() === 'maskinporten' &&
			req.headers['x-altinn-enterpriseuser-authentication'] !== undefined
		) {
			ctx.counters.inc('authentication.rejections');
			sendProblem(
				res,
				410,
				'Virksomhetsbruker is no longer available',
				'Enterprise user authentication was discontinued with the Altinn 2 shutdown. Use a system user or ID-porten.',
				{ type: 'https://docs.altinn.studio' },
			);
			return;
		}
		const token =
			provider.toLowerCase() === 'maskinporten'
				? await exchangeMaskinporten(ctx, req.headers.authorization, req.query)
				: undefined;
		if (!token) {
			ctx.counters.inc('authentication.rejections');
			sendEmpty(res, 401);
			return;
		}
		ctx.counters.inc('authentication.exchanges');
		if (prefersJson(req.headers.accept)) sendJson(res, 200, token);
		else sendText(res, 200, token);
	});

	// `GET /authentication/api/v1/refresh` ([Authorize], AuthenticationController.RefreshJwtCookie):
	// a valid Altinn token gets a fresh one with the same claims, anything else an empty 401.
	// The Maskinporten credential's test button calls it to prove the exchanged token works.
	router.add('GET', '/authentication/api/v1/refresh', 'authentication.refresh', async (req, res) => {
		const claims = await verifyBearer(req.headers.authorization, ctx.keys.altinn, ctx.urls.altinnIssuer, ctx.nowSec());
		if (!claims) {
			ctx.counters.inc('authentication.rejections');
			sendEmpty(res, 401);
			return;
		}
		const copied: JWTPayload = { ...claims };
		for (const name of ['iss', 'iat', 'nbf', 'exp', 'jti']) delete copied[name];
		const token = await signToken(ctx.keys.altinn, { ...copied, sid: randomUUID() }, ctx.urls.altinnIssuer, ctx.nowSec(), ctx.knobs.altinnTokenLifetimeSec);
		ctx.counters.inc('authentication.refreshes');
		sendText(res, 200, token);
	});
}

async function exchangeMaskinporten(
	ctx: EmulatorContext,
	authorization: string | undefined,
	query: URLSearchParams,
): Promise<string | undefined> {
	try {
		const mp = await verifyBearer(authorization, ctx.keys.maskinporten, ctx.urls.maskinportenIssuer, ctx.nowSec());
		if (!mp) return undefined;
		const consumer = mp.consumer as { authority?: unknown; ID?: unknown } | undefined;
		if (!consumer || consumer.authority !== ORG_AUTHORITY || typeof consumer.ID !== 'string') return undefined;
		const orgNumber = consumer.ID.split(':')[1];
		if (!orgNumber) return undefined;

		const copied: JWTPayload = { ...mp };
		for (const name of ['aud', 'iss', 'client_amr', 'sid', 'iat', 'nbf', 'exp']) delete copied[name];
		const claims: JWTPayload = {
			...copied,
			'urn:altinn:orgNumber': orgNumber,
			'urn:altinn:authenticatemethod': 'maskinporten',
			'urn:altinn:authlevel': 3,
			sid: randomUUID(),
		};
		if (typeof mp.scope === 'string' && mp.scope.includes('altinn:serviceowner')) {
			let org = ctx.world.serviceOwnerByOrgNumber(orgNumber)?.code;
			if (orgNumber === DIGDIR_ORG_NUMBER && !org) org = 'digdir';
			if (org === 'digdir' && query.get('test')?.toLowerCase() === 'true') org = 'ttd';
			if (org) claims['urn:altinn:org'] = org;
		}
		return await signToken(
			ctx.keys.altinn,
			claims,
			ctx.urls.altinnIssuer,
			ctx.nowSec(),
			ctx.knobs.altinnTokenLifetimeSec,
		);
	} catch {
		return undefined; // Altinn's catch-all: any exception is a 401
	}
}

/** ASP.NET Core output formatting for a `string` result: text unless the Accept header selects JSON. */
function prefersJson(accept: string | undefined): boolean {
	if (!accept) return false;
	const types = accept
		.split(',')
		.map((part, index) => {
			const [type, ...params] = part.trim().toLowerCase().split(';');
			const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)).find(Boolean);
			return { type: type.trim(), q: q ? Number(q[1]) : 1, index };
		})
		.filter((t) => t.q > 0);
	if (types.some((t) => t.type === '*/*')) return false; // treated as a browser: Accept ignored
	types.sort((a, b) => b.q - a.q || a.index - b.index);
	for (const t of types) {
		if (t.type === 'text/plain' || t.type === 'text/*') return false;
		if (t.type === 'application/json' || t.type === 'application/*' || /^application\/[^/]+\+json$/.test(t.type))
			return true;
	}
	return false;
}

/**
 * Verifies an Altinn token (from the exchange) the way Storage, apps and Events do: signature,
 * issuer and lifetime with 10 s skew. Returns undefined when the caller must answer 401.
 */
export async function authenticateAltinn(
	ctx: EmulatorContext,
	authorizationHeader: string | undefined,
): Promise<AltinnPrincipal | undefined> {
	const claims = await verifyBearer(authorizationHeader, ctx.keys.altinn, ctx.urls.altinnIssuer, ctx.nowSec());
	if (!claims) return undefined;
	const orgNumber = claims['urn:altinn:orgNumber'];
	if (typeof orgNumber !== 'string' && typeof orgNumber !== 'number') return undefined;
	const org = claims['urn:altinn:org'];
	const principal: AltinnPrincipal = {
		orgNumber: String(orgNumber),
		scopes: typeof claims.scope === 'string' ? claims.scope.split(/\s+/).filter(Boolean) : [],
		claims,
		...(typeof org === 'string' ? { org } : {}),
	};
	const details = Array.isArray(claims.authorization_details) ? (claims.authorization_details as unknown[]) : [];
	const systemUser = details.find(
		(d): d is Record<string, unknown> =>
			typeof d === 'object' && d !== null && (d as { type?: unknown }).type === 'urn:altinn:systemuser',
	);
	if (systemUser) {
		const sysOrg = systemUser.systemuser_org as { id?: unknown; ID?: unknown } | undefined;
		const orgId = String(sysOrg?.id ?? sysOrg?.ID ?? '');
		const ids = systemUser.systemuser_id;
		principal.systemUser = {
			orgNumber: orgId.includes(':') ? orgId.split(':')[1] : orgId,
			id: String(Array.isArray(ids) ? ids[0] : (ids ?? '')),
		};
	}
	return principal;
}
