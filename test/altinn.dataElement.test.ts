/**
 * Data Element operations of the Altinn node through real n8n-core executions against the
 * emulator: list, download (one, all), upload through the app (attachments and form data),
 * replace, delete, and the checks that refuse a bad upload before it is sent.
 */
import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { SAMPLE_PDF, SAMPLE_PNG } from './emulator/seed';
import { instanceOperation, useAltinnEnv } from './support/altinnNode';

const env = useAltinnEnv();

const params = instanceOperation('dataElement');
const bytesOf = (binary: IBinaryData | undefined) => Buffer.from(binary?.data ?? '', 'base64');
const fileItem = (content: Buffer, mimeType: string, fileName: string, field = 'data'): INodeExecutionData => ({
	json: {},
	binary: { [field]: { data: content.toString('base64'), mimeType, fileName } },
});
const elementsOf = (id: string) => env.emu.world.instances.get(id)?.instance.data as IDataObject[];

/** A fresh demo-app instance at Task_1, with its auto-created form data. */
function freshInstance(): string {
	return env.emu.world.createInstance({ appId: 'ttd/demo-app', partyId: env.seed.parties.org.partyId, formData: { Skjema: { Navn: 'Kari' } } })
		.instance.id as string;
}

describe('Data Element > List', () => {
	it("returns one item per element of the instance", async () => {
		const { json } = await env.run(params('list', env.seed.instances.active));
		const { activeModel, activePdf, activeTxt } = env.seed.dataElements;
		expect(json.map((e) => e.id).sort()).toEqual([activeModel, activePdf, activeTxt].sort());
		expect(json.find((e) => e.id === activePdf)).toMatchObject({ dataType: 'attachment', filename: 'vedlegg.pdf', contentType: 'application/pdf' });
	});
});

describe('Data Element > Download', () => {
	it('puts the file in the named binary field with its file name and content type', async () => {
		const { items } = await env.run(
			params('download', env.seed.instances.active, { dataElementId: env.seed.dataElements.activePdf, binaryPropertyName: 'file' }),
		);
		expect(items).toHaveLength(1);
		const file = items[0].binary?.file;
		expect(file).toMatchObject({ fileName: 'vedlegg.pdf', mimeType: 'application/pdf' });
		expect(bytesOf(file).equals(SAMPLE_PDF)).toBe(true);
		expect(items[0].json).toMatchObject({ id: env.seed.dataElements.activePdf, dataType: 'attachment' });
	});

	it('names form data (a model element without a file name) after its data type and id, with the extension of its content type', async () => {
		const { activeModel } = env.seed.dataElements;
		const { items } = await env.run(params('download', env.seed.instances.active, { dataElementId: activeModel }));
		const element = items[0].json as { contentType?: string; filename?: string };
		expect(element.filename).toBeUndefined();
		const extension = ({ 'application/json': 'json', 'application/xml': 'xml' } as Record<string, string>)[String(element.contentType)];
		expect(extension).toBeDefined();
		expect(items[0].binary?.data).toMatchObject({ fileName: `model-${activeModel}.${extension}` });
	});

	it('names an element that is not in the instance', async () => {
		const missing = '00000000-0000-4000-8000-000000000001';
		const { error } = await env.run(params('download', env.seed.instances.active, { dataElementId: missing }));
		expect(error?.message).toBe(`Data element ${missing} is not in instance ${env.seed.instances.active}`);
		expect(error?.description).toContain(env.seed.dataElements.activePdf);
	});

	it('refuses a data element ID that is not a GUID before any request', async () => {
		const before = env.emu.counters.get('requests');
		const { error } = await env.run(params('download', env.seed.instances.active, { dataElementId: 'vedlegg.pdf' }));
		expect(error?.message).toBe('Data Element ID "vedlegg.pdf" is not a data element ID');
		expect(env.emu.counters.get('requests')).toBe(before);
	});
});

describe('Data Element > Download All', () => {
	it('gives one item per element, optionally only some data types', async () => {
		const { items } = await env.run(params('downloadAll', env.seed.instances.active, { dataTypes: 'attachment' }));
		expect(items.map((i) => i.json.filename).sort()).toEqual(['notat.txt', 'vedlegg.pdf']);
		const txt = items.find((i) => i.json.filename === 'notat.txt');
		expect(txt?.binary?.data).toMatchObject({ fileName: 'notat.txt', mimeType: 'text/plain' });
		expect(bytesOf(txt?.binary?.data).toString()).toBe('Notat fra Testbedrift\n');
		expect(items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('or puts every file in its own binary field on one item', async () => {
		const { items } = await env.run(params('downloadAll', env.seed.instances.active, { output: 'oneItem', binaryPrefix: 'file_' }));
		expect(items).toHaveLength(1);
		const listed = items[0].json.dataElements as IDataObject[];
		expect(listed).toHaveLength(3);
		const binary = items[0].binary ?? {};
		expect(Object.keys(binary).sort()).toEqual(['file_0', 'file_1', 'file_2']);
		const pdf = listed.find((e) => e.id === env.seed.dataElements.activePdf) as IDataObject;
		expect(bytesOf(binary[pdf.binaryField as string]).equals(SAMPLE_PDF)).toBe(true);
		const model = listed.find((e) => e.dataType === 'model') as IDataObject;
		expect(JSON.parse(bytesOf(binary[model.binaryField as string]).toString())).toMatchObject({ Skjema: { Navn: 'TESTBEDRIFT AS' } });
	});
});

describe('Data Element > Upload', () => {
	it('round trip: the bytes uploaded are the bytes downloaded, with file name and content type kept', async () => {
		const id = freshInstance();
		const fileName = 'soknad 2024 "endelig".pdf';
		const before = env.emu.counters.get('route.app.data.create');
		const uploaded = await env.run(params('upload', id, { dataType: 'attachment' }), { items: [fileItem(SAMPLE_PDF, 'application/pdf', fileName)] });
		expect(uploaded.error).toBeUndefined();
		expect(env.emu.counters.get('route.app.data.create')).toBe(before + 1);
		const element = uploaded.json[0];
		expect(element).toMatchObject({ dataType: 'attachment', filename: fileName, contentType: 'application/pdf', size: SAMPLE_PDF.length, validationIssues: [] });

		const { items, error } = await env.run(params('download', id, { dataElementId: element.id }));
		expect(error).toBeUndefined();
		expect(bytesOf(items[0].binary?.data).equals(SAMPLE_PDF)).toBe(true);
		expect(items[0].binary?.data).toMatchObject({ fileName, mimeType: 'application/pdf' });
	});

	it('uploads to an app built with app-lib 8.3 (no POST …/data/{dataType}) through POST …/data?dataType=, sent once', async () => {
		const rec = env.emu.world.createInstance({ appId: 'ttd/legacy-app', partyId: env.seed.parties.org.partyId });
		const id = rec.instance.id as string;
		const legacy = { ...params('upload', id, { dataType: 'attachment' }), app: { __rl: true, mode: 'list', value: 'legacy-app' } };
		const byRoute = env.emu.counters.get('route.app.data.create');
		const byQuery = env.emu.counters.get('route.app.data.createLegacy');
		const uploaded = await env.run(legacy, { items: [fileItem(SAMPLE_PDF, 'application/pdf', 'vedlegg.pdf')] });
		expect(uploaded.error).toBeUndefined();
		expect(uploaded.json[0]).toMatchObject({ dataType: 'attachment', filename: 'vedlegg.pdf', size: SAMPLE_PDF.length });
		expect(env.emu.counters.get('route.app.data.create')).toBe(byRoute);
		expect(env.emu.counters.get('route.app.data.createLegacy')).toBe(byQuery + 1);
		expect(elementsOf(id).filter((e) => e.dataType === 'attachment')).toHaveLength(1);
	});

	it('keeps a non-ASCII file name both ways (sent and received as filename*)', async () => {
		const id = freshInstance();
		const fileName = 'søknad æøå.txt';
		const { json } = await env.run(params('upload', id, { dataType: 'attachment' }), {
			items: [fileItem(Buffer.from('hei\n'), 'text/plain', fileName)],
		});
		expect(json[0]).toMatchObject({ filename: fileName, contentType: 'text/plain' });

		const { items, error } = await env.run(params('download', id, { dataElementId: json[0].id }));
		expect(error).toBeUndefined();
		expect(bytesOf(items[0].binary?.data).toString()).toBe('hei\n');
		expect(items[0].binary?.data).toMatchObject({ fileName, mimeType: 'text/plain' });
	});

	it('uploads form data as JSON', async () => {
		const id = freshInstance();
		const model = elementsOf(id).find((e) => e.dataType === 'model') as IDataObject;
		// The model exists once (maxCount 1): delete it through the app, then upload a new one.
		const deleted = await env.run(params('delete', id, { dataElementId: model.id }));
		expect(deleted.json[0]).toMatchObject({ deleted: true, id: model.id, instanceId: id });
		expect(elementsOf(id).some((e) => e.id === model.id)).toBe(false);

		const { json } = await env.run(params('upload', id, { dataType: 'model', inputSource: 'json', formData: '{"Skjema":{"Navn":"Per","Beloep":5}}' }));
		expect(json[0]).toMatchObject({ dataType: 'model', contentType: 'application/json' });
		const { items } = await env.run(params('download', id, { dataElementId: json[0].id }));
		expect(JSON.parse(bytesOf(items[0].binary?.data).toString())).toEqual({ Skjema: { Navn: 'Per', Beloep: 5 } });
	});

	it('refuses an unknown data type, listing the app\'s types, without sending the file', async () => {
		const before = env.emu.counters.get('route.app.data.create');
		const { error } = await env.run(params('upload', freshInstance(), { dataType: 'vedlegg' }), { items: [fileItem(SAMPLE_PDF, 'application/pdf', 'a.pdf')] });
		expect(error?.message).toBe('Data Type "vedlegg" is not a data type of app ttd/demo-app');
		expect(error?.description).toBe("The app's data types are: model, attachment, ref-data-as-pdf.");
		expect(env.emu.counters.get('route.app.data.create')).toBe(before);
	});

	it('names a missing binary field before any request', async () => {
		const id = freshInstance();
		const before = env.emu.counters.get('requests');
		const { error } = await env.run(params('upload', id, { dataType: 'attachment', binaryPropertyName: 'attachment' }), {
			items: [fileItem(SAMPLE_PDF, 'application/pdf', 'a.pdf', 'data')],
		});
		expect(error?.message).toContain("'attachment'");
		expect(env.emu.counters.get('requests')).toBe(before);
	});

	it("refuses a file over the data type's maximum size before sending it", async () => {
		const before = env.emu.counters.get('route.app.data.create');
		const big = Buffer.alloc(11 * 1024 * 1024, 1);
		const { error } = await env.run(params('upload', freshInstance(), { dataType: 'attachment' }), { items: [fileItem(big, 'application/pdf', 'big.pdf')] });
		expect(error?.message).toBe('The file "big.pdf" (11.0 MB) is larger than data type "attachment" allows (10 MB)');
		expect(env.emu.counters.get('route.app.data.create')).toBe(before);
	});

	it('refuses a content type the data type does not allow, listing the allowed ones', async () => {
		const before = env.emu.counters.get('route.app.data.create');
		const { error } = await env.run(params('upload', freshInstance(), { dataType: 'attachment' }), {
			items: [fileItem(Buffer.from('PK\u0003\u0004'), 'application/zip', 'archive.zip')],
		});
		expect(error?.message).toBe('Data type "attachment" does not allow application/zip (the file "archive.zip")');
		expect(error?.description).toBe('Allowed content types: application/pdf, image/png, text/plain.');
		expect(env.emu.counters.get('route.app.data.create')).toBe(before);
	});

	it('uses the File Name and Content Type options', async () => {
		const id = freshInstance();
		const { json } = await env.run(params('upload', id, { dataType: 'attachment', fileOptions: { fileName: 'kvittering.png', mimeType: 'image/png' } }), {
			items: [fileItem(SAMPLE_PNG, 'application/octet-stream', 'blob')],
		});
		expect(json[0]).toMatchObject({ filename: 'kvittering.png', contentType: 'image/png' });
	});
});

describe('Data Element > Replace', () => {
	it('replaces an attachment through the app', async () => {
		const id = freshInstance();
		const first = await env.run(params('upload', id, { dataType: 'attachment' }), { items: [fileItem(Buffer.from('first\n'), 'text/plain', 'notat.txt')] });
		const elementId = first.json[0].id as string;
		const before = env.emu.counters.get('route.app.data.update');
		const { json } = await env.run(params('replace', id, { dataElementId: elementId }), { items: [fileItem(SAMPLE_PNG, 'image/png', 'bilde.png')] });
		expect(env.emu.counters.get('route.app.data.update')).toBe(before + 1);
		expect(json[0]).toMatchObject({ id: elementId, filename: 'bilde.png', contentType: 'image/png', size: SAMPLE_PNG.length });
		const { items } = await env.run(params('download', id, { dataElementId: elementId }));
		expect(bytesOf(items[0].binary?.data).equals(SAMPLE_PNG)).toBe(true);
	});

	it('replaces form data with JSON', async () => {
		const id = freshInstance();
		const model = elementsOf(id).find((e) => e.dataType === 'model') as IDataObject;
		await env.run(params('replace', id, { dataElementId: model.id, inputSource: 'json', formData: { Skjema: { Navn: 'Nora' } } }));
		const { items } = await env.run(params('download', id, { dataElementId: model.id }));
		expect(JSON.parse(bytesOf(items[0].binary?.data).toString())).toEqual({ Skjema: { Navn: 'Nora' } });
	});

	it("checks the new file against the element's data type", async () => {
		const id = freshInstance();
		const before = env.emu.counters.get('route.app.data.update');
		const { error } = await env.run(params('replace', id, { dataElementId: env.seed.dataElements.activePdf }), { items: [fileItem(SAMPLE_PDF, 'application/pdf', 'a.pdf')] });
		expect(error?.message).toBe(`Data element ${env.seed.dataElements.activePdf} is not in instance ${id}`);
		const model = elementsOf(id).find((e) => e.dataType === 'model') as IDataObject;
		const wrong = await env.run(params('replace', id, { dataElementId: model.id }), { items: [fileItem(SAMPLE_PDF, 'application/pdf', 'a.pdf')] });
		expect(wrong.error?.message).toBe('Data type "model" holds form data, but the file "a.pdf" is application/pdf');
		expect(env.emu.counters.get('route.app.data.update')).toBe(before);
	});
});

describe('Data Element > retries', () => {
	afterEach(() => env.emu.faults.clear());

	it('retries a download after a 503', async () => {
		env.emu.faults.add({ route: 'storage.data.get', status: 503, times: 2 });
		const before = env.emu.counters.get('route.storage.data.get');
		const { items, error } = await env.run(params('download', env.seed.instances.active, { dataElementId: env.seed.dataElements.activeTxt }));
		expect(error).toBeUndefined();
		expect(bytesOf(items[0].binary?.data).toString()).toBe('Notat fra Testbedrift\n');
		expect(env.emu.counters.get('route.storage.data.get')).toBe(before + 3);
	});

	it('never repeats an upload after an ambiguous failure, and says what to check', async () => {
		const id = freshInstance();
		env.emu.faults.add({ route: 'app.data.create', status: 503, times: 1 });
		const before = env.emu.counters.get('route.app.data.create');
		const { error } = await env.run(params('upload', id, { dataType: 'attachment' }), { items: [fileItem(SAMPLE_PDF, 'application/pdf', 'once.pdf')] });
		expect(env.emu.counters.get('route.app.data.create')).toBe(before + 1);
		expect(error?.message).toBe(`Altinn failed (503) while handling instance ${id} (new attachment element); the request may still have taken effect`);
		expect(error?.description).toContain(`List the data elements of instance ${id} to see whether "once.pdf" was added before running it again.`);
	});
});

describe('Data Element > Delete', () => {
	it('shows the app\'s refusal for an archived instance', async () => {
		const { error } = await env.run(params('delete', env.seed.instances.archived, { dataElementId: env.seed.dataElements.archivedPng }));
		expect(error?.httpCode).toBe('409');
		expect(error?.message).toContain(`data element ${env.seed.dataElements.archivedPng} of instance ${env.seed.instances.archived}`);
	});
});
