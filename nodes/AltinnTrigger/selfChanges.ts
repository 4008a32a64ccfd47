/**
 * The trigger must not trigger itself. A workflow that handles an instance often writes to it:
 * substatus, read status, presentation texts, data values, Confirm Download. Each write moves
 * `lastChanged`, so without this rule the instance would come back as a new change, and a workflow
 * that writes every time would loop for ever.
 *
 * The rule: an instance change is passed over when the instance, without the fields below, is the
 * same as when the trigger last emitted it. Any other change (process, a data element added, removed
 * or replaced, status flags) is emitted as before.
 */
import { createHash } from 'node:crypto';

import type { StorageInstance } from './records';

/** Instance fields a workflow writes (Storage PUT substatus, readstatus, presentationtexts, datavalues; Confirm Download). */
const SELF_MADE_INSTANCE_FIELDS = ['lastChanged', 'lastChangedBy', 'presentationTexts', 'dataValues', 'completeConfirmations'];
const SELF_MADE_STATUS_FIELDS = ['substatus', 'readStatus'];
/** Data element fields that change without the file changing (read marks, tags, metadata). */
const SELF_MADE_ELEMENT_FIELDS = ['lastChanged', 'lastChangedBy', 'isRead', 'tags', 'userDefinedMetadata', 'metadata'];

function without(value: unknown, fields: string[]): unknown {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
	const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
	for (const field of fields) delete copy[field];
	return copy;
}

/** JSON with sorted keys, so that the same content always gives the same text. */
function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (typeof value === 'object' && value !== null) {
		const entries = Object.keys(value)
			.sort()
			.filter((k) => (value as Record<string, unknown>)[k] !== undefined)
			.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** Fingerprints already computed: the drain asks for one record's several times. */
const computed = new WeakMap<StorageInstance, string>();

/** The instance's fingerprint without the fields a workflow changes itself. */
export function instanceFingerprint(instance: StorageInstance): string {
	let fp = computed.get(instance);
	if (fp === undefined) {
		fp = fingerprintOf(instance);
		computed.set(instance, fp);
	}
	return fp;
}

function fingerprintOf(instance: StorageInstance): string {
	const copy = without(instance, SELF_MADE_INSTANCE_FIELDS) as Record<string, unknown>;
	if (copy.status) copy.status = without(copy.status, SELF_MADE_STATUS_FIELDS);
	if (Array.isArray(copy.data)) copy.data = copy.data.map((e) => without(e, SELF_MADE_ELEMENT_FIELDS));
	// 64 bits of SHA-256: a chance match is about 1 in 2^64; short enough to keep thousands.
	return createHash('sha256').update(stableJson(copy)).digest('base64url').slice(0, 11);
}
