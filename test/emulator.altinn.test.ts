/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * The emulated Storage, app API and Events, exercised over HTTP with minted Altinn tokens:
 * the documented behaviours of the reference (altinn-service-owner-apis.md) that the node
 * and the trigger rely on.
 */
import { Readable } from 'node:stream';

import { generatedStream, readBlob, sha256OfStream, SPILL_THRESHOLD, TempFiles } from './emulator/blobs';
import { EVENTS_REGISTRATION_DELAY_MS } from './emulator/events';
import { parseMultipart, parseMultipartStream } from './emulator/multipart';
import { startEmulator, type Emulator } from './emulator/index';
import { seedDemo, SAMPLE_PDF, type DemoSeed } from './emulator/seed';
import type { Application, DataElementJson, InstanceRecord } from './emulator/state';
import { signToken } from './emulator/tokens';
import { altinnToken } from './support/altinnTokens';

let emu: Emulator;
let seed: DemoSeed;
let token: string;

interface Reply {
	status: number;
	headers: Headers;
	text: string;
	json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(
	method: string,
	path: string,
	opts: { token?: string | null; headers?: Record<string, string>; body?: string | Buffer | Readable; json?: unknown } = {},
): Promise<Reply> {
	const headers: Record<string, string> = { ...(opts.headers ?? {}) };
	const bearer = opts.token === undefined ? token : opts.token;
	if (bearer) headers.Authorization = `Bearer ${bearer}`;
	let body: RequestInit['body'];
	if (opts.json !== undefined) {
		headers['Content-Type'] ??= 'application/json';
		body = JSON.stringify(opts.json);
	} else if (opts.body instanceof Readable) body = Readable.toWeb(opts.body) as ReadableStream;
	else if (opts.body !== undefined) body = opts.body as RequestInit['body'];
	const url = path.startsWith('http') ? path : `${emu.url}${path}`;
	const res = await fetch(url, { method, headers, body, duplex: 'half' } as RequestInit);
	const text = await res.text();
	let json: unknown;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

const storage = (p: string) => `/storage/api/v1${p}`;
const ids = (r: Reply) => (r.json.instances as Array<{ id: string }>).map((i) => i.id);

function addApp(id: string, extra: Partial<Application> = {}): Application {
	const app: Application = {
		id,
		org: id.split('/')[0],
		title: { nb: id },
		dataTypes: [
			{ id: 'model', appLogic: { classRef: 'M', autoCreate: true }, taskId: 'Task_1', maxCount: 1 },
			{ id: 'attachment', allowedContentTypes: ['application/pdf', 'image/png', 'text/plain'], maxSize: 10, maxCount: 2, taskId: 'Task_1' },
		],
		publishesEvents: false,
		processTasks: [
			{ id: 'Task_1', altinnTaskType: 'data' },
			{ id: 'Task_2', altinnTaskType: 'confirmation' },
		],
		...extra,
	};
	emu.world.addApplication(app);
	return app;
}

beforeAll(async () => {
	emu = await startEmulator();
	seed = seedDemo(emu);
	token = await altinnToken(emu);
});

afterAll(async () => {
	emu.world.dispose();
	await emu.close();
});

describe('authentication of Storage, apps and Events', () => {
	const path = () => storage(`/instances/${seed.instances.active}`);

	it('answers an empty 401 without, with an expired, or with a foreign-signed token', async () => {
		const foreign = await signToken(emu.ctx.keys.maskinporten, { 'urn:altinn:org': 'ttd' }, emu.ctx.urls.altinnIssuer, emu.ctx.nowSec(), 600);
		for (const t of [null, await altinnToken(emu, { lifetimeSec: -60 }), foreign, 'not-a-jwt']) {
			const r = await call('GET', path(), { token: t });
			expect(r.status).toBe(401);
			expect(r.text).toBe('');
		}
		expect((await call('GET', path())).status).toBe(200);
	});

	it('guards the app API and Events the same way, but serves metadata anonymously', async () => {
		expect((await call('GET', `/ttd/demo-app/instances/${seed.instances.active}`, { token: null })).status).toBe(401);
		expect((await call('GET', '/events/api/v1/app/ttd/demo-app?after=0', { token: null })).status).toBe(401);
		const meta = await call('GET', '/ttd/demo-app/api/v1/applicationmetadata', { token: null });
		expect(meta.status).toBe(200);
		expect(meta.json.dataTypes.map((d: { id: string }) => d.id)).toEqual(['model', 'attachment', 'ref-data-as-pdf']);
		expect(meta.json.publishesEvents).toBeUndefined();
		const apps = await call('GET', storage('/applications/ttd'), { token: null });
		expect(apps.json.applications.map((a: { id: string }) => a.id)).toEqual(['ttd/demo-app', 'ttd/quiet-app', 'ttd/strict-app', 'ttd/legacy-app']);
		expect((await call('GET', storage('/applications/ttd/nope'), { token: null })).status).toBe(404);
	});
});

describe('Storage GET /instances', () => {
	it('needs org or appId, the read scope, and the app owner', async () => {
		let r = await call('GET', storage('/instances'));
		expect([r.status, r.json]).toEqual([400, 'Org or AppId must be defined.']);
		const writeOnly = await altinnToken(emu, { scopes: ['altinn:serviceowner/instances.write'] });
		r = await call('GET', storage('/instances?org=ttd'), { token: writeOnly });
		expect([r.status, r.text]).toEqual([403, '']);
		const digdir = await altinnToken(emu, { org: 'digdir', orgNumber: '991825827' });
		r = await call('GET', storage('/instances?org=ttd'), { token: digdir });
		expect([r.status, r.json]).toEqual([400, 'AppId must be defined.']);
		r = await call('GET', storage('/instances?appId=ttd/demo-app'), { token: digdir });
		expect([r.status, r.text]).toEqual([403, '']);
	});

	it('returns count, self and instances, newest change first, without next on a short page', async () => {
		const r = await call('GET', storage('/instances?appId=ttd/demo-app'));
		expect(r.status).toBe(200);
		expect(r.json.count).toBe(4);
		expect(r.json.next).toBeUndefined();
		expect(r.json.self).toBe(`${emu.url}/storage/api/v1/instances?appId=ttd/demo-app`);
		const changed = (r.json.instances as Array<{ lastChanged: string }>).map((i) => Date.parse(i.lastChanged));
		expect([...changed].sort((a, b) => b - a)).toEqual(changed);
		const inst = r.json.instances.find((i: { id: string }) => i.id === seed.instances.active);
		expect(inst.selfLinks.platform).toBe(`${emu.url}/storage/api/v1/instances/${seed.instances.active}`);
		expect(inst.data.length).toBe(3);
		const noData = await call('GET', storage('/instances?appId=ttd/demo-app&includeDataElements=false'));
		expect(noData.json.instances[0].data).toBeUndefined();
	});

	it('filters by process, confirmation, status and owner', async () => {
		const q = async (qs: string) => ids(await call('GET', storage(`/instances?appId=ttd/demo-app&${qs}`))).sort();
		const { active, awaitingConfirmation, archived, archivedConfirmed } = seed.instances;
		expect(await q('process.currentTask=Task_2')).toEqual([awaitingConfirmation]);
		expect(await q('process.isComplete=true')).toEqual([archived, archivedConfirmed].sort());
		expect(await q('process.isComplete=true&excludeConfirmedBy=ttd')).toEqual([archived]);
		expect(await q('process.isComplete=true&confirmed=true')).toEqual([archivedConfirmed]);
		expect(await q('status.isArchived=false')).toEqual([active, awaitingConfirmation].sort());
		expect(await q(`instanceOwner.partyId=${seed.parties.person.partyId}`)).toEqual([awaitingConfirmation, archivedConfirmed].sort());
		expect(await q('status.isSoftDeleted=true')).toEqual([]);
		const byIdentifier = async (value: string, qs = '') =>
			call('GET', storage(`/instances?appId=ttd/demo-app${qs}`), { headers: { 'X-Ai-InstanceOwnerIdentifier': value } });
		expect(ids(await byIdentifier('Person: 01017012345')).sort()).toEqual([awaitingConfirmation, archivedConfirmed].sort());
		expect(ids(await byIdentifier('organisation:999999999'))).toEqual([]);
		expect((await byIdentifier('Person:01017012345', '&instanceOwner.partyId=1')).json).toBe(
			'Both InstanceOwner.PartyId and InstanceOwnerIdentifier cannot be present at the same time.',
		);
		const all = await call('GET', storage('/instances?org=ttd&size=1000'));
		expect(all.json.count).toBe(emu.world.instances.size - [...emu.world.instances.values()].filter((r) => r.instance.org !== 'ttd').length);
	});

	it('applies date expressions: timestamps for created/lastChanged, text for dueBefore/visibleAfter/process.ended', async () => {
		addApp('ttd/dates-app');
		const mk = (day: number, dueBefore?: string) =>
			emu.world.createInstance({ appId: 'ttd/dates-app', partyId: seed.parties.org.partyId, created: `2024-01-0${day}T12:00:00Z`, dueBefore });
		const [a, b, c] = [mk(1, '2024-02-01T00:00:00Z'), mk(2, '2024-03-01'), mk(3)];
		const q = async (qs: string) => call('GET', storage(`/instances?appId=ttd/dates-app&${qs}`));
		expect(ids(await q('lastChanged=gt:2024-01-01T12:00:00Z&lastChanged=lte:2024-01-03T12:00:00Z')).sort()).toEqual(
			[b.instance.id, c.instance.id].sort(),
		);
		expect(ids(await q('created=eq:2024-01-02T12:00:00.000Z'))).toEqual([b.instance.id]);
		expect(ids(await q('created=lt:2024-01-02'))).toEqual([a.instance.id]);
		// Text comparison: '2024-03-01' > '2024-02-15' as strings; an instance without dueBefore never matches.
		expect(ids(await q('dueBefore=gt:2024-02-15'))).toEqual([b.instance.id]);
		expect(ids(await q('dueBefore=lt:2024-02-02'))).toEqual([a.instance.id]);
		expect(ids(await q('dueBefore=lt:2024-02'))).toEqual([]); // '2024-02-01T…' > '2024-02' as text
		expect((await q('lastChanged=foo:2024-01-01')).json.count).toBe(3); // unknown op ignored
		const bad = await q('lastChanged=2024-01-01');
		expect([bad.status, bad.json]).toEqual([400, 'Invalid date expression: 2024-01-01 for query key: lastChanged']);
		const badText = await q('process.ended=2024');
		expect(badText.json).toBe('Invalid date expression: 2024 for query key: process.ended');
		emu.world.advanceProcess(a, 'end');
		expect(ids(await q('process.ended=gt:2000'))).toEqual([a.instance.id]);
	});

	it('pages with next only on full pages, so a full last page costs one more empty request', async () => {
		addApp('ttd/paging-app');
		emu.world.createInstances(6, { appId: 'ttd/paging-app', partyId: seed.parties.org.partyId, lastChanged: (i) => Date.UTC(2024, 0, 1, 0, i) });
		const before = emu.counters.get('route.storage.instances.query');
		let url: string | undefined = storage('/instances?appId=ttd/paging-app&size=3');
		const counts: number[] = [];
		const seen: string[] = [];
		while (url) {
			const r = await call('GET', url);
			counts.push(r.json.count);
			seen.push(...ids(r));
			url = r.json.next;
			if (url) expect(url).toMatch(/continuationToken=\d+%3B\d+/);
		}
		expect(counts).toEqual([3, 3, 0]);
		expect(emu.counters.get('route.storage.instances.query') - before).toBe(3);
		expect(new Set(seen).size).toBe(6);
	});

	it('pages oldest-first consistently, and newest-first with Storage\'s flaw at equal lastChanged values', async () => {
		addApp('ttd/same-app');
		const same = Date.UTC(2024, 5, 1, 8, 0, 0);
		const recs = emu.world.createInstances(250, { appId: 'ttd/same-app', partyId: seed.parties.org.partyId, lastChanged: () => same });
		const page = async (url: string) => (await call('GET', url)).json;
		const all = async (url: string | undefined) => {
			const seen: string[][] = [];
			while (url) {
				const body = await page(url);
				seen.push(ids({ json: body } as Reply));
				url = body.next;
			}
			return seen;
		};
		const asc = (await all(storage('/instances?appId=ttd/same-app&size=100&order=asc:lastChanged'))).flat();
		expect(asc).toHaveLength(250);
		expect(new Set(asc).size).toBe(250);
		// Newest-first sorts `lastChanged DESC, id ASC` but continues with `id <` the last id
		// (Migration/v0.33 readinstancefromquery_v8): the second page repeats 99 of the first and
		// is short, so paging stops and 150 instances are never returned.
		const desc = await all(storage('/instances?appId=ttd/same-app&size=100&order=desc:lastChanged'));
		expect(desc.map((p) => p.length)).toEqual([100, 99]);
		expect(new Set(desc.flat()).size).toBe(100);
		expect(desc[1].every((id) => desc[0].includes(id))).toBe(true);
		// Oldest-first: an unseen instance that changes mid-way moves ahead of the cursor and comes once, later.
		const first = await page(storage('/instances?appId=ttd/same-app&size=100&order=asc:lastChanged'));
		const unseen = recs.find((r) => !ids({ json: first } as Reply).includes(r.instance.id)) as InstanceRecord;
		emu.world.setLastChanged(unseen, same + 1000);
		const rest = (await all(first.next)).flat();
		expect(rest.filter((id) => id === unseen.instance.id)).toHaveLength(1);
		expect(rest[rest.length - 1]).toBe(unseen.instance.id);
		expect(new Set([...ids({ json: first } as Reply), ...rest]).size).toBe(250);
		// A garbage token fails like long.Parse: ProblemDetails 500.
		const bad = await call('GET', storage('/instances?appId=ttd/same-app&continuationToken=abc'));
		expect(bad.status).toBe(500);
		expect(bad.json.status).toBe(500);
	});

	it('keeps microseconds in lastChanged and compares lastChanged at microseconds', async () => {
		const id = emu.world.createInstance({ appId: 'ttd/demo-app', partyId: seed.parties.org.partyId, emitEvents: false }).instance.id as string;
		const r = await call('PUT', storage(`/instances/${id}/readstatus?status=read`));
		const text = r.json.lastChanged as string;
		expect(text).toMatch(/\.\d{6}Z$/);
		const ids = async (expr: string) =>
			(await call('GET', storage(`/instances?appId=ttd/demo-app&lastChanged=${encodeURIComponent(expr)}`))).json.instances.map((i: { id: string }) => i.id);
		expect(await ids(`gte:${text}`)).toContain(id);
		expect(await ids(`gt:${text}`)).not.toContain(id);
		// Cut to milliseconds, the same time is earlier than the stored one.
		expect(await ids(`gt:${text.slice(0, 23)}Z`)).toContain(id);
	});

	it('bulk-creates 10,000 instances quickly and pages through them', async () => {
		addApp('ttd/bulk-app');
		// Roughly 0.2 s on an idle machine; no timing assertion, the test machines are shared.
		emu.world.createInstances(10_000, { appId: 'ttd/bulk-app', partyId: seed.parties.org.partyId, lastChanged: (i) => Date.UTC(2023, 0, 1) + Math.floor(i / 7) * 1000 });
		let url: string | undefined = storage('/instances?appId=ttd/bulk-app&size=1000&order=asc:lastChanged');
		let total = 0;
		let requests = 0;
		while (url) {
			const r = await call('GET', url);
			total += r.json.count;
			requests++;
			url = r.json.next;
		}
		expect([total, requests]).toEqual([10_000, 11]);
	});
});

describe('Storage instance endpoints', () => {
	it('gets an instance, 404s a missing one with a JSON string, 403s policy endpoints on missing ones', async () => {
		const r = await call('GET', storage(`/instances/${seed.instances.active}`));
		expect(r.json.id).toBe(seed.instances.active);
		expect(r.json.status.readStatus).toBe('Unread');
		const guid = '00000000-0000-4000-8000-000000000001';
		const missing = await call('GET', storage(`/instances/50001001/${guid}`));
		expect([missing.status, missing.json]).toEqual([404, `Unable to find instance ${guid}`]);
		expect((await call('GET', storage(`/instances/${guid}`))).status).toBe(404);
		for (const [m, p] of [
			['GET', 'dataelements'],
			['GET', 'events'],
			['GET', 'process/history'],
			['POST', 'complete'],
		]) {
			const x = await call(m, storage(`/instances/50001001/${guid}/${p}`));
			expect([x.status, x.text]).toEqual([403, '']);
		}
		expect((await call('GET', storage(`/instances/50001001/not-a-guid`))).status).toBe(404);
		const digdir = await altinnToken(emu, { org: 'digdir', orgNumber: '991825827' });
		expect((await call('GET', storage(`/instances/${seed.instances.active}`), { token: digdir })).status).toBe(403);
	});

	it('lists and streams data elements with content type and filename', async () => {
		const list = await call('GET', storage(`/instances/${seed.instances.active}/dataelements`));
		expect(list.json.dataElements.map((d: DataElementJson) => d.dataType).sort()).toEqual(['attachment', 'attachment', 'model']);
		const res = await fetch(`${emu.url}${storage(`/instances/${seed.instances.active}/data/${seed.dataElements.activePdf}`)}`, {
			headers: { Authorization: `Bearer ${token}` },
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/pdf');
		expect(res.headers.get('content-disposition')).toBe("attachment; filename=vedlegg.pdf; filename*=UTF-8''vedlegg.pdf");
		expect(Buffer.from(await res.arrayBuffer()).equals(SAMPLE_PDF)).toBe(true);
		const model = await call('GET', storage(`/instances/${seed.instances.active}/data/${seed.dataElements.activeModel}`));
		expect(model.json.Skjema.Navn).toBe('TESTBEDRIFT AS');
		const none = await call('GET', storage(`/instances/${seed.instances.active}/data/00000000-0000-4000-8000-000000000009`));
		expect(none.status).toBe(404);
	});

	it('streams a generated 50 MB element without holding it, with a matching SHA-256', async () => {
		const rec = emu.world.instance(seed.instances.archived) as InstanceRecord;
		const size = 50 * 1024 * 1024;
		const { element, sha256 } = emu.world.addGeneratedDataElement(rec, { dataType: 'attachment', size, seed: 42, filename: 'big.bin' });
		const res = await fetch(`${emu.url}${storage(`/instances/${rec.instance.id}/data/${element.id}`)}`, { headers: { Authorization: `Bearer ${token}` } });
		expect(res.headers.get('content-length')).toBe(String(size));
		const got = await sha256OfStream(Readable.fromWeb(res.body as never));
		expect(got).toBe(await sha256());
		expect(got).not.toBe(await sha256OfStream(generatedStream(size, 43)));
	});

	it('accepts raw uploads, streaming large ones to disk, and replaces and deletes data', async () => {
		const id = seed.instances.quiet[0];
		const rec = emu.world.instance(id) as InstanceRecord;
		let r = await call('POST', storage(`/instances/${id}/data?dataType=attachment`), {
			body: 'hello',
			headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment; filename="hei.txt"' },
		});
		expect(r.status).toBe(201);
		expect(r.headers.get('location')).toBe(r.json.selfLinks.platform);
		expect([r.json.filename, r.json.size, r.json.contentType]).toEqual(['hei.txt', 5, 'text/plain']);
		const dataId = r.json.id as string;
		r = await call('POST', storage(`/instances/${id}/data?dataType=nope`), { body: 'x' });
		expect([r.status, r.json]).toEqual([400, 'Requested element type is not declared in application metadata']);
		r = await call('POST', storage(`/instances/${id}/data?dataType=attachment`), { body: '' });
		expect([r.status, r.json]).toEqual([400, 'Empty stream provided. Cannot persist data.']);

		const size = 30 * 1024 * 1024;
		r = await call('POST', storage(`/instances/${id}/data?dataType=attachment`), {
			body: generatedStream(size, 7),
			headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename=big.bin' },
		});
		expect([r.status, r.json.size]).toEqual([201, size]);
		expect(emu.world.blobs.get(r.json.id)?.kind).toBe('file');
		const res = await fetch(`${emu.url}${storage(`/instances/${id}/data/${r.json.id}`)}`, { headers: { Authorization: `Bearer ${token}` } });
		expect(await sha256OfStream(Readable.fromWeb(res.body as never))).toBe(await sha256OfStream(generatedStream(size, 7)));

		r = await call('PUT', storage(`/instances/${id}/data/${dataId}`), { body: 'hello again', headers: { 'Content-Type': 'text/plain' } });
		expect([r.status, r.json.size]).toEqual([200, 11]);
		r = await call('PUT', storage(`/instances/${id}/data/${dataId}`), { body: '' });
		expect([r.status, r.json]).toEqual([422, 'Could not process attached file']);
		const element = rec.instance.data.find((d: DataElementJson) => d.id === dataId);
		r = await call('PUT', storage(`/instances/${id}/dataelements/${dataId}`), { json: { ...element, locked: true, tags: ['x'], size: 1 } });
		expect([r.status, r.json.locked, r.json.tags, r.json.size]).toEqual([200, true, ['x'], 11]);
		r = await call('PUT', storage(`/instances/${id}/data/${dataId}`), { body: 'locked now' });
		expect([r.status, r.json]).toEqual([409, `Data element ${dataId} is locked and cannot be updated`]);
		r = await call('DELETE', storage(`/instances/${id}/data/${dataId}`));
		expect(r.status).toBe(200);
		expect(rec.instance.data.some((d: DataElementJson) => d.id === dataId)).toBe(false);
	});

	it('confirms completion idempotently and records every write', async () => {
		const id = seed.instances.archived;
		const rec = emu.world.instance(id) as InstanceRecord;
		const before = rec.instance.lastChanged;
		await new Promise((r) => setTimeout(r, 5));
		const first = await call('POST', storage(`/instances/${id}/complete`));
		const second = await call('POST', storage(`/instances/${id}/complete`));
		expect(first.json.completeConfirmations).toEqual([{ stakeholderId: 'ttd', confirmedOn: expect.any(String) }]);
		expect(second.json.completeConfirmations).toHaveLength(1);
		expect(Date.parse(first.json.lastChanged)).toBeGreaterThan(Date.parse(before));
		expect(first.json.lastChangedBy).toBe('405003309');
		const events = await call('GET', storage(`/instances/${id}/events?eventTypes=ConfirmedComplete`));
		expect(events.json.instanceEvents).toHaveLength(1);
		expect(events.json.instanceEvents[0].user.orgId).toBe('ttd');
		const far = await call('GET', storage(`/instances/${id}/events?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`));
		expect(far.json.instanceEvents).toEqual([]);
		const history = await call('GET', storage(`/instances/${id}/process/history`));
		expect(history.json.processHistory.map((h: { eventType: string; elementId: string }) => `${h.eventType}:${h.elementId}`)).toEqual([
			'process_StartEvent:StartEvent_1',
			'process_StartTask:Task_1',
			'process_EndTask:Task_1',
			'process_StartTask:Task_2',
			'process_EndTask:Task_2',
			'process_EndEvent:EndEvent_1',
		]);
	});

	it('sets read status, substatus, presentation texts and data values', async () => {
		const id = seed.instances.active;
		let r = await call('PUT', storage(`/instances/${id}/readstatus?status=bogus`));
		expect([r.status, r.json]).toEqual([400, 'Invalid read status: bogus. Accepted types include: Unread, Read, UpdatedSinceLastReview']);
		r = await call('PUT', storage(`/instances/${id}/readstatus?status=read`));
		expect(r.json.status.readStatus).toBe('Read');
		r = await call('PUT', storage(`/instances/${id}/substatus`), { json: { description: 'no label' } });
		expect(r.status).toBe(400);
		r = await call('PUT', storage(`/instances/${id}/substatus`), { json: { label: 'Mottatt', description: 'Behandles' } });
		expect(r.json.status.substatus).toEqual({ label: 'Mottatt', description: 'Behandles' });
		r = await call('PUT', storage(`/instances/${id}/presentationtexts`), { json: { texts: { Navn: '', Sak: '42' } } });
		expect(r.json.presentationTexts).toEqual({ Sak: '42' });
		r = await call('PUT', storage(`/instances/${id}/datavalues`), { json: { values: { ref: 'A-1' } } });
		expect(r.json.dataValues).toEqual({ ref: 'A-1' });
		r = await call('PUT', storage(`/instances/${id}/datavalues`), { json: {} });
		expect(r.status).toBe(400);
		// Task_2 is a confirmation task: the default policy gives the org no `confirm`.
		r = await call('PUT', storage(`/instances/${seed.instances.awaitingConfirmation}/presentationtexts`), { json: { texts: { a: 'b' } } });
		expect([r.status, r.text]).toEqual([403, '']);
		// Storage's substatus writes the audit log only; it publishes no app event.
		emu.world.ageEvents('ttd/demo-app', EVENTS_REGISTRATION_DELAY_MS);
		const all = (await call('GET', `/events/api/v1/app/ttd/demo-app?from=2000-01-01T00:00:00Z&type=app.instance.substatus.changed`)).json;
		expect(all.filter((e: { resourceinstance: string }) => e.resourceinstance === id)).toEqual([]);
		// 'after=0' is no event id, so it counts as sequence 0: everything Events keeps.
		const fromStart = (await call('GET', '/events/api/v1/app/ttd/demo-app?after=0&size=1000')).json;
		expect(fromStart.length).toBeGreaterThan(0);
		expect(fromStart).toEqual((await call('GET', '/events/api/v1/app/ttd/demo-app?from=2000-01-01T00:00:00Z&size=1000')).json);
	});

	it('deletes instances only when the app policy grants delete', async () => {
		let r = await call('DELETE', storage(`/instances/${seed.instances.quiet[1]}?hard=true`));
		expect([r.status, r.text]).toEqual([403, '']);
		addApp('ttd/deletable-app', { orgMayDelete: true });
		const rec = emu.world.createInstance({ appId: 'ttd/deletable-app', partyId: seed.parties.org.partyId });
		r = await call('DELETE', storage(`/instances/${rec.instance.id}`));
		expect([r.json.status.isSoftDeleted, r.json.status.isHardDeleted]).toEqual([true, false]);
		r = await call('DELETE', `/ttd/deletable-app/instances/${rec.instance.id}?hard=true`);
		expect([r.json.status.isSoftDeleted, r.json.status.isHardDeleted]).toEqual([true, true]);
		const q = await call('GET', storage('/instances?appId=ttd/deletable-app&status.isHardDeleted=true'));
		expect(ids(q)).toEqual([rec.instance.id]);
	});
});

describe('app API', () => {
	it('instantiates with a query party id: 201, Location, InstanceResponse, auto-created model, Unread', async () => {
		const r = await call('POST', `/ttd/demo-app/instances?instanceOwnerPartyId=${seed.parties.org.partyId}`);
		expect(r.status).toBe(201);
		expect(r.headers.get('location')).toBe(r.json.selfLinks.apps);
		expect(r.json.selfLinks.apps).toBe(`${emu.url}/ttd/demo-app/instances/${r.json.id}`);
		expect(r.json.instanceOwner.party).toMatchObject({ partyId: seed.parties.org.partyId, orgNumber: '310000001', partyTypeName: 2 });
		expect(r.json.status.readStatus).toBe('Unread');
		expect(r.json.process.currentTask.elementId).toBe('Task_1');
		expect(r.json.data.map((d: DataElementJson) => d.dataType)).toEqual(['model']);
	});

	it('instantiates from a JSON template and rejects ambiguous or unknown owners', async () => {
		let r = await call('POST', '/ttd/demo-app/instances', { json: { instanceOwner: { personNumber: '01017012345' }, dueBefore: '2030-01-01T00:00:00Z' } });
		expect([r.status, r.json.instanceOwner.partyId, r.json.dueBefore]).toEqual([201, String(seed.parties.person.partyId), '2030-01-01T00:00:00Z']);
		r = await call('POST', `/ttd/demo-app/instances?instanceOwnerPartyId=1`, { json: { instanceOwner: { partyId: '1' } } });
		expect(r.status).toBe(400);
		r = await call('POST', '/ttd/demo-app/instances');
		expect(r.status).toBe(400);
		r = await call('POST', '/ttd/demo-app/instances', { json: { instanceOwner: { organisationNumber: '999999999' } } });
		expect([r.status, r.json]).toEqual([404, 'Cannot lookup party: Could not find organisation']);
		const digdir = await altinnToken(emu, { org: 'digdir', orgNumber: '991825827' });
		r = await call('POST', `/ttd/demo-app/instances?instanceOwnerPartyId=${seed.parties.org.partyId}`, { token: digdir });
		expect([r.status, r.text]).toEqual([403, '']);
		expect((await call('POST', `/ttd/no-such-app/instances?instanceOwnerPartyId=1`)).status).toBe(404);
	});

	it('instantiates from multipart/form-data with an instance part and data parts', async () => {
		const boundary = 'abcXYZ123';
		const part = (name: string, type: string, body: string | Buffer, filename?: string) =>
			Buffer.concat([
				Buffer.from(
					`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\nContent-Type: ${type}\r\n\r\n`,
				),
				Buffer.isBuffer(body) ? body : Buffer.from(body),
				Buffer.from('\r\n'),
			]);
		const body = Buffer.concat([
			part('instance', 'application/json', JSON.stringify({ instanceOwner: { organisationNumber: '310000001' } })),
			part('model', 'application/json', JSON.stringify({ Skjema: { Navn: 'Fra multipart' } })),
			part('attachment', 'application/pdf', SAMPLE_PDF, 'skjema.pdf'),
			Buffer.from(`--${boundary}--\r\n`),
		]);
		const r = await call('POST', '/ttd/demo-app/instances', { body, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } });
		expect(r.status).toBe(201);
		const data = r.json.data as DataElementJson[];
		expect(data.map((d) => d.dataType).sort()).toEqual(['attachment', 'model']);
		const pdf = data.find((d) => d.dataType === 'attachment') as DataElementJson;
		expect([pdf.filename, pdf.contentType, pdf.size]).toEqual(['skjema.pdf', 'application/pdf', SAMPLE_PDF.length]);
		const model = await call('GET', `/ttd/demo-app/instances/${r.json.id}/data/${data.find((d) => d.dataType === 'model')?.id}`, {
			headers: { Accept: 'application/json' },
		});
		expect(model.json).toEqual({ Skjema: { Navn: 'Fra multipart' } });

		const unknown = Buffer.concat([part('instance', 'application/json', '{"instanceOwner":{"partyId":"50001001"}}'), part('nope', 'text/plain', 'x'), Buffer.from(`--${boundary}--\r\n`)]);
		const bad = await call('POST', '/ttd/demo-app/instances', { body: unknown, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } });
		expect(bad.status).toBe(400);
		expect(bad.json).toMatch(/^Error when comparing content to application metadata: /);
		const noType = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="instance"\r\n\r\n{}\r\n--${boundary}--\r\n`);
		const bad2 = await call('POST', '/ttd/demo-app/instances', { body: noType, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } });
		expect([bad2.status, bad2.json.detail]).toEqual([400, "Part number 0 doesn't have a content type"]);
	});

	it('instantiates with prefill into the first task model', async () => {
		const r = await call('POST', '/ttd/demo-app/instances/create', {
			json: { instanceOwner: { partyId: String(seed.parties.org.partyId) }, prefill: { 'Skjema.Navn': 'Kari', 'Skjema.Kontakt.Epost': 'kari@example.com' } },
		});
		expect(r.status).toBe(201);
		const model = r.json.data.find((d: DataElementJson) => d.dataType === 'model');
		const got = await call('GET', `/ttd/demo-app/instances/${r.json.id}/data/${model.id}`, { headers: { Accept: 'application/json' } });
		expect(got.json).toEqual({ Skjema: { Navn: 'Kari', Kontakt: { Epost: 'kari@example.com' } } });
	});

	it('uploads attachments with the documented validation', async () => {
		const inst = (await call('POST', `/ttd/quiet-app/instances?instanceOwnerPartyId=${seed.parties.org.partyId}`)).json.id as string;
		const up = (headers: Record<string, string>, body: string | Buffer | Readable = 'x', path = 'data/attachment') =>
			call('POST', `/ttd/quiet-app/instances/${inst}/${path}`, { headers, body });
		const pdf = { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="a.pdf"; filename*=UTF-8\'\'a.pdf' };

		let r = await up(pdf, SAMPLE_PDF);
		expect(r.status).toBe(200);
		expect(r.json.newDataElementId).toBe(r.json.instance.data.find((d: DataElementJson) => d.dataType === 'attachment').id);
		expect([r.json.validationIssues, r.json.newDataModels]).toEqual([[], []]);

		r = await up({ 'Content-Type': 'application/pdf' });
		expect([r.status, r.json.uploadValidationIssues[0].code]).toEqual([400, 'InvalidFileNameFormat']);
		r = await up({ 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename=noext' });
		expect(r.json.uploadValidationIssues[0].code).toBe('InvalidFileNameFormat');
		r = await up({ 'Content-Type': 'application/zip', 'Content-Disposition': 'attachment; filename=a.zip' });
		expect([r.status, r.json.detail]).toEqual([400, 'Invalid content type: application/zip. Please try another file. Permitted content types include: application/pdf, image/png, text/plain']);
		r = await up({ 'Content-Type': 'image/png', 'Content-Disposition': 'attachment; filename=a.pdf' });
		expect(r.json.uploadValidationIssues[0].code).toBe('ContentTypeNotAllowed');
		r = await up(pdf, '');
		expect(r.status).toBe(400);
		r = await up(pdf, generatedStream(11 * 1024 * 1024, 1));
		expect([r.status, r.json.status]).toEqual([413, 413]);
		r = await up(pdf, 'x', 'data/unknown');
		expect(r.status).toBe(400);
		expect(r.json.detail).toMatch(/not declared in application metadata/);
		r = await up({ ...pdf, 'Content-Type': 'application/octet-stream' }, SAMPLE_PDF, 'data?dataType=attachment');
		expect(r.status).toBe(201);
		expect(r.headers.get('location')).toBe(r.json.selfLinks.apps);
		for (let i = 0; i < 6 && r.status !== 409; i++) r = await up(pdf, SAMPLE_PDF); // maxCount 5
		expect([r.status, r.json.title]).toEqual([409, 'Max Count Exceeded']);
		r = await up(pdf, 'x', 'data?dataType=nope');
		expect(r.status).toBe(400);
		expect(typeof r.json).toBe('string');
	});

	it('reads, replaces and deletes data; refuses writes on archived instances', async () => {
		const id = seed.instances.active;
		const r0 = await call('GET', `/ttd/demo-app/instances/${id}/data/${seed.dataElements.activeTxt}`);
		expect([r0.text, r0.headers.get('content-type')]).toEqual(['Notat fra Testbedrift\n', 'text/plain']);
		let r = await call('PUT', `/ttd/demo-app/instances/${id}/data/${seed.dataElements.activeModel}`, { json: { Skjema: { Navn: 'Endret' } } });
		expect([r.status, r.json.dataType]).toEqual([201, 'model']);
		r = await call('GET', `/ttd/demo-app/instances/${id}/data/${seed.dataElements.activeModel}`, { headers: { Accept: 'application/json' } });
		expect(r.json).toEqual({ Skjema: { Navn: 'Endret' } });
		r = await call('DELETE', `/ttd/demo-app/instances/${id}/data/${seed.dataElements.activeTxt}`);
		expect(r.status).toBe(200);
		expect(r.json.instance.data.some((d: DataElementJson) => d.id === seed.dataElements.activeTxt)).toBe(false);
		r = await call('POST', `/ttd/demo-app/instances/${seed.instances.archivedConfirmed}/data/attachment`, {
			body: SAMPLE_PDF,
			headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename=a.pdf' },
		});
		expect([r.status, r.json.title]).toEqual([409, 'Instance Not Active']);
		r = await call('GET', `/ttd/demo-app/instances/50001001/00000000-0000-4000-8000-000000000001`);
		expect([r.status, r.text]).toEqual([403, '']);
	});

	it('moves the process: write on data tasks, 403 ProblemDetails on confirmation, 409 on validation', async () => {
		const created = await call('POST', `/ttd/demo-app/instances?instanceOwnerPartyId=${seed.parties.org.partyId}`);
		const id = created.json.id as string;
		let r = await call('GET', `/ttd/demo-app/instances/${id}/process`);
		expect(r.json.currentTask).toMatchObject({ elementId: 'Task_1', actions: { write: true }, write: true });
		expect(r.json.processTasks.map((t: { elementId: string }) => t.elementId)).toEqual(['Task_1', 'Task_2']);
		r = await call('PUT', `/ttd/demo-app/instances/${id}/process/next`);
		expect([r.status, r.json.currentTask.elementId]).toEqual([200, 'Task_2']);
		r = await call('PUT', `/ttd/demo-app/instances/${id}/process/next`, { json: { action: 'confirm' } });
		expect(r.status).toBe(403);
		expect(r.json.detail).toBe('User is not authorized to perform process next. Task ID: Task_2. Task type: confirmation. Action: confirm.');
		r = await call('PUT', `/ttd/demo-app/instances/${id}/process/completeProcess`);
		expect(r.status).toBe(403);
		emu.world.ageEvents('ttd/demo-app', EVENTS_REGISTRATION_DELAY_MS);
		const events = await call('GET', `/events/api/v1/app/ttd/demo-app?from=2000-01-01T00:00:00Z&size=1000`);
		const mine = events.json.filter((e: { resourceinstance: string }) => e.resourceinstance === id).map((e: { type: string }) => e.type);
		expect(mine).toEqual(['app.instance.process.movedTo.Task_1', 'app.instance.created', 'app.instance.process.movedTo.Task_2']);

		addApp('ttd/confirm-app', { extraOrgActions: ['confirm'], publishesEvents: true });
		const c = await call('POST', `/ttd/confirm-app/instances?instanceOwnerPartyId=${seed.parties.org.partyId}`);
		r = await call('PUT', `/ttd/confirm-app/instances/${c.json.id}/process/completeProcess`);
		expect([r.status, r.json.ended !== undefined, r.json.currentTask]).toEqual([200, true, undefined]);
		r = await call('PUT', `/ttd/confirm-app/instances/${c.json.id}/process/completeProcess`);
		expect([r.status, r.json.title]).toEqual([409, 'Process is ended. It cannot be restarted.']);
		r = await call('PUT', `/ttd/confirm-app/instances/${c.json.id}/process/next`);
		expect(r.status).toBe(409);
		const inst = await call('GET', storage(`/instances/${c.json.id}`));
		expect(inst.json.status.isArchived).toBe(true);
		emu.world.ageEvents('ttd/confirm-app', EVENTS_REGISTRATION_DELAY_MS);
		const ev = await call('GET', `/events/api/v1/app/ttd/confirm-app?from=2000-01-01T00:00:00Z&type=app.instance.process.completed`);
		expect(ev.json.map((e: { resourceinstance: string }) => e.resourceinstance)).toEqual([c.json.id]);

		const strict = seed.instances.strict;
		r = await call('PUT', `/ttd/strict-app/instances/${strict}/process/next`);
		expect([r.status, r.json.title]).toEqual([409, 'Validation failed for task']);
		expect(r.json.validationIssues.map((i: { code: string }) => i.code).sort()).toEqual(['TooFewDataElementsOfType', 'required']);
		const rec = emu.world.instance(strict) as InstanceRecord;
		const model = rec.instance.data.find((d: DataElementJson) => d.dataType === 'model');
		await call('PUT', `/ttd/strict-app/instances/${strict}/data/${model.id}`, { json: { Skjema: { Navn: 'Utfylt' } } });
		await call('POST', `/ttd/strict-app/instances/${strict}/data/attachment`, { body: 'x', headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment; filename=a.txt' } });
		r = await call('PUT', `/ttd/strict-app/instances/${strict}/process/next`);
		expect([r.status, r.json.currentTask.elementId]).toEqual([200, 'Task_2']);
		r = await call('GET', `/ttd/strict-app/instances/${strict}/process/history`);
		expect(r.json.processHistory.length).toBe(4);
	});

	it('completes, sets substatus and refuses delete under the default policy', async () => {
		const id = seed.instances.awaitingConfirmation;
		let r = await call('POST', `/ttd/demo-app/instances/${id}/complete`);
		expect(r.json.completeConfirmations[0].stakeholderId).toBe('ttd');
		r = await call('PUT', `/ttd/demo-app/instances/${id}/substatus`, { json: { label: 'Ferdig' } });
		expect(r.json.status.substatus).toEqual({ label: 'Ferdig' });
		// The app's route publishes the event (app-lib InstancesController.UpdateSubstatus).
		emu.world.ageEvents('ttd/demo-app', EVENTS_REGISTRATION_DELAY_MS);
		const events = (await call('GET', `/events/api/v1/app/ttd/demo-app?from=2000-01-01T00:00:00Z&type=app.instance.substatus.changed`)).json;
		expect(events.map((e: { resourceinstance: string }) => e.resourceinstance)).toEqual([id]);
		r = await call('DELETE', `/ttd/demo-app/instances/${id}`);
		expect([r.status, r.text]).toEqual([403, '']);
	});
});

describe('multipart read as a stream', () => {
	it('gives the same parts as the buffered parser whatever the chunk size, and spills a large part to disk', async () => {
		const boundary = 'b0undary';
		const big = Buffer.alloc(SPILL_THRESHOLD + 10, 7);
		const body = Buffer.concat([
			Buffer.from(`preamble\r\n--${boundary}\r\nContent-Disposition: form-data; name="instance"\r\nContent-Type: application/json\r\n\r\n{"a":1}`),
			Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="x"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
			Buffer.from(`almost\r\n--${boundary.slice(0, 4)} not the end\r\n-`),
			Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="big"\r\nContent-Type: application/octet-stream\r\n\r\n`),
			big,
			Buffer.from(`\r\n--${boundary}--\r\nepilogue`),
		]);
		// Small chunks over a small body (every split of the delimiter), large ones over the large body.
		const small = Buffer.concat([body.subarray(0, body.indexOf(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="big"`)), Buffer.from(`\r\n--${boundary}--`)]);
		const temp = new TempFiles();
		try {
			for (const [input, size] of [[small, 1], [small, 3], [small, 7], [body, 1000], [body, 64 * 1024]] as const) {
				const expected = parseMultipart(input, boundary);
				const chunks = Array.from({ length: Math.ceil(input.length / size) }, (_, i) => input.subarray(i * size, (i + 1) * size));
				const parts = await parseMultipartStream(Readable.from(chunks), boundary, temp);
				expect(parts.map((p) => [p.name, p.filename, p.contentType, p.size])).toEqual(expected.map((p) => [p.name, p.filename, p.contentType, p.body.length]));
				for (const [i, part] of parts.entries()) expect((await readBlob(part.blob)).equals(expected[i].body)).toBe(true);
				if (input === body) expect(parts[2].blob.kind).toBe('file');
			}
			await expect(parseMultipartStream(Readable.from([body.subarray(0, body.length - 30)]), boundary, temp)).rejects.toThrow('Multipart closing boundary not found');
		} finally {
			temp.removeAll();
		}
	});
});

describe('App built with an older app-lib', () => {
	it('app-lib 8.3.8 serves uploads only as POST …/data?dataType= and answers …/data/{dataType} with an empty 404', async () => {
		const rec = emu.world.createInstance({ appId: 'ttd/legacy-app', partyId: seed.parties.org.partyId });
		const upload = { body: 'x', headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment; filename=a.txt' } };
		const meta = await call('GET', '/ttd/legacy-app/api/v1/applicationmetadata', { token: null });
		expect(meta.json.altinnNugetVersion).toBe('8.3.8.0');
		let r = await call('POST', `/ttd/legacy-app/instances/${rec.instance.id}/data/attachment`, upload);
		expect([r.status, r.text]).toEqual([404, '']);
		r = await call('POST', `/ttd/legacy-app/instances/${rec.instance.id}/data?dataType=attachment`, upload);
		expect(r.status).toBe(201);
		expect(r.json).toMatchObject({ dataType: 'attachment', filename: 'a.txt' });
	});
});

describe('Events app query', () => {
	it('requires an org claim and validates its parameters with ProblemDetails', async () => {
		const plain = await altinnToken(emu, { org: null, orgNumber: '310000001', scopes: ['altinn:instances.read'] });
		const r = await call('GET', '/events/api/v1/app/ttd/demo-app?after=0', { token: plain });
		expect([r.status, r.json]).toEqual([401, 'Only orgs can call this api']);
		const detail = async (qs: string, headers: Record<string, string> = {}) => {
			const x = await call('GET', `/events/api/v1/app/ttd/demo-app?${qs}`, { headers });
			expect([x.status, x.json.title, x.headers.get('content-type')]).toEqual([400, 'Bad Request', 'application/problem+json; charset=utf-8']);
			return x.json.detail;
		};
		expect(await detail('size=5')).toBe("The 'From' or 'After' parameter must be defined.");
		expect(await detail('from=2024-01-01T00:00:00')).toMatch(/'From' parameter must specify timezone/);
		expect(await detail('from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00')).toMatch(/'To' parameter must specify timezone/);
		expect(await detail('after=1&size=0')).toBe("The 'Size' parameter must be a number larger that 0.");
		expect(await detail('after=1&party=1&unit=310000001')).toBe("Only one of 'Party' or 'Person'/'Unit' can be defined.");
		expect(await detail('after=1&unit=123')).toBe("Value of 'Unit' needs to be exactly 9 digits.");
	});

	it('pages chronologically with a next header only on non-empty pages', async () => {
		addApp('ttd/events-app', { publishesEvents: true });
		const rec = emu.world.createInstance({ appId: 'ttd/events-app', partyId: seed.parties.person.partyId });
		for (let i = 0; i < 3; i++) emu.world.addAppEvent('ttd/events-app', { type: 'app.custom', instance: rec });
		const all = emu.world.appEvents.get('ttd/events-app') ?? [];
		expect(all.length).toBe(5);
		emu.world.ageEvents('ttd/events-app', EVENTS_REGISTRATION_DELAY_MS);
		let url: string | null = `/events/api/v1/app/ttd/events-app?from=2000-01-01T00:00Z&size=2`;
		const pages: number[] = [];
		const seen: string[] = [];
		let last: Reply | undefined;
		while (url) {
			last = await call('GET', url);
			pages.push(last.json.length);
			seen.push(...last.json.map((e: { id: string }) => e.id));
			url = last.headers.get('next');
			if (url) expect(url.startsWith(`${emu.url}/events/api/v1/app/ttd/events-app?after=`)).toBe(true);
		}
		expect(pages).toEqual([2, 2, 1, 0]);
		expect(seen).toEqual(all.map((e) => e.id));
		expect(last?.headers.get('content-type')).toBe('application/cloudevents+json; charset=utf-8');

		const first = all[0];
		expect(first).toMatchObject({
			specversion: '1.0',
			type: 'app.instance.process.movedTo.Task_1',
			source: `${emu.url}/ttd/events-app/instances/${rec.instance.id}`,
			subject: `/party/${seed.parties.person.partyId}`,
			alternativesubject: '/person/01017012345',
			resource: 'urn:altinn:resource:app_ttd_events-app',
			resourceinstance: rec.instance.id,
		});
		const typed = await call('GET', `/events/api/v1/app/ttd/events-app?after=${first.id}&type=app.custom&type=app.instance.created`);
		expect(typed.json.map((e: { type: string }) => e.type)).toEqual(['app.instance.created', 'app.custom', 'app.custom', 'app.custom']);
		const party = await call('GET', `/events/api/v1/app/ttd/events-app?after=${first.id}&party=1`);
		expect([party.json, party.headers.get('next')]).toEqual([[], null]);
		const person = await call('GET', `/events/api/v1/app/ttd/events-app?from=2000-01-01T00:00Z`, { headers: { person: '01017012345' } });
		expect(person.json.length).toBe(5);
	});

	it('holds back the last 30 s of registrations, reads an unknown after as 0, compares from as text, and leaves next unencoded', async () => {
		addApp('ttd/window-app', { publishesEvents: true });
		const rec = emu.world.createInstance({ appId: 'ttd/window-app', partyId: seed.parties.person.partyId, emitEvents: false });
		const query = (qs: string) => call('GET', `/events/api/v1/app/ttd/window-app?${qs}`);
		const old = emu.world.addAppEvent('ttd/window-app', { type: 'app.custom', instance: rec, registered: Date.now() - 60_000 });
		const fresh = emu.world.addAppEvent('ttd/window-app', { type: 'app.custom', instance: rec, registered: Date.now() - 1000 });
		// Events answers up to the highest sequence number registered 30 s ago: the two recent ones wait.
		const later = emu.world.addAppEvent('ttd/window-app', { type: 'app.custom', instance: rec, registered: Date.now() });
		expect((await query('from=2000-01-01T00:00:00Z')).json.map((e: { id: string }) => e.id)).toEqual([old.id]);
		emu.world.ageEvents('ttd/window-app', EVENTS_REGISTRATION_DELAY_MS);
		expect((await query('from=2000-01-01T00:00:00Z')).json.map((e: { id: string }) => e.id)).toEqual([old.id, fresh.id, later.id]);
		// An id Events does not know (another environment's, or one past retention): from the start.
		expect((await query('after=not-an-id-here')).json.map((e: { id: string }) => e.id)).toEqual([old.id, fresh.id, later.id]);
		// `from` is compared as text: an event written with an offset sorts by its digits, not its instant.
		const offset = emu.world.addAppEvent('ttd/window-app', { type: 'app.offset', instance: rec, time: '2024-05-01T12:00:00+02:00' });
		const byText = await query(`from=2024-05-01T11:00:00Z&type=app.offset`);
		expect(byText.json.map((e: { id: string }) => e.id)).toEqual([offset.id]); // 10:00 UTC, yet "after" 11:00
		// `next` carries the decoded values as they came, not encoded again.
		const page = await query('from=2000-01-01T00:00:00%2B00:00&size=1');
		expect(page.headers.get('next')).toBe(`${emu.url}/events/api/v1/app/ttd/window-app?after=${old.id}&from=2000-01-01T00:00:00+00:00&size=1`);
	});

	it('returns nothing for an app that does not publish events, or to another org', async () => {
		await call('POST', `/ttd/quiet-app/instances?instanceOwnerPartyId=${seed.parties.org.partyId}`);
		const r = await call('GET', '/events/api/v1/app/ttd/quiet-app?from=2000-01-01T00:00:00Z');
		expect([r.status, r.json, r.headers.get('next')]).toEqual([200, [], null]);
		const digdir = await altinnToken(emu, { org: 'digdir', orgNumber: '991825827' });
		const other = await call('GET', '/events/api/v1/app/ttd/demo-app?from=2000-01-01T00:00:00Z', { token: digdir });
		expect(other.json).toEqual([]);
		const own = await call('GET', '/events/api/v1/app/ttd/demo-app?from=2000-01-01T00:00:00Z');
		expect(own.json.length).toBeGreaterThan(5);
	});
});
