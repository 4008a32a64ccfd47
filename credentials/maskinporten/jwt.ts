/**
 * Compact JWS signing with node:crypto (RS256/384/512) and unverified payload decoding.
 * Decoding is only ever used on tokens we were just given, to read their `exp`.
 */
import { createSign, type KeyObject } from 'node:crypto';

export type Algorithm = 'RS256' | 'RS384' | 'RS512';

export const ALGORITHMS: readonly Algorithm[] = ['RS256', 'RS384', 'RS512'];

const DIGEST: Record<Algorithm, string> = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' };

export function base64url(data: Buffer | string): string {
	return Buffer.from(data).toString('base64url');
}

export function signJwt(
	header: Record<string, unknown>,
	payload: Record<string, unknown>,
	key: KeyObject,
	algorithm: Algorithm,
): string {
	const input = `${base64url(JSON.stringify({ alg: algorithm, ...header }))}.${base64url(JSON.stringify(payload))}`;
	const signer = createSign(DIGEST[algorithm]);
	signer.update(input);
	signer.end();
	return `${input}.${base64url(signer.sign(key))}`;
}

/** JSON.parse that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** The payload of a compact JWT, without verifying it; undefined if it is not one. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	try {
		const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** The token's `exp` in epoch seconds, if it is a JWT that has one. */
export function jwtExpiry(token: string): number | undefined {
	const exp = decodeJwtPayload(token)?.exp;
	return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
}
