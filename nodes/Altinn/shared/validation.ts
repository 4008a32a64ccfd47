/**
 * Input checks that run before any request: each returns the clean value or throws an
 * `InputError` naming the parameter, which operations turn into a NodeOperationError. Pure.
 */

export class InputError extends Error {
	constructor(
		/** The parameter's display name, as the user sees it. */
		readonly parameter: string,
		message: string,
		readonly hint?: string,
	) {
		super(message);
	}
}

export interface InstanceRef {
	partyId: string;
	instanceGuid: string;
	/** `partyId/instanceGuid` */
	id: string;
	/** Present when the reference was an app URL (`…/{org}/{app}/instances/…`). */
	org?: string;
	app?: string;
}

/** The one GUID pattern (instance and data element ids), as regex source. */
const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const WHOLE_GUID = new RegExp(`^${GUID}$`);

export function isGuid(value: string): boolean {
	return WHOLE_GUID.test(value);
}
const BARE_ID = new RegExp(`^(\\d+)/(${GUID})$`);
const IN_URL = new RegExp(`/instances/(\\d+)/(${GUID})(?:[/?#]|$)`);
const APP_URL = new RegExp(`/([a-z0-9][a-z0-9-]*)/([a-z0-9][a-z0-9-]*)/instances/\\d+/${GUID}`, 'i');

/**
 * `partyId/instanceGuid`, or a pasted Storage URL (`…/storage/api/v1/instances/{p}/{g}…`) or
 * app URL (`https://{org}.apps…/{org}/{app}/instances/{p}/{g}…`, which also gives org and app).
 */
export function parseInstanceRef(value: unknown, parameter = 'Instance ID'): InstanceRef {
	const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	const example = 'e.g. 50001234/1b4e8c3a-0d5f-4b8e-9a67-2f1c3d4e5f60, or the instance\'s Storage or app URL';
	if (!text) throw new InputError(parameter, `${parameter} is empty`, `Give the instance as partyId/instanceGuid (${example}).`);
	const bare = BARE_ID.exec(text);
	if (bare) return ref(bare[1], bare[2]);
	if (/^https?:\/\//i.test(text)) {
		const inUrl = IN_URL.exec(text);
		if (inUrl) {
			const result = ref(inUrl[1], inUrl[2]);
			if (!/\/storage\/api\/v\d+\/instances\//i.test(text)) {
				const app = APP_URL.exec(text);
				if (app) return { ...result, org: app[1], app: app[2] };
			}
			return result;
		}
	}
	throw new InputError(
		parameter,
		`${parameter} "${text.length > 80 ? `${text.slice(0, 80)}…` : text}" is not an instance ID`,
		`An instance ID is partyId/instanceGuid (${example}).`,
	);
}

/** `parseInstanceRef` for text that may not be an instance at all (an event's `source`): undefined instead of an error. */
export function findInstanceRef(value: unknown): InstanceRef | undefined {
	try {
		return parseInstanceRef(value);
	} catch {
		return undefined;
	}
}

function ref(partyId: string, guid: string): InstanceRef {
	const instanceGuid = guid.toLowerCase();
	return { partyId, instanceGuid, id: `${partyId}/${instanceGuid}` };
}

/** A 9-digit organisation number (spaces allowed, and the `0192:` prefix). */
export function orgNumber(value: unknown, parameter = 'Organisation Number'): string {
	const text = String(value ?? '').replace(/\s+/g, '').replace(/^0192:/, '');
	if (!/^\d{9}$/.test(text)) {
		throw new InputError(parameter, `${parameter} "${String(value ?? '')}" is not an organisation number`, 'An organisation number has exactly 9 digits, e.g. 910753614.');
	}
	return text;
}

/** An 11-digit national identity number (fødselsnummer or D-number). */
export function nationalIdentityNumber(value: unknown, parameter = 'National Identity Number'): string {
	const text = String(value ?? '').replace(/\s+/g, '');
	if (!/^\d{11}$/.test(text)) {
		// Never echo what may be most of a person's identity number.
		throw new InputError(parameter, `${parameter} is not 11 digits`, 'A national identity number (fødselsnummer or D-number) has exactly 11 digits.');
	}
	return text;
}

/** A party id: a positive whole number. */
export function partyId(value: unknown, parameter = 'Party ID'): string {
	const text = String(value ?? '').trim();
	if (!/^\d+$/.test(text) || Number(text) <= 0) {
		throw new InputError(parameter, `${parameter} "${text}" is not a party ID`, 'A party ID is a positive whole number, e.g. 50001234.');
	}
	return text;
}

/** An org (service owner) code such as `ttd` or `skd`. */
export function orgCode(value: unknown, parameter = 'Org'): string {
	const text = String(value ?? '').trim().toLowerCase();
	if (!/^[a-z0-9][a-z0-9-]{1,30}$/.test(text)) {
		throw new InputError(parameter, text ? `${parameter} "${text}" is not a service owner code` : `${parameter} is empty`, 'Give the service owner code of the app owner, e.g. ttd, skd or brg.');
	}
	return text;
}

/** An app name such as `my-app`. */
export function appName(value: unknown, parameter = 'App'): string {
	const text = String(value ?? '').trim();
	if (!/^[a-z0-9][a-z0-9-]*$/i.test(text)) {
		throw new InputError(parameter, text ? `${parameter} "${text}" is not an app name` : `${parameter} is empty`, 'Pick the app from the list, or give its name, e.g. my-app.');
	}
	return text;
}

/** A Limit: a whole number of at least 1 (Altinn answers 400 to anything else). */
export function positiveLimit(value: unknown, parameter = 'Limit'): number {
	const n = typeof value === 'number' ? value : Number(String(value ?? '').trim() || NaN);
	if (!Number.isInteger(n) || n < 1) {
		throw new InputError(parameter, `${parameter} ${JSON.stringify(value ?? '')} is not a whole number of at least 1`, `Set ${parameter} to how many results you want (e.g. 50), or turn on Return All.`);
	}
	return n;
}
