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

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
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

/** The UTC offset of `timeZone` at the instant `utcMs`, in milliseconds. */
function offsetMs(utcMs: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(utcMs));
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * A date from an n8n dateTime field (an ISO string, possibly without zone, or a Luxon/JS date
 * from an expression) as ISO-8601 UTC (`2024-01-01T00:00:00.000Z`). A value without zone is
 * read in `timeZone` (the workflow's). Empty gives undefined.
 */
export function toUtcIso(value: unknown, parameter: string, timeZone = 'UTC'): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let ms: number | undefined;
	if (value instanceof Date) ms = value.getTime();
	else if (typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		ms = Date.parse(String((value as { toISO: () => string }).toISO()));
	} else if (typeof value === 'string') {
		const text = value.trim();
		const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
		if (iso) {
			const hasZone = !!iso[4];
			const normal = text.replace(' ', 'T');
			if (hasZone) ms = Date.parse(normal);
			else {
				const naive = Date.parse(`${normal.length === 10 ? `${normal}T00:00:00` : normal}Z`);
				if (!Number.isNaN(naive)) {
					let zone = timeZone;
					try {
						offsetMs(naive, zone);
					} catch {
						zone = 'UTC';
					}
					const first = naive - offsetMs(naive, zone);
					ms = naive - offsetMs(first, zone);
				}
			}
		}
	}
	if (ms === undefined || Number.isNaN(ms)) {
		throw new InputError(parameter, `${parameter} "${String(value)}" is not a date`, 'Give a date and time such as 2024-05-01T00:00:00Z, or pick one in the date picker.');
	}
	return new Date(ms).toISOString();
}

/**
 * A Storage date filter from two plain dates: `gt:<after>` and `lte:<before>` (either may be
 * absent). Returns the repeated query values, or undefined when both are empty.
 */
export function dateRange(
	after: { value: unknown; parameter: string },
	before: { value: unknown; parameter: string },
	timeZone?: string,
): string[] | undefined {
	const from = toUtcIso(after.value, after.parameter, timeZone);
	const to = toUtcIso(before.value, before.parameter, timeZone);
	if (from && to && Date.parse(from) >= Date.parse(to)) {
		throw new InputError(
			after.parameter,
			`${after.parameter} (${from}) is not before ${before.parameter} (${to})`,
			`The range would match nothing. Set ${after.parameter} to an earlier time than ${before.parameter}, swap the two, or clear one of them.`,
		);
	}
	const values = [from ? `gt:${from}` : undefined, to ? `lte:${to}` : undefined].filter((v): v is string => !!v);
	return values.length ? values : undefined;
}
