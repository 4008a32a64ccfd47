/**
 * Start From "Everything Not Yet Confirmed" for instance changes: the catch-up reads every
 * instance the org has not confirmed, up to the app's newest change when the trigger started
 * (Altinn's clock, so no host clock decides what "now" was). The cursor rules are in cursor.ts.
 */
import type { IPollFunctions } from 'n8n-workflow';

import type { TriggerApi } from './api';
import { compareTimes } from './cursor';
import { MAX_PAGE_SIZE } from './instanceSource';
import { firstOrFail, firstPage } from './problems';
import { appIdOf, type TriggerSettings } from './settings';

/** The app's newest change, with every instance changed at exactly that time. */
export async function newestChange(
	ctx: IPollFunctions,
	api: TriggerApi,
	s: TriggerSettings,
): Promise<{ time: string; ids: string[] } | undefined> {
	const newest = await firstOrFail(ctx, api.instancePages({ appId: appIdOf(s), order: 'desc:lastChanged', size: 1 }));
	if (!newest) return undefined;
	const page = await firstPage(ctx, api.instancePages({ appId: appIdOf(s), lastChanged: `eq:${newest.lastChanged}`, size: MAX_PAGE_SIZE }));
	const ids = new Set([newest.id, ...(page ?? []).filter((i) => compareTimes(i.lastChanged, newest.lastChanged) === 0).map((i) => i.id)]);
	return { time: newest.lastChanged, ids: [...ids] };
}
