/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Authentication shared by Storage, the apps and Events: the bearer must be an Altinn token
 * signed by the emulated Altinn authentication (JwtCookie scheme), else an empty 401.
 */
import type { ServerResponse } from 'node:http';

import type { EmulatorContext } from './context';
import { sendEmpty, type EmulatorRequest } from './http';
import type { Actor } from './state';
import { verifyBearer } from './tokens';

export interface Caller {
	claims: Record<string, unknown>;
	/** `urn:altinn:org`: present only for service-owner tokens. */
	org?: string;
	orgNumber?: string;
	scopes: string[];
	actor: Actor;
}

export async function authenticate(req: EmulatorRequest, res: ServerResponse, ctx: EmulatorContext): Promise<Caller | undefined> {
	const header = req.headers.authorization;
	const claims = await verifyBearer(Array.isArray(header) ? header[0] : header, ctx.keys.altinn, ctx.urls.altinnIssuer, ctx.nowSec());
	if (!claims) {
		req.raw.resume();
		sendEmpty(res, 401, { 'WWW-Authenticate': 'Bearer' });
		return undefined;
	}
	const org = typeof claims['urn:altinn:org'] === 'string' ? (claims['urn:altinn:org'] as string) : undefined;
	const orgNumber = claims['urn:altinn:orgNumber'] !== undefined ? String(claims['urn:altinn:orgNumber']) : undefined;
	const scope = claims.scope;
	const scopes = Array.isArray(scope) ? scope.map(String) : typeof scope === 'string' ? scope.split(/\s+/).filter(Boolean) : [];
	return { claims, org, orgNumber, scopes, actor: { org, orgNumber } };
}
