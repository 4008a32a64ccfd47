/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-hardcoded-secrets */
/**
 * Emulated Maskinporten: the well-known document, the public JWKS and the RFC 7523
 * JWT-bearer token endpoint, verified as strictly as the real server (docs.digdir.no
 * `maskinporten_protocol_jwtgrant`, `maskinporten_feilsoking`) and answering with its real
 * error shapes. All JWT checks use `jose`, independently of the package's own signer.
 *
 * Routes (issuer = `ctx.urls.maskinportenIssuer`, with its trailing slash):
 *   GET  /maskinporten/.well-known/oauth-authorization-server   route `maskinporten.wellknown`
 *   GET  /maskinporten/jwk                                      route `maskinporten.jwks`
 *   POST /maskinporten/token                                    route `maskinporten.token`
 *
 * Registry API (returned by `registerMaskinporten`, exposed as `emu.maskinporten`):
 *
 *   emu.maskinporten.registerClient({
 *     clientId: 'my-client', orgNumber: '405003309',
 *     scopes: ['altinn:serviceowner/instances.read'],
 *     jwks: [{ ...publicJwk, kid: 'k1', expiresAt?: epochSec }],   // kid grants; expiresAt -> MP-121
 *     certificates: { trustedCaPem: [caPem] },                       // x5c grants (virksomhetssertifikat)
 *     delegations: [{ consumerOrg: '310000001', scopes: ['some:scope'] }],   // consumer_org grants
 *     systemUsers: [{ orgNumber: '310000002', externalRef?: 'ref', id?: uuid }], // authorization_details
 *     allowedResources: ['https://api.example/'],                    // if set, `resource` must be one of them
 *   })                       -> the stored client (re-registering an id replaces it)
 *   emu.maskinporten.client(id) / clients() / removeClient(id)
 *   emu.maskinporten.acceptedGrants   every accepted grant: { clientId, header, claims, receivedAt }
 *   emu.maskinporten.issuer / tokenEndpoint
 *   emu.maskinporten.reset()          forget accepted grants and used jti values (clients stay)
 *
 * Rules, in the order they are checked (first failure answers):
 *   body      form-encoded (else 400 invalid_request), grant_type jwt-bearer (else 400
 *             unsupported_grant_type), an `assertion` that decodes as a JWS (else MP-011)
 *   header    alg RS256/RS384/RS512; `x5c`, when present, an array of base64 DER (MP-123)
 *   claims    only documented claims (nbf and sub are tolerated) else "Invalid assertion"
 *   client    iss registered (MP-100)
 *   key       `kid` wins when present and must be registered on that client ("Unknown key
 *             identifier (kid) for client"), and not expired (MP-121); without kid, a client
 *             that trusts certificates takes `x5c` (leaf must chain to a trusted CA, MP-120,
 *             and carry the client's org number as subject serialNumber, MP-122); a JWK-only
 *             client without kid gets "requires pre-registered jwk"
 *   signature jose compactVerify (MP-124)
 *   aud       exactly the issuer string (MP-110)
 *   time      exp - iat <= 120; iat no more than 10 s ahead ("Issue time is after now") or
 *             behind, exp not passed (MP-130)
 *   jti       present; never reused (MP-012). A verified grant's jti is spent even if a later
 *             check (scope, delegation, ...) rejects it.
 *   scope     non-empty; each allowed for the client (MP-200) or, with consumer_org, delegated
 *             by that consumer (MP-251, 403 forbidden); consumer_org must not be the client's
 *             own org
 *   resource  string or non-empty array of strings; in allowedResources when that is set
 *   authorization_details  one `urn:altinn:systemuser` entry (MP-301), fields type /
 *             systemuser_org / externalRef only (MP-302), well-formed values (MP-303
 *             invalid_authorization_details) matching an approved system user (MP-303
 *             invalid_altinn_customer_configuration)
 *
 * Counters: `maskinporten.grants` (successful), `maskinporten.rejections` and
 * `maskinporten.rejections.<MP code, or the OAuth error when there is none>`.
 */
import * as jose from 'jose';
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import type { ServerResponse } from 'node:http';

import type { EmulatorContext } from './context';
import { type EmulatorRequest, type Router, sendJson } from './http';
import { signToken } from './tokens';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const SYSTEMUSER_TYPE = 'urn:altinn:systemuser';
export const ORG_AUTHORITY = 'iso6523-actorid-upis';
/** Maximum `exp - iat` of a grant (docs: 120 s) and the allowed clock skew (10 s). */
export const MAX_GRANT_LIFETIME_SEC = 120;
export const GRANT_SKEW_SEC = 10;

const ALGORITHMS = ['RS256', 'RS384', 'RS512'];
/** Documented grant claims, plus `nbf` and `sub`, which real clients send and the server tolerates. */
const ALLOWED_CLAIMS = new Set([
	'aud',
	'iss',
	'iat',
	'exp',
	'jti',
	'scope',
	'resource',
	'pid',
	'consumer_org',
	'iss_onbehalfof',
	'authorization_details',
	'nbf',
	'sub',
]);
const AUTH_FAILED = 'Invalid assertion. Client authentication failed.';

export type RegisteredJwk = jose.JWK & {
	kid: string;
	/** Epoch seconds; after it the key gives MP-121. */ expiresAt?: number;
};

export interface SystemUserDef {
	/** The customer's org number (the `systemuser_org` of the grant), 9 digits. */
	orgNumber: string;
	/** If the system user was created with one, the grant must send the same `externalRef`. */
	externalRef?: string;
	/** `systemuser_id` in the access token; a random UUID if not given. */
	id?: string;
	/** `system_id` in the access token; default `<client org>_<clientId>`. */
	systemId?: string;
}

export interface ClientDefinition {
	clientId: string;
	/** The client owner's org number, 9 digits (`consumer` of its tokens). */
	orgNumber: string;
	scopes: string[];
	jwks?: RegisteredJwk[];
	/** Accept `x5c` business certificates whose leaf chains to one of these CAs (PEM, bundles allowed). */
	certificates?: { trustedCaPem: string | string[] };
	delegations?: Array<{ consumerOrg: string; scopes: string[] }>;
	systemUsers?: SystemUserDef[];
	allowedResources?: string[];
}

export interface RegisteredClient extends Omit<ClientDefinition, 'systemUsers'> {
	systemUsers: Array<SystemUserDef & { id: string; systemId: string }>;
}

export interface AcceptedGrant {
	clientId: string;
	header: jose.ProtectedHeaderParameters;
	claims: jose.JWTPayload;
	/** Emulator time (epoch s) when the grant was accepted. */
	receivedAt: number;
}

export interface MaskinportenRegistry {
	readonly issuer: string;
	readonly tokenEndpoint: string;
	registerClient(def: ClientDefinition): RegisteredClient;
	removeClient(clientId: string): boolean;
	client(clientId: string): RegisteredClient | undefined;
	clients(): RegisteredClient[];
	readonly acceptedGrants: AcceptedGrant[];
	reset(): void;
}

/** A rejection with the real wire shape: `{ error, error_description }`. */
class Rejection {
	constructor(
		readonly status: number,
		readonly error: string,
		readonly message: string,
		readonly code?: string,
	) {}
}

const invalidGrant = (message: string, code?: string) => new Rejection(400, 'invalid_grant', message, code);
const invalidRequest = (message: string, code?: string) => new Rejection(400, 'invalid_request', message, code);

export function registerMaskinporten(router: Router, ctx: EmulatorContext): MaskinportenRegistry {
	const issuer = ctx.urls.maskinportenIssuer;
	const clients = new Map<string, RegisteredClient>();
	const usedJti = new Set<string>();
	const acceptedGrants: AcceptedGrant[] = [];

	const registry: MaskinportenRegistry = {
		issuer,
		tokenEndpoint: `${issuer}token`,
		registerClient(def) {
			const client: RegisteredClient = {
				...def,
				scopes: [...def.scopes],
				systemUsers: (def.systemUsers ?? []).map((u) => ({
					...u,
					id: u.id ?? randomUUID(),
					systemId: u.systemId ?? `${def.orgNumber}_${def.clientId}`,
				})),
			};
			clients.set(def.clientId, client);
			return client;
		},
		removeClient: (clientId) => clients.delete(clientId),
		client: (clientId) => clients.get(clientId),
		clients: () => [...clients.values()],
		acceptedGrants,
		reset() {
			acceptedGrants.length = 0;
			usedJti.clear();
		},
	};

	router.add('GET', '/maskinporten/.well-known/oauth-authorization-server', 'maskinporten.wellknown', (_req, res) =>
		sendJson(res, 200, {
			issuer,
			token_endpoint: `${issuer}token`,
			jwks_uri: `${issuer}jwk`,
			token_endpoint_auth_methods_supported: ['private_key_jwt'],
			grant_types_supported: [JWT_BEARER],
			token_endpoint_auth_signing_alg_values_supported: ALGORITHMS,
			authorization_details_types_supported: [SYSTEMUSER_TYPE, 'urn:altinn:consent'],
		}),
	);

	router.add('GET', '/maskinporten/jwk', 'maskinporten.jwks', async (_req, res) => {
		const jwk = await jose.exportJWK(ctx.keys.maskinporten.publicKey);
		sendJson(res, 200, {
			keys: [{ ...jwk, kid: ctx.keys.maskinporten.kid, alg: 'RS256', use: 'sig' }],
		});
	});

	router.add('POST', '/maskinporten/token', 'maskinporten.token', async (req, res) => {
		const outcome = await handleGrant(req).then(
			(ok) => ok,
			(error: unknown) => {
				if (error instanceof Rejection) return error;
				throw error; // an emulator bug: index.ts answers 500
			},
		);
		if (outcome instanceof Rejection) reject(res, outcome);
		else {
			ctx.counters.inc('maskinporten.grants');
			sendJson(res, 200, outcome.body, {
				'Cache-Control': 'no-store',
				Pragma: 'no-cache',
			});
		}
	});

	function reject(res: ServerResponse, r: Rejection): void {
		ctx.counters.inc('maskinporten.rejections');
		ctx.counters.inc(`maskinporten.rejections.${r.code ?? r.error}`);
		const trace =
			r.error === 'forbidden' ? `(correlation id: ${randomUUID()})` : `(trace_id: ${randomBytes(16).toString('hex')})`;
		const description = `${r.code ? `${r.code}: ` : ''}${r.message} ${trace}`;
		sendJson(res, r.status, { error: r.error, error_description: description });
	}

	async function handleGrant(req: EmulatorRequest): Promise<{ body: Record<string, unknown> }> {
		// --- the HTTP request -------------------------------------------------------------
		const contentType = String(req.headers['content-type'] ?? '')
			.split(';')[0]
			.trim()
			.toLowerCase();
		const text = (await req.body()).toString('utf8');
		if (contentType !== 'application/x-www-form-urlencoded') {
			throw invalidRequest('Content-Type must be application/x-www-form-urlencoded.');
		}
		const form = new URLSearchParams(text);
		const grantType = form.get('grant_type');
		if (!grantType) throw invalidRequest('Missing grant_type.');
		if (grantType !== JWT_BEARER) {
			throw new Rejection(400, 'unsupported_grant_type', `Unsupported grant_type: ${grantType.slice(0, 100)}.`);
		}
		const assertion = form.get('assertion');
		if (!assertion) throw invalidRequest('Missing assertion.');

		// --- decode ----------------------------------------------------------------------
		let header: jose.ProtectedHeaderParameters;
		let claims: jose.JWTPayload;
		try {
			header = jose.decodeProtectedHeader(assertion);
			claims = jose.decodeJwt(assertion);
		} catch {
			throw invalidRequest('Invalid assertion. Invalid parameter value', 'MP-011');
		}
		if (!ALGORITHMS.includes(String(header.alg))) {
			throw invalidGrant(
				`Invalid assertion. Unsupported JWT algorithm ${String(header.alg).slice(0, 20)}. Supported: ${ALGORITHMS.join(', ')}.`,
			);
		}
		if (header.x5c !== undefined && !isX5cArray(header.x5c)) {
			throw invalidGrant(
				'Invalid JWT header x5c. Sjekk at sertifikatet ligger med som et array av string (base64 DER).',
				'MP-123',
			);
		}
		const unknown = Object.keys(claims).filter((c) => !ALLOWED_CLAIMS.has(c));
		if (unknown.length > 0)
			throw invalidRequest(`Invalid assertion. Unknown claim(s): ${unknown.join(', ').slice(0, 200)}.`);

		// --- client and key ----------------------------------------------------------------
		const client = typeof claims.iss === 'string' ? clients.get(claims.iss) : undefined;
		if (!client) throw invalidGrant(`${AUTH_FAILED} Client not found`, 'MP-100');
		const { key, amr } = await resolveKey(client, header);

		try {
			await jose.compactVerify(assertion, key, { algorithms: ALGORITHMS });
		} catch {
			throw invalidGrant(`${AUTH_FAILED} Invalid JWT signature`, 'MP-124');
		}

		// --- standard claims ---------------------------------------------------------------
		if (typeof claims.aud !== 'string' || claims.aud !== issuer) {
			throw invalidGrant(`${AUTH_FAILED} Invalid JWT claim aud`, 'MP-110');
		}
		const { iat, exp } = claims;
		if (!Number.isInteger(iat) || !Number.isInteger(exp)) {
			throw invalidRequest('Invalid assertion. The claims iat and exp are required (epoch seconds).', 'MP-011');
		}
		const now = ctx.nowSec();
		if (exp! - iat! > MAX_GRANT_LIFETIME_SEC) throw invalidGrant(`${AUTH_FAILED} JWT has too long lifetime.`);
		if (iat! > now + GRANT_SKEW_SEC) throw invalidGrant(`${AUTH_FAILED} Issue time is after now.`);
		if (exp! < now - GRANT_SKEW_SEC || iat! < now - GRANT_SKEW_SEC) {
			throw invalidGrant(`${AUTH_FAILED} JWT is expired`, 'MP-130');
		}
		if (typeof claims.jti !== 'string' || claims.jti === '') {
			throw invalidRequest('Invalid assertion. Missing jti: a grant must be unique.');
		}
		const jtiKey = `${client.clientId}\u0000${claims.jti}`;
		if (usedJti.has(jtiKey))
			throw invalidGrant('Validation of JWT Bearer grant failed. Grant is used before', 'MP-012');
		usedJti.add(jtiKey);

		// --- what is asked for ---------------------------------------------------------------
		if (typeof claims.scope !== 'string' || claims.scope.trim() === '') {
			throw new Rejection(
				400,
				'invalid_scope',
				'Token request contains no scope. At least one scope is required.',
				'MP-200',
			);
		}
		const scopes = claims.scope.trim().split(/\s+/);
		const consumerOrg = claims.consumer_org;
		if (consumerOrg !== undefined) {
			checkDelegation(client, consumerOrg, scopes);
		} else {
			const invalid = scopes.filter((s) => !client.scopes.includes(s));
			if (invalid.length > 0) {
				throw new Rejection(
					400,
					'invalid_scope',
					`Token request contains invalid scopes for client: ${invalid.join(' ')}`,
					'MP-200',
				);
			}
		}
		const resource = checkResource(client, claims.resource);
		if (claims.pid !== undefined && !(typeof claims.pid === 'string' && /^\d{11}$/.test(claims.pid))) {
			throw invalidRequest('Invalid assertion. Invalid parameter value: pid', 'MP-011');
		}
		if (claims.iss_onbehalfof !== undefined && typeof claims.iss_onbehalfof !== 'string') {
			throw invalidRequest('Invalid assertion. Invalid parameter value: iss_onbehalfof', 'MP-011');
		}
		const authorizationDetails =
			claims.authorization_details === undefined ? undefined : checkSystemUser(client, claims.authorization_details);

		// --- the access token ----------------------------------------------------------------
		acceptedGrants.push({
			clientId: client.clientId,
			header,
			claims,
			receivedAt: now,
		});
		const lifetime = ctx.knobs.maskinportenTokenLifetimeSec;
		const tokenClaims: jose.JWTPayload = {
			aud: resource ?? 'unspecified',
			scope: scopes.join(' '),
			client_id: client.clientId,
			client_amr: amr,
			token_type: 'Bearer',
			consumer: {
				authority: ORG_AUTHORITY,
				ID: `0192:${consumerOrg ?? client.orgNumber}`,
			},
			...(consumerOrg !== undefined
				? {
						supplier: {
							authority: ORG_AUTHORITY,
							ID: `0192:${client.orgNumber}`,
						},
						delegation_source: 'https://tt02.altinn.no/',
					}
				: {}),
			...(claims.pid !== undefined ? { pid: claims.pid } : {}),
			...(authorizationDetails ? { authorization_details: authorizationDetails } : {}),
		};
		const accessToken = await signToken(ctx.keys.maskinporten, tokenClaims, issuer, now, lifetime);
		return {
			body: {
				access_token: accessToken,
				token_type: 'Bearer',
				expires_in: lifetime,
				scope: scopes.join(' '),
			},
		};
	}

	async function resolveKey(
		client: RegisteredClient,
		header: jose.ProtectedHeaderParameters,
	): Promise<{ key: jose.KeyLike | Uint8Array; amr: string }> {
		if (header.kid !== undefined) {
			const jwk = client.jwks?.find((k) => k.kid === header.kid);
			if (!jwk) throw invalidGrant(`${AUTH_FAILED} Unknown key identifier (kid) for client.`);
			if (jwk.expiresAt !== undefined && jwk.expiresAt < ctx.nowSec())
				throw invalidGrant(`${AUTH_FAILED} Expired key`, 'MP-121');
			const publicJwk: jose.JWK = { ...jwk, alg: undefined };
			delete (publicJwk as { expiresAt?: number }).expiresAt;
			try {
				return {
					key: await jose.importJWK(publicJwk, String(header.alg)),
					amr: 'private_key_jwt',
				};
			} catch {
				throw invalidGrant(`${AUTH_FAILED} Invalid JWT signature`, 'MP-124');
			}
		}
		if (header.x5c !== undefined && client.certificates) {
			const leaf = verifyChain(header.x5c as string[], client.certificates.trustedCaPem);
			const orgNumber = certificateOrgNumber(leaf);
			if (orgNumber !== client.orgNumber) {
				throw invalidGrant('Invalid organization number for client. Does not match certificate orgno', 'MP-122');
			}
			return { key: leaf.publicKey, amr: 'virksomhetssertifikat' };
		}
		if (client.jwks?.length) {
			throw invalidGrant('Invalid JWT. The client requires pre-registered jwk and no key identifier (kid) provided');
		}
		throw invalidGrant('Invalid JWT header x5c. Either kid or x5c must be present.', 'MP-123');
	}

	function verifyChain(x5c: string[], trustedPem: string | string[]): X509Certificate {
		const invalidCert = () => invalidGrant(`${AUTH_FAILED} The JWT is signed with an invalid certificate.`, 'MP-120');
		const chain = x5c.map((b64) => new X509Certificate(Buffer.from(b64, 'base64')));
		const trusted = splitPem(trustedPem).map((pem) => new X509Certificate(pem));
		const nowMs = ctx.nowSec() * 1000;
		const valid = (c: X509Certificate) => Date.parse(c.validFrom) <= nowMs && nowMs <= Date.parse(c.validTo);
		const issuedBy = (child: X509Certificate, parent: X509Certificate) =>
			child.checkIssued(parent) && child.verify(parent.publicKey) && valid(parent);
		let current = chain[0];
		if (!valid(current) || current.ca) throw invalidCert();
		for (let depth = 0; depth < 5; depth++) {
			if (trusted.some((ca) => issuedBy(current, ca))) return chain[0];
			const next = chain.slice(1).find((c) => c.ca && issuedBy(current, c));
			if (!next) break;
			current = next;
		}
		throw invalidCert();
	}

	function checkDelegation(client: RegisteredClient, consumerOrg: unknown, scopes: string[]): void {
		if (typeof consumerOrg !== 'string' || !/^\d{9}$/.test(consumerOrg)) {
			throw invalidRequest('Invalid assertion. Invalid parameter value: consumer_org', 'MP-011');
		}
		if (consumerOrg === client.orgNumber) {
			throw invalidRequest('The combination consumer_org in claim and delegation scope on client is invalid');
		}
		for (const scope of scopes) {
			const delegated = client.delegations?.some((d) => d.consumerOrg === consumerOrg && d.scopes.includes(scope));
			if (!delegated) {
				throw new Rejection(
					403,
					'forbidden',
					`Consumer ${consumerOrg} has not delegated access to the scope ${scope} to supplier ${client.orgNumber}.`,
					'MP-251',
				);
			}
		}
	}

	function checkResource(client: RegisteredClient, resource: unknown): string | string[] | undefined {
		if (resource === undefined) return undefined;
		const values = typeof resource === 'string' ? [resource] : resource;
		if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) {
			throw invalidRequest('Invalid assertion. Invalid parameter value: resource', 'MP-011');
		}
		const notAllowed = client.allowedResources ? values.filter((v) => !client.allowedResources!.includes(v)) : [];
		if (notAllowed.length > 0) {
			throw new Rejection(400, 'invalid_target', `Invalid resource for client: ${notAllowed.join(' ').slice(0, 200)}`);
		}
		return resource as string | string[];
	}

	function checkSystemUser(client: RegisteredClient, details: unknown): unknown[] {
		const rar = (message: string, code: string) => new Rejection(400, 'invalid_authorization_details', message, code);
		if (!Array.isArray(details) || details.length !== 1 || typeof details[0] !== 'object' || details[0] === null) {
			throw rar('Invalid authorization details values: exactly one authorization_details entry is supported', 'MP-303');
		}
		const entry = details[0] as Record<string, unknown>;
		if (entry.type !== SYSTEMUSER_TYPE) throw rar('Unknown authorization details type', 'MP-301');
		const extra = Object.keys(entry).filter((k) => !['type', 'systemuser_org', 'externalRef'].includes(k));
		if (extra.length > 0)
			throw rar(`Unknown fields in the authorization details: ${extra.join(', ').slice(0, 200)}`, 'MP-302');
		const org = entry.systemuser_org as Record<string, unknown> | undefined;
		const id = typeof org?.ID === 'string' ? /^0192:(\d{9})$/.exec(org.ID) : null;
		if (!org || typeof org !== 'object' || Object.keys(org).length !== 2 || org.authority !== ORG_AUTHORITY || !id) {
			throw rar(
				'Invalid authorization details values: systemuser_org must be {"authority":"iso6523-actorid-upis","ID":"0192:<orgno>"}',
				'MP-303',
			);
		}
		if (entry.externalRef !== undefined && typeof entry.externalRef !== 'string') {
			throw rar('Invalid authorization details values: externalRef', 'MP-303');
		}
		// A system user's externalRef defaults to the customer's org number, and a grant without externalRef
		// means that default (altinn-studio-docs, "Troubleshooting: invalid_altinn_customer_configuration (MP-303)":
		// "If not provided, it defaults to partyOrgNo").
		const user = client.systemUsers.find(
			(u) => u.orgNumber === id[1] && (u.externalRef ?? u.orgNumber) === ((entry.externalRef as string | undefined) ?? id[1]),
		);
		// Well-formed details but no approved system user for this client's system: Maskinporten names it
		// `invalid_altinn_customer_configuration` (altinn-studio-docs, "Troubleshooting:
		// invalid_altinn_customer_configuration (MP-303)": a missing client id on the system, or an externalRef the
		// system user was created with but the grant left out).
		if (!user) {
			throw new Rejection(400, 'invalid_altinn_customer_configuration', `Invalid authorization details values: no system user for ${id[1]} on this system`, 'MP-303');
		}
		return [
			{
				type: SYSTEMUSER_TYPE,
				systemuser_org: {
					authority: ORG_AUTHORITY,
					id: `0192:${user.orgNumber}`,
				},
				systemuser_id: [user.id],
				system_id: user.systemId,
			},
		];
	}

	return registry;
}

function isX5cArray(x5c: unknown): x5c is string[] {
	if (!Array.isArray(x5c) || x5c.length === 0) return false;
	return x5c.every((c) => {
		if (typeof c !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(c)) return false;
		try {
			new X509Certificate(Buffer.from(c, 'base64'));
			return true;
		} catch {
			return false;
		}
	});
}

function splitPem(pem: string | string[]): string[] {
	const all = (Array.isArray(pem) ? pem : [pem]).join('\n');
	return all.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** The 9-digit org number of a Norwegian business certificate: subject serialNumber, or organizationIdentifier NTRNO-. */
export function certificateOrgNumber(cert: X509Certificate): string | undefined {
	for (const line of cert.subject.split('\n')) {
		const [name, ...rest] = line.split('=');
		const value = rest.join('=');
		if (/^(serialNumber|organizationIdentifier|2\.5\.4\.97)$/.test(name)) {
			const m = /(\d{9})$/.exec(value.trim());
			if (m) return m[1];
		}
	}
	return undefined;
}
