/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Route-level plumbing shared by Storage and the apps: path constraints (`{p:int}/{g:guid}`),
 * the instance lookup and the emulated PDP (the default app policy for service owners).
 */
import type { ServerResponse } from 'node:http';

import type { Caller } from './altinnAuth';
import type { EmulatorContext } from './context';
import { sendEmpty, type EmulatorRequest } from './http';
import type { InstanceRecord } from './state';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isGuid = (s: string | undefined): boolean => GUID.test(s ?? '');

/** Lets the world build self links and CloudEvent sources from the emulator's URLs and clock. */
export function attachWorld(ctx: EmulatorContext): void {
	ctx.world.attach({ platform: ctx.urls.platform, apps: ctx.urls.apps }, () => Date.now() + ctx.knobs.clockOffsetSec * 1000);
}

/**
 * `p/g` from the route, or undefined after answering 404 when the ASP.NET route constraints
 * (`int`, `guid`) do not match: no route exists for such a path.
 */
export function instanceIdFromRoute(req: EmulatorRequest, res: ServerResponse): string | undefined {
	const { partyId, instanceGuid } = req.params;
	if (!/^-?\d+$/.test(partyId ?? '') || !isGuid(instanceGuid)) {
		req.raw.resume();
		sendEmpty(res, 404);
		return undefined;
	}
	return `${Number(partyId)}/${instanceGuid.toLowerCase()}`;
}

/**
 * For endpoints behind an authorization policy (`[Authorize(Policy = ...)]`): the PEP decides
 * before the controller runs, so a missing instance and a denied action both give an empty 403.
 */
export function instanceByPolicy(
	ctx: EmulatorContext,
	req: EmulatorRequest,
	res: ServerResponse,
	caller: Caller,
	action: string,
): InstanceRecord | undefined {
	const id = instanceIdFromRoute(req, res);
	if (!id) return undefined;
	const rec = ctx.world.instance(id);
	if (!rec || !ctx.world.orgMay(ctx.world.applications.get(rec.instance.appId), action, caller.org)) {
		req.raw.resume();
		sendEmpty(res, 403);
		return undefined;
	}
	return rec;
}

export function forbid(req: EmulatorRequest, res: ServerResponse): undefined {
	req.raw.resume();
	sendEmpty(res, 403);
	return undefined;
}

/** Query bool as ASP.NET model binding reads it; `invalid` for anything else. */
export function queryBool(value: string | null): boolean | undefined | 'invalid' {
	if (value === null || value === '') return undefined;
	if (/^true$/i.test(value)) return true;
	if (/^false$/i.test(value)) return false;
	return 'invalid';
}

/** Extension -> MIME, as app-lib's MimeTypeMap does for the common types. */
export const MIME_BY_EXTENSION: Record<string, string> = {
	pdf: 'application/pdf',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	txt: 'text/plain',
	csv: 'text/csv',
	xml: 'application/xml',
	json: 'application/json',
	zip: 'application/zip',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xls: 'application/vnd.ms-excel',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	bin: 'application/octet-stream',
};

export function headerValue(req: EmulatorRequest, name: string): string | undefined {
	const v = req.headers[name.toLowerCase()];
	return Array.isArray(v) ? v[0] : v;
}

/** The media type of a Content-Type header, lower-cased and without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
	return contentType?.split(';')[0].trim().toLowerCase() || undefined;
}

/** Consumes what is left of the request body, so an early answer does not break the upload. */
export function drain(req: EmulatorRequest): Promise<void> {
	if (req.raw.readableEnded) return Promise.resolve();
	return new Promise((resolve) => {
		req.raw.on('end', resolve);
		req.raw.on('error', () => resolve());
		req.raw.resume();
	});
}
