/**
 * The emulator's own signing keys, and the two kinds of access token it issues:
 * Maskinporten access tokens (verified by the Altinn authentication exchange) and
 * Altinn tokens (verified by Storage, the apps and Events). Everything is checked with
 * `jose`, independently of the package's own `node:crypto` signer.
 */
import * as jose from 'jose';
import { randomUUID } from 'node:crypto';

export interface SigningKey {
	kid: string;
	privateKey: jose.KeyLike;
	publicKey: jose.KeyLike;
}

export async function createSigningKey(kid: string): Promise<SigningKey> {
	const { privateKey, publicKey } = await jose.generateKeyPair('RS256');
	return { kid, privateKey, publicKey };
}

export async function signToken(
	key: SigningKey,
	claims: jose.JWTPayload,
	issuer: string,
	nowSec: number,
	lifetimeSec: number,
): Promise<string> {
	return new jose.SignJWT({ ...claims, jti: claims.jti ?? randomUUID() })
		.setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
		.setIssuer(issuer)
		.setIssuedAt(nowSec)
		.setNotBefore(nowSec)
		.setExpirationTime(nowSec + lifetimeSec)
		.sign(key.privateKey);
}

/**
 * Verifies a bearer token the way Altinn's JwtCookie handler does: signature, issuer and
 * lifetime with 10 s of clock skew. Returns undefined for anything wrong; callers answer
 * with an empty 401, as the real services do.
 */
export async function verifyBearer(
	authorization: string | undefined,
	key: SigningKey,
	issuer: string,
	nowSec: number,
): Promise<jose.JWTPayload | undefined> {
	const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
	if (!match) return undefined;
	try {
		const { payload } = await jose.jwtVerify(match[1].trim(), key.publicKey, {
			issuer,
			clockTolerance: 10,
			currentDate: new Date(nowSec * 1000),
		});
		return payload;
	} catch {
		return undefined;
	}
}
