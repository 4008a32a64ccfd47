/**
 * Altinn tokens minted directly with the emulator's Altinn key, for tests that call Storage,
 * the apps or Events without going through Maskinporten and the exchange.
 *
 *   const token = await altinnToken(emu);                                 // ttd, both serviceowner scopes
 *   const readOnly = await altinnToken(emu, { scopes: ['altinn:serviceowner/instances.read'] });
 *   const plainOrg = await altinnToken(emu, { org: null, orgNumber: '310000001', scopes: ['altinn:instances.read'] });
 *   const expired = await altinnToken(emu, { lifetimeSec: -60 });
 */
import type { EmulatorContext } from '../emulator/context';
import { signToken } from '../emulator/tokens';

export const SERVICE_OWNER_SCOPES = ['altinn:serviceowner/instances.read', 'altinn:serviceowner/instances.write'];

export interface AltinnTokenOptions {
	/** `urn:altinn:org`; `null` for a token without it (not a service owner). Default `ttd`. */
	org?: string | null;
	/** `urn:altinn:orgNumber`. Default 405003309 (ttd). */
	orgNumber?: string;
	/** Becomes the space-separated `scope` claim. Default both service-owner scopes. */
	scopes?: string[];
	/** Default 1800 s; negative for an already expired token. */
	lifetimeSec?: number;
	/** Issued-at, epoch seconds. Default the emulator's clock. */
	nowSec?: number;
	/** Further claims, e.g. `authorization_details` for system users. */
	claims?: Record<string, unknown>;
}

export async function altinnToken(emu: { ctx: EmulatorContext }, options: AltinnTokenOptions = {}): Promise<string> {
	const ctx = emu.ctx;
	const org = options.org === undefined ? 'ttd' : options.org;
	const lifetime = options.lifetimeSec ?? 1800;
	const now = options.nowSec ?? ctx.nowSec();
	const claims: Record<string, unknown> = {
		'urn:altinn:orgNumber': options.orgNumber ?? '405003309',
		'urn:altinn:authenticatemethod': 'maskinporten',
		'urn:altinn:authlevel': 3,
		scope: (options.scopes ?? SERVICE_OWNER_SCOPES).join(' '),
		...(org ? { 'urn:altinn:org': org } : {}),
		...options.claims,
	};
	// An expired token: issue it far enough in the past that exp is already behind us.
	const issuedAt = lifetime < 0 ? now + lifetime - 60 : now;
	return await signToken(ctx.keys.altinn, claims, ctx.urls.altinnIssuer, issuedAt, lifetime < 0 ? 60 : lifetime);
}

/** `Authorization` header value for a minted token. */
export async function altinnAuthHeader(emu: { ctx: EmulatorContext }, options: AltinnTokenOptions = {}): Promise<{ Authorization: string }> {
	return { Authorization: `Bearer ${await altinnToken(emu, options)}` };
}
