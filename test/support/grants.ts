/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
/**
 * Maskinporten grants built with `jose`, independently of the package's own signer, for
 * tests that talk to the emulated token endpoint directly.
 *
 *   const key = await createClientKey('my-kid');
 *   emu.maskinporten.registerClient({ clientId: 'c1', orgNumber: '405003309', scopes: ['a:b'], jwks: [key.publicJwk] });
 *   const grant = await buildGrant({ audience: emu.maskinporten.issuer, clientId: 'c1', scope: 'a:b', key: key.privateKey, kid: key.kid });
 *   const { status, json } = await postGrant(emu.maskinporten.tokenEndpoint, grant);
 *
 * Certificate grants: `key: await fixturePrivateKey('business.key.pem'), x5c: x5cFromPem(readFixture('business.chain.pem'))`.
 */
import * as jose from 'jose';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface ClientKey {
	kid: string;
	privateKey: jose.KeyLike;
	/** Public JWK with `kid`, `use` and `alg`, ready for `registerClient({ jwks: [publicJwk] })`. */
	publicJwk: jose.JWK & { kid: string };
	/** The private JWK (what a user pastes into the credential's `jwk` field). */
	privateJwk: jose.JWK & { kid: string };
}

export async function createClientKey(kid = `kid-${randomUUID()}`): Promise<ClientKey> {
	const { privateKey, publicKey } = await jose.generateKeyPair('RS256', {
		extractable: true,
	});
	const publicJwk = {
		...(await jose.exportJWK(publicKey)),
		kid,
		use: 'sig',
		alg: 'RS256',
	};
	const privateJwk = {
		...(await jose.exportJWK(privateKey)),
		kid,
		use: 'sig',
		alg: 'RS256',
	};
	return { kid, privateKey, publicJwk, privateJwk };
}

export function readFixture(name: string): string {
	return readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');
}

/** A fixture private key (PKCS#8, PKCS#1 or SEC1 PEM) as a key jose can sign with. */
export function fixturePrivateKey(name: string): jose.KeyLike {
	return createPrivateKey(readFixture(name));
}

/** The `x5c` header value for a PEM certificate chain: base64 DER per certificate, leaf first. */
export function x5cFromPem(pem: string): string[] {
	const blocks = pem.match(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g) ?? [];
	return blocks.map((b) => b.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''));
}

export interface GrantSpec {
	/** `aud`: the Maskinporten issuer, with its trailing slash. */
	audience: unknown;
	/** `iss`: the client id. */
	clientId: string;
	scope?: string;
	key: jose.KeyLike | Uint8Array;
	/** Default RS256. */
	alg?: string;
	kid?: string;
	/** Sent as given (tests send malformed values on purpose). */
	x5c?: unknown;
	/** Default: now (client clock). */
	iat?: number;
	/** Default `iat + 60`. */
	exp?: number;
	/** Default a random UUID. */
	jti?: string;
	/** Extra claims: resource, consumer_org, authorization_details, ... */
	claims?: Record<string, unknown>;
	/** Extra header parameters. */
	header?: Record<string, unknown>;
	/** Claim names to leave out (e.g. `['jti']`). */
	omit?: string[];
}

/** Signs a grant with jose. */
export async function buildGrant(spec: GrantSpec): Promise<string> {
	const iat = spec.iat ?? Math.floor(Date.now() / 1000);
	const payload: Record<string, unknown> = {
		aud: spec.audience,
		iss: spec.clientId,
		scope: spec.scope,
		iat,
		exp: spec.exp ?? iat + 60,
		jti: spec.jti ?? randomUUID(),
		...spec.claims,
	};
	for (const name of spec.omit ?? []) delete payload[name];
	for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
	const header: jose.JWTHeaderParameters = {
		alg: spec.alg ?? 'RS256',
		...spec.header,
	};
	if (spec.kid !== undefined) header.kid = spec.kid;
	if (spec.x5c !== undefined) (header as Record<string, unknown>).x5c = spec.x5c;
	return await new jose.SignJWT(payload as jose.JWTPayload).setProtectedHeader(header).sign(spec.key);
}

export interface TokenResponse {
	status: number;
	text: string;
	/** The parsed body, when it is JSON. */
	json: Record<string, unknown> | undefined;
}

/** POSTs a grant to the token endpoint the way Maskinporten expects (form-encoded). */
export async function postGrant(
	tokenEndpoint: string,
	assertion: string,
	options: { grantType?: string; contentType?: string; body?: string } = {},
): Promise<TokenResponse> {
	const body =
		options.body ??
		new URLSearchParams({
			grant_type: options.grantType ?? JWT_BEARER,
			assertion,
		}).toString();
	const response = await fetch(tokenEndpoint, {
		method: 'POST',
		headers: {
			'Content-Type': options.contentType ?? 'application/x-www-form-urlencoded',
			Accept: 'application/json',
		},
		body,
	});
	const text = await response.text();
	let json: Record<string, unknown> | undefined;
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		json = undefined;
	}
	return { status: response.status, text, json };
}
