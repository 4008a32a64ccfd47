/**
 * Demo data for e2e tests and `npm start`: the service owner `ttd` (Testdepartementet),
 * Digdir, two parties, and four apps:
 *   - `ttd/demo-app`   Task_1 (data: `model` form data + `attachment`) -> Task_2 (confirmation); publishes events
 *   - `ttd/quiet-app`  one data task; does NOT publish events (poll Storage instead)
 *   - `ttd/strict-app` like demo-app, but `process/next` fails validation until `Skjema.Navn` is set
 *                       and one `attachment` is uploaded (409 with validationIssues)
 *   - `ttd/legacy-app` one data task, built with app-lib 8.3.8: no `POST …/data/{dataType}` route
 * plus a few instances with form data and attachments. `seedDemo` returns every id.
 */
import type { AltinnWorld, Application, DataElementJson, DataTypeDef, InstanceRecord } from './state';

export const TTD = { code: 'ttd', orgNumber: '405003309', name: 'Testdepartementet' };
export const DIGDIR = { code: 'digdir', orgNumber: '991825827', name: 'Digitaliseringsdirektoratet' };

const modelType = (): DataTypeDef => ({
	id: 'model',
	allowedContentTypes: ['application/xml'],
	appLogic: { autoCreate: true, classRef: 'Altinn.App.Models.Model' },
	taskId: 'Task_1',
	maxCount: 1,
	minCount: 1,
});
const attachmentType = (minCount = 0): DataTypeDef => ({
	id: 'attachment',
	description: { nb: 'Vedlegg', en: 'Attachment' },
	allowedContentTypes: ['application/pdf', 'image/png', 'text/plain'],
	taskId: 'Task_1',
	maxSize: 10,
	maxCount: 5,
	minCount,
});
const refPdf = (): DataTypeDef => ({ id: 'ref-data-as-pdf', allowedContentTypes: ['application/pdf'], maxCount: 0, minCount: 0 });

export function demoApps(): Application[] {
	const base = { org: 'ttd', partyTypesAllowed: { bankruptcyEstate: false, organisation: false, person: false, subUnit: false } };
	return [
		{
			...base,
			id: 'ttd/demo-app',
			title: { nb: 'Demo-app', en: 'Demo app' },
			dataTypes: [modelType(), attachmentType(), refPdf()],
			publishesEvents: true,
			processTasks: [
				{ id: 'Task_1', altinnTaskType: 'data', name: 'Utfylling' },
				{ id: 'Task_2', altinnTaskType: 'confirmation', name: 'Bekreftelse' },
			],
		},
		{
			...base,
			id: 'ttd/quiet-app',
			title: { nb: 'Stille app', en: 'Quiet app' },
			dataTypes: [modelType(), attachmentType(), refPdf()],
			publishesEvents: false,
			processTasks: [{ id: 'Task_1', altinnTaskType: 'data', name: 'Utfylling' }],
		},
		{
			...base,
			id: 'ttd/strict-app',
			title: { nb: 'Streng app', en: 'Strict app' },
			dataTypes: [modelType(), attachmentType(1), refPdf()],
			publishesEvents: false,
			processTasks: [
				{ id: 'Task_1', altinnTaskType: 'data', name: 'Utfylling' },
				{ id: 'Task_2', altinnTaskType: 'confirmation', name: 'Bekreftelse' },
			],
			requiredFields: [{ dataType: 'model', field: 'Skjema.Navn' }],
		},
		{
			...base,
			id: 'ttd/legacy-app',
			title: { nb: 'Eldre app', en: 'Legacy app' },
			dataTypes: [modelType(), attachmentType(), refPdf()],
			publishesEvents: false,
			processTasks: [{ id: 'Task_1', altinnTaskType: 'data', name: 'Utfylling' }],
			// Built with app-lib 8.3.8: uploads only as POST …/data?dataType= (see apps.ts).
			appLibVersion: '8.3.8.0',
		},
	];
}

/** A tiny but well-formed one-page PDF. */
export const SAMPLE_PDF = Buffer.from(
	'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
		'3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
/** A 1x1 PNG. */
export const SAMPLE_PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
	'base64',
);

export interface DemoSeed {
	serviceOwner: typeof TTD;
	digdir: typeof DIGDIR;
	parties: { org: { partyId: number; orgNumber: string; name: string }; person: { partyId: number; ssn: string; name: string } };
	apps: { demo: string; quiet: string; strict: string; legacy: string };
	instances: {
		/** demo-app, org party, at Task_1, form data + pdf and txt attachments. */
		active: string;
		/** demo-app, person party, at Task_2 (confirmation: the org may not move it on). */
		awaitingConfirmation: string;
		/** demo-app, archived (process ended), not yet confirmed by ttd. */
		archived: string;
		/** demo-app, archived and already confirmed (completeConfirmations) by ttd. */
		archivedConfirmed: string;
		/** quiet-app instances (no events). */
		quiet: string[];
		/** strict-app instance at Task_1 that fails validation. */
		strict: string;
	};
	dataElements: { activeModel: string; activePdf: string; activeTxt: string; archivedPng: string };
}

export function seedDemo(emu: { world: AltinnWorld }): DemoSeed {
	const world = emu.world;
	world.addServiceOwner(TTD);
	world.addServiceOwner(DIGDIR);
	const org = world.addParty({ partyId: 50001001, orgNumber: '310000001', name: 'TESTBEDRIFT AS' });
	const person = world.addParty({ partyId: 50001002, ssn: '01017012345', name: 'Ola Nordmann' });
	for (const app of demoApps()) world.addApplication(app);

	const t0 = world.now() - 3 * 3600_000;
	const at = (minutes: number) => t0 + minutes * 60_000;
	const formOf = (name: string) => ({ Skjema: { Navn: name, Beloep: 1200, Kommentar: 'Sendt fra demo' } });
	const byType = (rec: InstanceRecord, type: string, ct?: string) =>
		(rec.instance.data as DataElementJson[]).find((d) => d.dataType === type && (!ct || d.contentType === ct))?.id as string;

	const active = world.createInstance({
		appId: 'ttd/demo-app',
		partyId: org.partyId,
		created: at(0),
		formData: formOf(org.name),
		presentationTexts: { Navn: org.name },
		dueBefore: '2030-12-31T00:00:00Z',
		data: [
			{ dataType: 'attachment', content: SAMPLE_PDF, contentType: 'application/pdf', filename: 'vedlegg.pdf' },
			{ dataType: 'attachment', content: 'Notat fra Testbedrift\n', contentType: 'text/plain', filename: 'notat.txt' },
		],
	});
	const awaitingConfirmation = world.createInstance({
		appId: 'ttd/demo-app',
		partyId: person.partyId,
		created: at(10),
		formData: formOf(person.name),
		task: 'Task_2',
	});
	const archived = world.createInstance({
		appId: 'ttd/demo-app',
		partyId: org.partyId,
		created: at(20),
		formData: formOf(org.name),
		data: [{ dataType: 'attachment', content: SAMPLE_PNG, contentType: 'image/png', filename: 'kvittering.png' }],
		task: 'ended',
	});
	const archivedConfirmed = world.createInstance({
		appId: 'ttd/demo-app',
		partyId: person.partyId,
		created: at(30),
		formData: formOf(person.name),
		task: 'ended',
		confirmedBy: ['ttd'],
	});
	const quiet = [40, 50].map((m) => world.createInstance({ appId: 'ttd/quiet-app', partyId: org.partyId, created: at(m), formData: formOf(org.name) }));
	const strict = world.createInstance({ appId: 'ttd/strict-app', partyId: org.partyId, created: at(60) });

	return {
		serviceOwner: TTD,
		digdir: DIGDIR,
		parties: {
			org: { partyId: org.partyId, orgNumber: org.orgNumber as string, name: org.name },
			person: { partyId: person.partyId, ssn: person.ssn as string, name: person.name },
		},
		apps: { demo: 'ttd/demo-app', quiet: 'ttd/quiet-app', strict: 'ttd/strict-app', legacy: 'ttd/legacy-app' },
		instances: {
			active: active.instance.id,
			awaitingConfirmation: awaitingConfirmation.instance.id,
			archived: archived.instance.id,
			archivedConfirmed: archivedConfirmed.instance.id,
			quiet: quiet.map((r) => r.instance.id),
			strict: strict.instance.id,
		},
		dataElements: {
			activeModel: byType(active, 'model'),
			activePdf: byType(active, 'attachment', 'application/pdf'),
			activeTxt: byType(active, 'attachment', 'text/plain'),
			archivedPng: byType(archived, 'attachment', 'image/png'),
		},
	};
}

/**
 * One more new submission in the demo app, as a person would make it: TESTBEDRIFT AS fills in the form,
 * attaches a receipt and submits (process ended), and the service owner has not confirmed it yet. The
 * `npm start` demo makes one every minute so that "download and confirm" always has something to do.
 */
export function simulateSubmission(world: AltinnWorld, partyId = 50001001): string {
	const rec = world.createInstance({
		appId: 'ttd/demo-app',
		partyId,
		formData: { Skjema: { Navn: 'TESTBEDRIFT AS', Beloep: 1200, Kommentar: 'Ny innsending i demoen' } },
		data: [{ dataType: 'attachment', content: SAMPLE_PNG, contentType: 'image/png', filename: 'kvittering.png' }],
		task: 'ended',
	});
	return rec.instance.id as string;
}
