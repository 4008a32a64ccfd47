/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Emulated Altinn Events, app events for service owners (altinn-events AppController.GetForOrg):
 * `GET /events/api/v1/app/{org}/{app}`. Events exist only for apps that publish them
 * (Application.publishesEvents); for any other app the list is simply empty.
 *
 * Routes (counter `route.<name>`):
 *   events.app.query   GET /events/api/v1/app/{org}/{app}?after=&from=&to=&party=&unit=&type=&size=   (header `person`)
 */
import type { ServerResponse } from 'node:http';

import { attachWorld, headerValue } from './access';
import { authenticate } from './altinnAuth';
import type { EmulatorContext } from './context';
import { sendJson, sendJsonString, type Router } from './http';

/** Events' ProblemDetails, as `ValidationProblem`/`Problem` writes them (RFC 7231 type URIs). */
function badRequest(res: ServerResponse, detail: string): void {
	sendJson(
		res,
		400,
		{
			type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1',
			title: 'Bad Request',
			status: 400,
			detail,
			traceId: `00-${Math.random().toString(16).slice(2).padEnd(32, '0')}-01`,
		},
		{ 'Content-Type': 'application/problem+json; charset=utf-8' },
	);
}

const HAS_ZONE = /(Z|[+-]\d\d(:?\d\d)?)$/i;

/** getappevents_v2 returns only events registered at least this long ago. */
export const EVENTS_REGISTRATION_DELAY_MS = 30_000;

/**
 * A time as Postgres' `to_json(timestamptz)` writes it in a UTC session: seconds, then the fraction
 * only when it is not zero (trailing zeros dropped), then `+00:00`. The quotes that `::text` keeps
 * are left out here (inferred: under the database's collation they do not decide the order; if they
 * did, `from` would never filter anything).
 */
export function pgJsonTime(ms: number): string {
	const iso = new Date(ms).toISOString(); // 2024-05-01T10:00:00.120Z
	const fraction = iso.slice(20, 23).replace(/0+$/, '');
	return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}+00:00`;
}

export function registerEvents(router: Router, ctx: EmulatorContext): void {
	attachWorld(ctx);
	const world = ctx.world;

	router.add('GET', '/events/api/v1/app/:org/:app', 'events.app.query', async (req, res) => {
		const caller = await authenticate(req, res, ctx);
		if (!caller) return;
		if (!caller.org) return sendJsonString(res, 401, 'Only orgs can call this api');
		const q = req.query;
		const after = q.get('after') || undefined;
		const from = q.get('from') || undefined;
		const to = q.get('to') || undefined;
		const party = q.get('party') || undefined;
		const unit = q.get('unit') || undefined;
		const person = headerValue(req, 'person') || undefined;
		const sizeParam = q.get('size');
		const types = q.getAll('type').filter(Boolean);

		if (!from && !after) return badRequest(res, "The 'From' or 'After' parameter must be defined.");
		let fromMs: number | undefined;
		let toMs: number | undefined;
		if (from) {
			fromMs = Date.parse(from);
			if (Number.isNaN(fromMs)) return badRequest(res, `The value '${from}' is not valid for From.`);
			if (!HAS_ZONE.test(from)) return badRequest(res, "The 'From' parameter must specify timezone. E.g. 2022-07-07T11:00:53.3917Z for UTC");
		}
		if (to) {
			toMs = Date.parse(to);
			if (Number.isNaN(toMs)) return badRequest(res, `The value '${to}' is not valid for To.`);
			if (!HAS_ZONE.test(to)) return badRequest(res, "The 'To' parameter must specify timezone. E.g. 2022-07-07T11:00:53.3917Z for UTC");
		}
		const size = sizeParam === null || sizeParam === '' ? 50 : Number(sizeParam);
		if (!Number.isInteger(size) || size < 1) return badRequest(res, "The 'Size' parameter must be a number larger that 0.");
		if (party && (person || unit)) return badRequest(res, "Only one of 'Party' or 'Person'/'Unit' can be defined.");
		if (unit && !/^\d{9}$/.test(unit)) return badRequest(res, "Value of 'Unit' needs to be exactly 9 digits.");
		if (person && !/^\d{11}$/.test(person)) return badRequest(res, "Value of 'Person' needs to be exactly 11 digits.");

		const appId = `${req.params.org}/${req.params.app}`;
		// The PDP filters each event with action `read`: only the app's own service owner passes.
		const all = world.orgMay(world.applications.get(appId), 'read', caller.org) ? (world.appEvents.get(appId) ?? []) : [];
		// events.getappevents_v2 (altinn-events src/Events/Migration/v0.55/02-functions-and-procedures.sql,
		// commit d7232ac). The list's index stands for `sequenceno`.
		// - `after`: the sequence number of that id, and an id Events does not know counts as 0, so the
		//   answer starts at the beginning of what it keeps, not at the end.
		let first = 0;
		if (after) {
			const index = all.findIndex((e) => e.id === after);
			first = index < 0 ? 0 : index + 1;
		}
		// - Only up to the highest sequence number registered at least 30 s ago
		//   (`registeredtime <= now() - interval '30 second'`): a just-published event is invisible for
		//   half a minute, and so is any later one, which keeps commits that land out of order in order.
		const cutoff = world.now() - EVENTS_REGISTRATION_DELAY_MS;
		let last = -1;
		for (let i = 0; i < all.length; i++) if (world.eventRegisteredAt(all[i]) <= cutoff) last = i;
		// - `from`/`to` are compared as text: `cloudevent->>'time' >= to_json(_from)::text`.
		const fromText = fromMs === undefined ? undefined : pgJsonTime(fromMs);
		const toText = toMs === undefined ? undefined : pgJsonTime(toMs);
		// - `type` with `ILIKE ANY`: case-insensitive.
		const lowerTypes = types.map((t) => t.toLowerCase());
		const page = all
			.slice(first, last + 1)
			.filter(
				(e) =>
					(fromText === undefined || e.time >= fromText) &&
					(toText === undefined || e.time <= toText) &&
					(!party || e.subject === `/party/${party}`) &&
					(!unit || e.alternativesubject === `/org/${unit}`) &&
					(!person || e.alternativesubject === `/person/${person}`) &&
					(lowerTypes.length === 0 || lowerTypes.includes(e.type.toLowerCase())),
			)
			.slice(0, size);

		const headers: Record<string, string> = { 'Content-Type': 'application/cloudevents+json; charset=utf-8' };
		if (page.length > 0) {
			// AppController.SetNextLink: `after` first, then every other query value as it was decoded,
			// appended without encoding again.
			let next = `${ctx.urls.platform}/events/api/v1/app/${req.params.org}/${req.params.app}?after=${page[page.length - 1].id}`;
			for (const [k, v] of q) if (k !== 'after') next += `&${k}=${v}`;
			headers.next = next;
		}
		res.writeHead(200, headers);
		res.end(JSON.stringify(page));
	});
}
