/**
 * The package the way users meet it: installed as a community package into a real n8n 2.x (cached
 * install, see scripts/n8n/ensure-n8n.mjs), configured through n8n's CLI and REST API, and run against
 * the local emulator, which runs inside this jest process so the tests can look at its world and counters.
 *
 * Phase 1 (n8n's CLI, no server): import the credentials and workflows, `n8n execute` them.
 * Phase 2 (`n8n start`, owner logged in over REST): node list, icons, credential tests, the trigger.
 */
import { generateDemoKey, startDemoEmulator, DEMO_CLIENT_ID, demoCredentialData, type DemoEmulator } from '../../scripts/n8n/demo';
import { readBlob } from '../emulator/blobs';
import { startEmulator, type Emulator } from '../emulator/index';
import { N8n, nodeItems, pollEvery, sleep, waitFor, type RestClient } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadExamples } = require('../../scripts/n8n/examples.cjs');

const CRED = { id: 'e2eAltinnDemo01', name: 'Maskinporten demo (emulator)', type: 'maskinportenApi' };
const WRONG_KEY = { id: 'e2eWrongKey0001', name: 'Maskinporten wrong key', type: 'maskinportenApi' };
const WRONG_CLIENT = { id: 'e2eWrongClient1', name: 'Maskinporten wrong client id', type: 'maskinportenApi' };
const WRONG_ENV = { id: 'e2eWrongEnv0001', name: 'Maskinporten wrong environment', type: 'maskinportenApi' };

const credRef = (c: { id: string; name: string }) => ({ maskinportenApi: { id: c.id, name: c.name } });

let demo: DemoEmulator;
let otherEnvironment: Emulator;
let n8n: N8n;
let examples: ReturnType<typeof loadExamples>;
/** Plain data of every imported credential, as the editor would send it to the credential test. */
const credentialData: Record<string, Record<string, unknown>> = {};

function httpRequestWorkflow(url: string) {
	return {
		id: 'e2eHttpRequest1',
		name: 'E2E: HTTP Request with the Maskinporten credential',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Start: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
		nodes: [
			{ id: 'a1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'a2',
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: { url, authentication: 'predefinedCredentialType', nodeCredentialType: 'maskinportenApi', options: {} },
				credentials: credRef(CRED),
			},
		],
	};
}

const TRIGGER_WF = 'e2eTriggerOnce1';
const ONBOARDING_WF = 'altinnExSysUsr1';
const CUSTOMER_ORG = '310000001'; // the example's customer row
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const onboardingExample = (): any => examples.workflows.find((w: { id: string }) => w.id === ONBOARDING_WF);

function triggerWorkflow(org: string, app: string) {
	return {
		id: TRIGGER_WF,
		name: 'E2E: Altinn Trigger picks up new instances',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { 'Altinn Trigger': { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 't1',
				name: 'Altinn Trigger',
				type: 'n8n-nodes-altinn.altinnTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: pollEvery(10),
					source: 'instanceChanges',
					org,
					app,
					// a new submission: completed and not yet confirmed by the org
					onlyCompleted: true,
					notConfirmed: true,
					startFrom: 'now',
				},
				credentials: credRef(CRED),
			},
			{ id: 't2', name: 'Received', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
	};
}

const REDELIVERY_WF = 'e2eRedelivery01';
const REDELIVERY_APP = 'quiet-app';

/**
 * Redelivery until confirmed: the first run fails before Confirm Download (the instance id is
 * spoiled unless the item is a redelivery), the redelivery confirms. Short redelivery and settle
 * times keep the test quick.
 */
function redeliveryWorkflow(org: string) {
	return {
		id: REDELIVERY_WF,
		name: 'E2E: Altinn Trigger redelivers what the workflow did not confirm',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { 'Altinn Trigger': { main: [[{ node: 'Confirm Download', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 'r1',
				name: 'Altinn Trigger',
				type: 'n8n-nodes-altinn.altinnTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: pollEvery(5),
					source: 'instanceChanges',
					org,
					app: REDELIVERY_APP,
					onlyCompleted: true,
					notConfirmed: true,
					startFrom: 'now',
					options: { redeliverMinutes: 0.1, settleSeconds: 1 },
				},
				credentials: credRef(CRED),
			},
			{
				id: 'r2',
				name: 'Confirm Download',
				type: 'n8n-nodes-altinn.altinn',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'instance',
					operation: 'confirmDownload',
					// The first delivery fails here, as a workflow does when a step before the confirmation fails.
					instanceId: '={{ $json.redelivered ? $json.instanceId : "first-run-fails" }}',
				},
				credentials: credRef(CRED),
			},
		],
	};
}

beforeAll(async () => {
	demo = await startDemoEmulator();
	otherEnvironment = await startEmulator();
	n8n = new N8n();
	await n8n.init();
	examples = loadExamples({ info: demo.info, emulatorUrl: demo.emu.url, credential: CRED });
	// The onboarding example's trigger polls every minute; every 10 s here keeps the suite short.
	const decided = onboardingExample().nodes.find((n: { name: string }) => n.name === 'Customer Decided');
	decided.parameters.pollTimes = pollEvery(10);

	const wrongKey = generateDemoKey();
	credentialData[CRED.id] = demo.credentialData;
	// a key the client does not have, under the registered kid
	credentialData[WRONG_KEY.id] = demoCredentialData(demo.emu, { ...wrongKey, kid: demo.key.kid, privateJwk: { ...wrongKey.privateJwk, kid: demo.key.kid } });
	credentialData[WRONG_CLIENT.id] = { ...demo.credentialData, clientId: 'no-such-client' };
	// the same client against another Maskinporten + Altinn, where it is not registered
	credentialData[WRONG_ENV.id] = { ...demo.credentialData, ...otherEnvironment.credentialUrls };
	await n8n.importCredentials([CRED, WRONG_KEY, WRONG_CLIENT, WRONG_ENV].map((c) => ({ ...c, data: credentialData[c.id] })));
	await n8n.importWorkflows([
		...examples.workflows,
		triggerWorkflow(demo.info.org, demo.info.app),
		redeliveryWorkflow(demo.info.org),
		httpRequestWorkflow(`${demo.emu.url}/storage/api/v1/instances?org=${demo.info.org}&appId=${demo.info.org}/${demo.info.app}`),
	]);
}, 300_000);

afterAll(async () => {
	await n8n?.stop();
	await demo?.emu.close();
	await otherEnvironment?.close();
});

describe('phase 1: n8n CLI (import:credentials, import:workflow, execute)', () => {
	it('runs the HTTP Request node with the predefined maskinportenApi credential, authenticated at the emulator', async () => {
		const exchangesBefore = demo.emu.counters.get('authentication.exchanges');
		const { run } = await n8n.execute('e2eHttpRequest1');
		const items = nodeItems(run, 'HTTP Request');
		expect(items).toHaveLength(1);
		const body = items[0].json as { instances?: Array<{ id: string; appId: string }>; count?: number };
		expect(Array.isArray(body.instances)).toBe(true);
		expect(body.instances!.length).toBeGreaterThan(0);
		expect(body.instances!.every((i) => i.appId === `${demo.info.org}/${demo.info.app}`)).toBe(true);
		expect(demo.emu.counters.get('authentication.exchanges')).toBeGreaterThan(exchangesBefore);
		expect(demo.emu.counters.get('maskinporten.grants')).toBeGreaterThan(0);
	});
});

describe('phase 1: the example workflows (n8n execute)', () => {
	it('"download and confirm new submissions" downloads the files as binary and confirms the instances', async () => {
		const archived = demo.info.seed.instances.archived;
		const world = demo.emu.world;
		const confirmedByOrg = (id: string) =>
			((world.instance(id)?.instance.completeConfirmations ?? []) as Array<{ stakeholderId: string }>).some((c) => c.stakeholderId === demo.info.org);
		expect(confirmedByOrg(archived)).toBe(false);

		const { run } = await n8n.execute(examples.workflows[0].id);
		const found = nodeItems(run, 'Search Not Confirmed');
		expect(found.map((i) => i.json.id)).toEqual([archived]);

		const downloaded = nodeItems(run, 'Download All Data');
		expect(downloaded).toHaveLength(1);
		const files = Object.values(downloaded[0].binary ?? {});
		const names = files.map((f) => f.fileName);
		expect(names).toContain('kvittering.png');
		expect(files.find((f) => f.fileName === 'kvittering.png')).toMatchObject({ mimeType: 'image/png' });
		// every data element of the instance arrived, each with a file name
		const elements = (world.instance(archived)!.instance.data as unknown[]).length;
		expect(files).toHaveLength(elements);
		expect(names.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);

		const confirmed = nodeItems(run, 'Confirm Download');
		expect(confirmed).toHaveLength(1);
		expect(confirmedByOrg(archived)).toBe(true);
	});

	it('"instantiate with prefill and upload an attachment" creates an instance with prefilled form data and the attachment', async () => {
		const before = new Set(demo.emu.world.instances.keys());
		const { run } = await n8n.execute(examples.workflows[1].id);
		const created = nodeItems(run, 'Create Instance');
		expect(created).toHaveLength(1);
		const id = String(created[0].json.id);
		expect(before.has(id)).toBe(false);
		const rec = demo.emu.world.instance(id)!;
		expect(rec).toBeDefined();
		expect(rec.instance.appId).toBe(`${demo.info.org}/${demo.info.app}`);

		const elements = rec.instance.data as Array<{ id: string; dataType: string; filename?: string; contentType?: string }>;
		const model = elements.find((e) => e.dataType === 'model')!;
		const modelText = (await readBlob(demo.emu.world.blobs.get(model.id)!)).toString('utf8');
		expect(modelText).toContain('TESTBEDRIFT AS');
		expect(modelText).toContain('Opprettet fra n8n');

		nodeItems(run, 'Upload Attachment');
		const attachment = elements.find((e) => e.dataType === 'attachment');
		expect(attachment).toMatchObject({ filename: 'vedlegg-fra-n8n.txt', contentType: 'text/plain' });
		expect((await readBlob(demo.emu.world.blobs.get(attachment!.id)!)).toString('utf8')).toContain(id);
	});
});

describe('phase 1: the system vendor example (n8n execute)', () => {
	it('"onboard a customer" asks the customer for a system user and composes the confirm link e-mail', async () => {
		const { run } = await n8n.execute(ONBOARDING_WF);
		const asked = nodeItems(run, 'Ask for System User');
		expect(asked).toHaveLength(1);
		expect(asked[0].json).toMatchObject({ partyOrgNo: CUSTOMER_ORG, status: 'New', isNewRequest: true });
		const mail = nodeItems(run, 'Confirm Link E-mail');
		expect(mail[0].json).toMatchObject({ to: 'post@testbedrift.example', confirmUrl: asked[0].json.confirmUrl });
		expect(String(mail[0].json.text)).toContain(String(asked[0].json.confirmUrl));
		const request = demo.emu.systemUsers.requests.get(String(asked[0].json.id));
		expect(request?.status).toBe('New');
		// The customer approves (in Altinn at confirmUrl; here the emulator's admin route).
		demo.emu.systemUsers.decide(request!.id, 'approve');
	});
});

describe('phase 2: n8n start + REST API', () => {
	let rest: RestClient;

	let queriesAtStart = 0;

	beforeAll(async () => {
		for (const id of [TRIGGER_WF, ONBOARDING_WF, REDELIVERY_WF]) {
			const published = await n8n.cli(['publish:workflow', `--id=${id}`]);
			if (published.code !== 0) throw new Error(`publish:workflow failed: ${published.stdout}${published.stderr}`);
		}
		queriesAtStart = demo.emu.counters.get('route.storage.instances.query');
		rest = await n8n.start();
	}, 420_000); // two publish:workflow CLI runs and n8n start; each CLI run takes up to a minute on a loaded machine

	it('lists the credential type with its icon', async () => {
		const creds = (await rest.ok('GET', '/types/credentials.json')) as Array<Record<string, unknown>>;
		const mp = creds.find((c) => c.name === 'maskinportenApi');
		expect(mp).toBeDefined();
		expect(mp!.displayName).toMatch(/^Maskinporten/);
		const icon = mp!.iconUrl as { light: string; dark: string } | string;
		const iconPath = typeof icon === 'string' ? icon : icon.light;
		expect(iconPath).toMatch(/^icons\/n8n-nodes-altinn\//);
		const res = await fetch(`${rest.url}/${iconPath}`);
		expect(res.status).toBe(200);
		expect(await res.text()).toContain('<svg');
	});

	it('lists the Altinn node, the Altinn Trigger and the Altinn Events Trigger with icons and codex', async () => {
		const nodes = (await rest.ok('GET', '/types/nodes.json')) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
		const ours = nodes.filter((n) => String(n.name).startsWith('n8n-nodes-altinn.'));
		const names = ours.map((n) => n.name);
		expect(names).toEqual(expect.arrayContaining(['n8n-nodes-altinn.altinn', 'n8n-nodes-altinn.altinnTrigger', 'n8n-nodes-altinn.altinnEventsTrigger']));
		for (const node of ours) {
			expect(node.credentials?.some((c: { name: string }) => c.name === 'maskinportenApi')).toBe(true);
			const icon = typeof node.iconUrl === 'string' ? node.iconUrl : node.iconUrl?.light;
			expect(icon).toMatch(/^icons\/n8n-nodes-altinn\//);
			const res = await fetch(`${rest.url}/${icon}`);
			expect(res.status).toBe(200);
			expect(node.codex?.categories?.length).toBeGreaterThan(0);
		}
	});

	const credentialTest = async (c: { id: string; name: string; type: string }) =>
		(await rest.ok('POST', '/rest/credentials/test', { credentials: { ...c, data: credentialData[c.id] } })) as {
			status: string;
			message: string;
		};

	it('passes the credential test with the demo client', async () => {
		const r = await credentialTest(CRED);
		expect(r).toMatchObject({ status: 'OK' });
	});

	it('fails the credential test with a clear message for a wrong key', async () => {
		const r = await credentialTest(WRONG_KEY);
		expect(r.status).toBe('Error');
		expect(r.message).toMatch(/signature|key/i);
		expect(r.message).not.toMatch(/BEGIN|"d":|eyJ/);
	});

	it('fails the credential test with a clear message for a wrong client id', async () => {
		const r = await credentialTest(WRONG_CLIENT);
		expect(r.status).toBe('Error');
		expect(r.message).toMatch(/client/i);
		expect(r.message).toMatch(/no-such-client|MP-100|not (know|found)/i);
		// n8n's dialog shows only the message, so the fix is in it
		expect(r.message).toContain('Check Client ID');
	});

	it('fails the credential test with a clear message for the wrong environment', async () => {
		const r = await credentialTest(WRONG_ENV);
		expect(r.status).toBe('Error');
		expect(r.message).toMatch(new RegExp(`${DEMO_CLIENT_ID}|MP-100|not (know|found)`, 'i'));
	});

	/** The credential as the editor's dialog holds it: n8n redacts the secrets and the stored token. */
	const asDialogHasIt = async (id: string) =>
		((await rest.ok('GET', `/rest/credentials/${id}?includeData=true`)) as { data: Record<string, unknown> }).data;
	const grants = () => demo.emu.counters.get('maskinporten.grants');

	it('Retry on a saved credential signs a fresh grant every time, though a token is stored and cached', async () => {
		const data = await asDialogHasIt(CRED.id);
		const before = grants();
		const first = (await rest.ok('POST', '/rest/credentials/test', { credentials: { ...CRED, data } })) as { status: string };
		expect(first.status).toBe('OK');
		expect(grants()).toBe(before + 1);
		const second = (await rest.ok('POST', '/rest/credentials/test', { credentials: { ...CRED, data } })) as { status: string };
		expect(second.status).toBe('OK');
		expect(grants()).toBe(before + 2);
	});

	it('Retry with an unsaved wrong Client ID fails with the fix in the message, and the stored credential still works', async () => {
		const data = await asDialogHasIt(CRED.id);
		const r = (await rest.ok('POST', '/rest/credentials/test', {
			credentials: { ...CRED, data: { ...data, clientId: 'wrong-client-id', maskinportenUrl: `${demo.emu.url}/no-such-path/` } },
		})) as { status: string; message: string };
		expect(r.status).toBe('Error');
		// the wrong URL fails first; its message names the field to check
		expect(r.message).toMatch(/Check that .+\/no-such-path\/ is Maskinporten: Environment, or Maskinporten URL/);
		const again = (await rest.ok('POST', '/rest/credentials/test', { credentials: { ...CRED, data } })) as { status: string };
		expect(again.status).toBe('OK');
	});

	it('Retry on a new credential with the same settings as another makes its own grant', async () => {
		const created = (await rest.ok('POST', '/rest/credentials', {
			name: 'Maskinporten demo (copy)',
			type: 'maskinportenApi',
			data: credentialData[CRED.id],
		})) as { id: string };
		const data = await asDialogHasIt(created.id);
		const before = grants();
		const r = (await rest.ok('POST', '/rest/credentials/test', { credentials: { id: created.id, name: 'Maskinporten demo (copy)', type: 'maskinportenApi', data } })) as {
			status: string;
		};
		expect(r.status).toBe('OK');
		expect(grants()).toBe(before + 1);
		await rest.ok('DELETE', `/rest/credentials/${created.id}`);
	});

	it('the Altinn Trigger in an activated workflow picks up an instance created after activation, exactly once', async () => {
		// Activation runs a test poll (n8n 2.41 commits a staged cursor only for scheduled polls); create the
		// instance once the first scheduled poll has run, so it is unambiguously after activation.
		await waitFor(() => demo.emu.counters.get('route.storage.instances.query') >= queriesAtStart + 2, 60_000, 'the first scheduled poll');
		await sleep(1000);
		const executions = async () =>
			(await rest.ok('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: TRIGGER_WF }))}`)) as {
				count: number;
				results: Array<{ id: string; status: string }>;
			};
		expect((await executions()).count).toBe(0);

		const rec = demo.emu.world.createInstance({
			appId: `${demo.info.org}/${demo.info.app}`,
			partyId: demo.info.partyId,
			formData: { Skjema: { Navn: 'Etter aktivering' } },
			task: 'ended',
		});
		const guid = String(rec.instance.id).split('/')[1];

		const queries = () => demo.emu.counters.get('route.storage.instances.query');
		const atCreate = queries();
		// The default settle time (30 s on Altinn's clock) comes first.
		const first = await waitFor(async () => { const e = await executions(); return e.count > 0 ? e : undefined; }, 90_000, 'an execution of the trigger').catch((e: Error) => {
			throw new Error(`${e.message} (instance queries: ${atCreate} at create, ${queries()} now; ${n8n.server?.output().slice(-1500)})`);
		});
		const polls = demo.emu.counters.get('route.storage.instances.query');
		// let at least two more polls run: they must not emit the same instance again
		await waitFor(() => demo.emu.counters.get('route.storage.instances.query') >= polls + 2, 45_000, 'two more polls');
		const after = await executions();
		expect(after.count).toBe(1);
		expect(first.results[0].status).toBe('success');
		const detail = (await rest.ok('GET', `/rest/executions/${first.results[0].id}`)) as { data: string };
		expect(String(detail.data)).toContain(guid);
	}, 180_000);
	it("the onboarding example, once activated, sees the customer's approval and creates an instance as the customer's system user", async () => {
		// Executions started by the trigger (the CLI run of phase 1 is not one of them).
		const triggered = async () => {
			const list = (await rest.ok('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: ONBOARDING_WF }))}`)) as {
				results: Array<{ id: string; status: string; mode: string }>;
			};
			return list.results.filter((e) => e.mode === 'trigger');
		};
		const runs = await waitFor(async () => { const r = await triggered(); return r.length > 0 ? r : undefined; }, 90_000, 'an execution of the onboarding trigger').catch((e: Error) => {
			throw new Error(`${e.message} (${n8n.server?.output().slice(-1500)})`);
		});
		expect(runs[0].status).toBe('success');
		const detail = (await rest.ok('GET', `/rest/executions/${runs[0].id}`)) as { data: string };
		// The instance the workflow created exists, for the customer, and was created with a system-user token.
		const created = [...demo.emu.world.instances.keys()].filter((id) => String(detail.data).includes(id.split('/')[1]));
		expect(created).toHaveLength(1);
		expect(demo.emu.world.instance(created[0])!.instance.instanceOwner.organisationNumber).toBe(CUSTOMER_ORG);
		const grant = demo.emu.maskinporten.acceptedGrants.find((g) => JSON.stringify(g.claims.authorization_details ?? '').includes(`0192:${CUSTOMER_ORG}`));
		expect(grant).toBeDefined();
		// Later polls do not emit the decision again.
		const polls = demo.emu.counters.get('route.systemuser.request.bysystem');
		await waitFor(() => demo.emu.counters.get('route.systemuser.request.bysystem') >= polls + 2, 45_000, 'two more polls');
		expect(await triggered()).toHaveLength(1);
	}, 180_000);

	it('redelivers an instance whose first run failed before Confirm Download; the second run confirms it', async () => {
		const executions = async () =>
			(await rest.ok('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: REDELIVERY_WF }))}`)) as {
				count: number;
				results: Array<{ id: string; status: string }>;
			};
		// Created once the trigger has polled, so it is after activation ("Start From: Now").
		const polled = demo.emu.counters.get('route.storage.instances.query');
		await waitFor(() => demo.emu.counters.get('route.storage.instances.query') >= polled + 2, 60_000, 'polls of the redelivery trigger');
		const rec = demo.emu.world.createInstance({ appId: `${demo.info.org}/${REDELIVERY_APP}`, partyId: demo.info.partyId, task: 'ended' });
		const confirmed = () => ((rec.instance.completeConfirmations ?? []) as Array<{ stakeholderId: string }>).some((c) => c.stakeholderId === demo.info.org);
		await waitFor(() => (confirmed() ? true : undefined), 120_000, 'the confirmation by the redelivered run');
		const runs = await waitFor(async () => {
			const e = await executions();
			return e.results.length >= 2 ? e : undefined;
		}, 30_000, 'both runs in the execution list');
		// Newest first: the redelivery succeeded, the first delivery failed.
		expect(runs.results.map((r) => r.status).reverse()).toEqual(['error', 'success']);
		const second = (await rest.ok('GET', `/rest/executions/${runs.results[0].id}`)) as { data: string };
		expect(String(second.data)).toContain(String(rec.instance.id).split('/')[1]);
		// Confirmed: later polls emit it no more.
		const polls = demo.emu.counters.get('route.storage.instances.query');
		await waitFor(() => demo.emu.counters.get('route.storage.instances.query') >= polls + 4, 45_000, 'more polls');
		expect((await executions()).results).toHaveLength(2);
	}, 300_000);
});
