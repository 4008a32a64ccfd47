/**
 * Dates as the node and the trigger read them: one rule for a time without zone (the workflow's
 * time zone), and Storage's `gt:`/`lte:` ranges. Pure.
 */
import { InputError } from './validation';

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
 * from an expression) as ISO-8601 UTC (`2024-01-01T00:00:00.000Z`). Empty gives undefined.
 *
 * The one rule for a time without zone, in the node and the trigger alike: it is read in
 * `timeZone`, the workflow's time zone (Workflow Settings > Timezone, else n8n's
 * GENERIC_TIMEZONE), as n8n's date picker and expressions mean it.
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
