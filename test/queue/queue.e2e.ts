/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions */
/**
 * Queue mode (`npm run test:queue`): n8n's own distributed engine with this package. Redis and
 * PostgreSQL (test/queue/services.ts), one n8n main (webhooks, the activated trigger) and two
 * `n8n worker`s that run every execution, all on one user folder with the package installed (globalSetup
 * of the e2e suite) and one encryption key. The emulator runs inside this jest process so its counters
 * (grants, exchanges, instance queries) can be read. Asserts counts only; prints the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEMO_SCOPES, generateDemoKey, startDemoEmulator, type DemoEmulator } from '../../scripts/n8n/demo';
import { EDITOR_DEFAULTS, emulatorJwkCredential } from '../support/credentials';
import { readBlob } from '../emulator/blobs';
import { pollEvery, readContext, waitFor } from '../e2e/support';
import { ensureServerBinaries, startPostgres, startRedis, type Postgres, type Service } from './services';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rt = require('../../scripts/lib/n8n-runtime.cjs');

const EXECUTIONS = Number(process.env.QUEUE_EXECUTIONS ?? 200);
const NEW_INSTANCES = 5;
const BINARY_MB = Number(process.env.QUEUE_BINARY_MB ?? 50);
const CRED = { id: 'queueAltinnCred1', name: 'Maskinporten (queue test)', type: 'maskinportenApi' };
const LOAD_WF = 'queueLoadWorkflw';
const TRIGGER_WF = 'queueTriggerWfl1';
const BINARY_WF = 'queueBinaryWflw1';
// the load workflow's own credential, unused before the load starts: its first executions on both workers
// find no token, the cold start the grant count is about (the trigger's credential warms up in the main)
const COLD_CRED = { id: 'queueAltinnCold1', name: 'Maskinporten (queue test, load)', type: 'maskinportenApi' };
// a credential of its own Maskinporten client for the token-lifetime test, so its grants can be told apart
const LIFETIME_CRED = { id: 'queueAltinnLife1', name: 'Maskinporten (queue test, lifetimes)', type: 'maskinportenApi' };
const LIFETIME_CLIENT_ID = 'queue-lifetime-client';
const LIFETIME_WF = 'queueLifetimeWfl';
/** Token lifetime in the lifetime test, and how long its load runs (several lifetimes). */
const SHORT_LIFETIME_SEC = Number(process.env.QUEUE_TOKEN_LIFETIME_SEC ?? 30);
const LIFETIME_LOAD_SEC = Number(process.env.QUEUE_LIFETIME_LOAD_SEC ?? SHORT_LIFETIME_SEC * 3);
const credRef = { maskinportenApi: { id: CRED.id, name: CRED.name } };
const coldRef = { maskinportenApi: { id: COLD_CRED.id, name: COLD_CRED.name } };
const lifetimeRef = { maskinportenApi: { id: LIFETIME_CRED.id, name: LIFETIME_CRED.name } };

const ctx = readContext();
const tmp = mkdtempSync(path.join(tmpdir(), 'altinn-queue-'));
let demo: DemoEmulator;
let redis: Service | undefined;
let pg: Postgres | undefined;
let main: { url: string; stop(): Promise<void>; output(): string } | undefined;
const workers: Array<{ name: string; child: ChildProcess; log: string; output: () => string }> = [];
const figures: Record<string, unknown> = {};

function workflows(org: string, app: string) {
	const appRl = { __rl: true, mode: 'id', value: app };
	const webhook = (pathName: string) => ({
		id: `${pathName}-hook`,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `${pathName}-0000-4000-8000-000000000000`.slice(0, 36),
		parameters: { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} },
	});
	/** Webhook → Altinn search of 5 instances: one execution with Altinn requests per call. */
	const searchPerWebhook = (id: string, name: string, pathName: string, credentials: object) => ({
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Webhook: { main: [[{ node: 'Search', type: 'main', index: 0 }]] } },
		nodes: [
			webhook(pathName),
			{
				id: `${id}-search`,
				name: 'Search',
				type: 'n8n-nodes-altinn.altinn',
				typeVersion: 1,
				position: [200, 0],
				parameters: { resource: 'instance', operation: 'search', org, app: appRl, returnAll: false, limit: 5, filters: {} },
				credentials,
			},
		],
	});
	return [
		searchPerWebhook(LOAD_WF, 'Queue: Altinn search per webhook call', 'queue-load', coldRef),
		searchPerWebhook(LIFETIME_WF, 'Queue: Altinn search per webhook call, across token lifetimes', 'queue-lifetime', lifetimeRef),
		{
			id: TRIGGER_WF,
			name: 'Queue: Altinn Trigger',
			active: false,
			settings: { executionOrder: 'v1' },
			connections: {},
			nodes: [
				{
					id: 't1',
					name: 'Altinn Trigger',
					type: 'n8n-nodes-altinn.altinnTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: { pollTimes: pollEvery(10), source: 'instanceChanges', org, app, onlyCompleted: true, notConfirmed: true, startFrom: 'now' },
					credentials: credRef,
				},
			],
		},
		{
			id: BINARY_WF,
			name: 'Queue: 50 MB download and upload',
			active: false,
			settings: { executionOrder: 'v1' },
			connections: {
				Webhook: { main: [[{ node: 'Download', type: 'main', index: 0 }]] },
				Download: { main: [[{ node: 'Upload', type: 'main', index: 0 }]] },
			},
			nodes: [
				webhook('queue-binary'),
				{
					id: 'b2',
					name: 'Download',
					type: 'n8n-nodes-altinn.altinn',
					typeVersion: 1,
					position: [200, 0],
					parameters: { resource: 'dataElement', operation: 'download', instanceId: '={{ $json.body.instanceId }}', dataElementId: '={{ $json.body.dataElementId }}', binaryPropertyName: 'data' },
					credentials: credRef,
				},
				{
					id: 'b3',
					name: 'Upload',
					type: 'n8n-nodes-altinn.altinn',
					typeVersion: 1,
					position: [400, 0],
					parameters: {
						resource: 'dataElement',
						operation: 'upload',
						org,
						app: appRl,
						instanceId: "={{ $('Webhook').item.json.body.instanceId }}",
						dataType: 'attachment',
						inputSource: 'binary',
						binaryPropertyName: 'data',
						fileOptions: { fileName: 'roundtrip.pdf', mimeType: 'application/pdf' },
					},
					credentials: credRef,
				},
			],
		},
	];
}

/** The key in the user folder's config (n8n refuses a different N8N_ENCRYPTION_KEY), or a fixed one for a fresh folder. */
function encryptionKey(): string {
	const config = path.join(ctx.userFolder, '.n8n', 'config');
	if (existsSync(config)) return (JSON.parse(readFileSync(config, 'utf8')) as { encryptionKey: string }).encryptionKey;
	return 'queue-test-encryption-key-0123456789';
}

async function env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
	const e = rt.n8nEnv({ node: ctx.node, userFolder: ctx.userFolder, port: await rt.freePort(), brokerPort: await rt.freePort() }) as Record<string, string>;
	// n8nEnv drops DB_TYPE (an outer n8n's must not leak in): set it after
	return {
		...e,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis!.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pg!.port),
		DB_POSTGRESDB_DATABASE: pg!.database,
		DB_POSTGRESDB_USER: pg!.user,
		DB_POSTGRESDB_PASSWORD: '',
		N8N_ENCRYPTION_KEY: encryptionKey(),
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// n8n 2.41 defaults to 'database' in queue mode (n8n-core binary-data.config.js); say it anyway
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		N8N_PAYLOAD_SIZE_MAX: '200',
		...extra,
	};
}

async function cli(e: Record<string, string>, args: string[]): Promise<void> {
	const r = await rt.runCli(ctx, e, args, { logFile: path.join(tmp, 'cli.log') });
	if (r.code !== 0) throw new Error(`n8n ${args[0]} failed:\n${rt.tail(r.stdout + r.stderr)}`);
}

async function startWorker(name: string): Promise<void> {
	const e = await env();
	const log = path.join(tmp, `${name}.log`);
	const out = createWriteStream(log);
	let output = '';
	const child = spawn(ctx.node.nodeBin, [ctx.bin, 'worker', '--concurrency=10'], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
	const onData = (d: Buffer) => {
		output += String(d);
		out.write(d);
	};
	child.stdout!.on('data', onData);
	child.stderr!.on('data', onData);
	workers.push({ name, child, log, output: () => output });
	await waitFor(() => {
		if (child.exitCode !== null) throw new Error(`${name} exited: ${rt.tail(output)}`);
		return output.includes('n8n worker is now ready');
	}, 120_000, `${name} ready`);
}

/** Execution ids each worker started, from its log (`Worker started execution <id> (job <n>)`, n8n scaling/job-processor). */
function startedBy(worker: { output(): string }): Set<string> {
	return new Set([...worker.output().matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]));
}

function vmKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
}

/**
 * POSTs to one of the main's webhooks on a connection of its own: fetch's keep-alive pool can reuse a
 * connection that n8n closed after 5 idle seconds and fail the call ("other side closed"), and a POST
 * is not repeated blindly, since n8n may have started the execution.
 */
async function callWebhook(pathName: string, body: object): Promise<void> {
	const res = await fetch(`${main!.url}/webhook/${pathName}`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(body) });
	const text = await res.text();
	if (res.status !== 200) throw new Error(`webhook ${pathName} -> ${res.status}: ${text.slice(0, 300)}`);
}

const executionIds = (workflowId: string) => new Set(pg!.sql(`SELECT id FROM execution_entity WHERE "workflowId" = '${workflowId}'`).split('\n').filter(Boolean));

/**
 * n8n 2.41 checks resource-locator regexes before an execution starts in a vm with a 250 ms timeout
 * (n8n-workflow safe-regex.ts); on a CPU-starved worker that check itself can time out and fail the
 * execution before any node runs. Counted and printed apart: it is n8n's, not the package's.
 */
function regexTimeoutsAmong(ids: Set<string>): number {
	return workers.flatMap((w) => [...w.output().matchAll(/Regular expression execution timed out \(execution (\d+)\)/g)].map((m) => m[1]).filter((id) => ids.has(id))).length;
}

const countExecutions = (workflowId: string, status?: string) =>
	Number(pg!.sql(`SELECT count(*) FROM execution_entity WHERE "workflowId" = '${workflowId}'${status ? ` AND status = '${status}'` : ''}`));

beforeAll(async () => {
	const { redisServer, pgBin } = ensureServerBinaries();
	redis = await startRedis(redisServer, await rt.freePort());
	pg = await startPostgres(pgBin, await rt.freePort());
	demo = await startDemoEmulator();
	figures.maskinportenTokenLifetimeSec = demo.emu.knobs.maskinportenTokenLifetimeSec;
	figures.altinnTokenLifetimeSec = demo.emu.knobs.altinnTokenLifetimeSec;
	// a 50 MB attachment round trip needs a data type that takes it (the demo app's says 10 MB)
	const appId = `${demo.info.org}/${demo.info.app}`;
	const application = demo.emu.world.applications.get(appId)!;
	for (const dt of application.dataTypes ?? []) if (dt.id === 'attachment') dt.maxSize = BINARY_MB * 2;

	const lifetimeKey = generateDemoKey();
	demo.emu.maskinporten.registerClient({ clientId: LIFETIME_CLIENT_ID, orgNumber: demo.info.orgNumber, scopes: DEMO_SCOPES, jwks: [lifetimeKey.publicJwk as never] });
	const lifetimeData = emulatorJwkCredential(demo.emu, { jwkJson: JSON.stringify(lifetimeKey.privateJwk) }, LIFETIME_CLIENT_ID, DEMO_SCOPES.join(' '), EDITOR_DEFAULTS);

	const e = await env();
	const credFile = path.join(tmp, 'credentials.json');
	const credentials = [...[CRED, COLD_CRED].map((c) => ({ ...c, data: demo.credentialData })), { ...LIFETIME_CRED, data: lifetimeData }];
	writeFileSync(credFile, JSON.stringify(credentials), { mode: 0o600 });
	await cli(e, ['import:credentials', `--input=${credFile}`]);
	writeFileSync(credFile, '[]');
	const wfFile = path.join(tmp, 'workflows.json');
	writeFileSync(wfFile, JSON.stringify(workflows(demo.info.org, demo.info.app)));
	await cli(e, ['import:workflow', `--input=${wfFile}`]);
	for (const id of [LOAD_WF, LIFETIME_WF, TRIGGER_WF, BINARY_WF]) await cli(e, ['publish:workflow', `--id=${id}`]);

	main = await rt.startServer(ctx, await env(), { logFile: path.join(tmp, 'main.log') });
	await startWorker('worker-1');
	await startWorker('worker-2');
}, 600_000);

afterAll(async () => {
	process.stdout.write(`\n[queue] figures: ${JSON.stringify(figures, null, 2)}\n[queue] logs in ${tmp}\n`);
	for (const w of workers) {
		if (w.child.exitCode === null) {
			const exited = new Promise((r) => w.child.once('exit', r));
			w.child.kill('SIGTERM');
			await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
			if (w.child.exitCode === null) w.child.kill('SIGKILL');
		}
	}
	await main?.stop();
	await demo?.emu.close();
	await pg?.stop();
	await redis?.stop();
}, 120_000);

describe('queue mode: a main, two workers, Redis and PostgreSQL', () => {
	it(`runs ${EXECUTIONS} executions on both workers with the credential's token shared, while the trigger emits each new instance once`, async () => {
		const counter = (name: string) => demo.emu.counters.get(name);
		const queriesAtStart = counter('route.storage.instances.query');
		// the trigger's activation poll and first scheduled poll (run by the main) come before any new instance
		await waitFor(() => counter('route.storage.instances.query') >= queriesAtStart + 2, 60_000, 'the first scheduled poll');
		const grantsBefore = counter('maskinporten.grants');
		const exchangesBefore = counter('authentication.exchanges');
		figures.grantsByTriggerBeforeLoad = grantsBefore;

		const created: string[] = [];
		const createOne = () => {
			const rec = demo.emu.world.createInstance({
				appId: `${demo.info.org}/${demo.info.app}`,
				partyId: demo.info.partyId,
				formData: { Skjema: { Navn: `Queue ${created.length}` } },
				task: 'ended',
			});
			created.push(String(rec.instance.id).split('/')[1]);
		};
		let sent = 0;
		const post = async () => {
			for (;;) {
				const i = sent++;
				if (i >= EXECUTIONS) return;
				if (i % Math.floor(EXECUTIONS / NEW_INSTANCES) === 0 && created.length < NEW_INSTANCES) createOne();
				await callWebhook('queue-load', { i });
			}
		};
		await Promise.all(Array.from({ length: 10 }, post));
		await waitFor(() => countExecutions(LOAD_WF, 'success') + countExecutions(LOAD_WF, 'error') >= EXECUTIONS, 300_000, `${EXECUTIONS} finished executions`, 1000);

		const timesEmitted = () =>
			created.map((guid) =>
				Number(pg!.sql(`SELECT count(*) FROM execution_data d JOIN execution_entity e ON e.id = d."executionId" WHERE e."workflowId" = '${TRIGGER_WF}' AND d.data LIKE '%${guid}%'`)),
			);
		// the last instances may come after the load's last execution: wait for the trigger to emit them (or time out
		// and let the count below fail), then let it poll more (only the trigger queries instances now): none may come again
		await waitFor(() => timesEmitted().every((n) => n > 0), 120_000, 'the trigger to emit every new instance', 1000).catch(() => undefined);
		const polls = counter('route.storage.instances.query');
		await waitFor(() => counter('route.storage.instances.query') >= polls + 3, 90_000, 'three more polls');
		await waitFor(() => countExecutions(TRIGGER_WF) === Number(pg!.sql(`SELECT count(*) FROM execution_entity WHERE "workflowId" = '${TRIGGER_WF}' AND finished`)) || undefined, 60_000, 'trigger executions finished');

		const loadIds = executionIds(LOAD_WF);
		const perWorker = workers.map((w) => [...startedBy(w)].filter((id) => loadIds.has(id)).length);
		const regexTimeouts = regexTimeoutsAmong(loadIds);
		const emitted = timesEmitted();
		Object.assign(figures, {
			executions: countExecutions(LOAD_WF),
			succeeded: countExecutions(LOAD_WF, 'success'),
			failedByN8nRegexTimeout: regexTimeouts,
			executionsPerWorker: Object.fromEntries(workers.map((w, i) => [w.name, perWorker[i]])),
			grantsDuringLoad: counter('maskinporten.grants') - grantsBefore,
			exchangesDuringLoad: counter('authentication.exchanges') - exchangesBefore,
			grantsTotal: counter('maskinporten.grants'),
			exchangesTotal: counter('authentication.exchanges'),
			triggerExecutions: countExecutions(TRIGGER_WF),
			newInstances: created.length,
			timesEachInstanceEmitted: emitted,
			duplicates: emitted.reduce((s, n) => s + Math.max(0, n - 1), 0),
		});

		expect(countExecutions(LOAD_WF)).toBe(EXECUTIONS);
		expect(countExecutions(LOAD_WF, 'success') + regexTimeouts).toBe(EXECUTIONS);
		expect(perWorker.every((n) => n > 0)).toBe(true);
		expect(perWorker.reduce((a, b) => a + b, 0)).toBe(EXECUTIONS);
		// the token persisted on the credential is shared through the database: at most one grant per worker
		// that finds it empty at the cold start, none after (see README "Running in queue mode")
		expect(counter('maskinporten.grants') - grantsBefore).toBeGreaterThanOrEqual(1);
		expect(counter('maskinporten.grants') - grantsBefore).toBeLessThanOrEqual(workers.length);
		expect(counter('authentication.exchanges') - exchangesBefore).toBeLessThanOrEqual(workers.length);
		expect(created).toHaveLength(NEW_INSTANCES);
		expect(emitted).toEqual(created.map(() => 1));
	}, 600_000);

	it(`downloads and uploads a ${BINARY_MB} MB data element on a worker with binary data in the database`, async () => {
		const rec = demo.emu.world.createInstance({ appId: `${demo.info.org}/${demo.info.app}`, partyId: demo.info.partyId, formData: {}, task: 'Task_1' });
		const { element, sha256 } = demo.emu.world.addGeneratedDataElement(rec, {
			dataType: 'attachment',
			size: BINARY_MB * 1024 * 1024,
			contentType: 'application/pdf',
			filename: 'big.pdf',
		});
		const before = workers.map((w) => ({ rss: vmKb(w.child.pid!, 'VmRSS'), hwm: vmKb(w.child.pid!, 'VmHWM') }));
		const elementsBefore = new Set((rec.instance.data as Array<{ id: string }>).map((d) => d.id));
		await callWebhook('queue-binary', { instanceId: rec.instance.id, dataElementId: element.id });
		await waitFor(() => countExecutions(BINARY_WF, 'success') + countExecutions(BINARY_WF, 'error') >= 1, 300_000, 'the binary execution', 1000);
		const status = pg!.sql(`SELECT status FROM execution_entity WHERE "workflowId" = '${BINARY_WF}'`);
		const after = workers.map((w) => ({ rss: vmKb(w.child.pid!, 'VmRSS'), hwm: vmKb(w.child.pid!, 'VmHWM') }));
		const binaryRows = pg!.sql(`SELECT count(*), coalesce(sum(octet_length(data)), 0) FROM binary_data`);
		const uploaded = (rec.instance.data as Array<{ id: string; dataType: string }>).filter((d) => !elementsBefore.has(d.id) && d.dataType === 'attachment');
		const uploadedSha = uploaded.length ? createHash('sha256').update(await readBlob(demo.emu.world.blobs.get(uploaded[0].id)!)).digest('hex') : '';
		const runBy = workers.filter((w) => [...startedBy(w)].some((id) => pg!.sql(`SELECT "workflowId" FROM execution_entity WHERE id = ${id}`) === BINARY_WF)).map((w) => w.name);
		Object.assign(figures, {
			binary: {
				sizeMb: BINARY_MB,
				status,
				runBy,
				workerMemoryMb: workers.map((w, i) => ({
					worker: w.name,
					rssBefore: Math.round(before[i].rss / 1024),
					rssAfter: Math.round(after[i].rss / 1024),
					peakBefore: Math.round(before[i].hwm / 1024),
					peakAfter: Math.round(after[i].hwm / 1024),
				})),
				binaryDataTable: binaryRows,
				shaEqual: uploadedSha === (await sha256()),
			},
		});
		expect(status).toBe('success');
		expect(uploaded).toHaveLength(1);
		expect(uploadedSha).toBe(await sha256());
	}, 600_000);

	it(`keeps executions running across ${SHORT_LIFETIME_SEC} s token lifetimes, with a new grant per lifetime shared by the workers`, async () => {
		const saved = { mp: demo.emu.knobs.maskinportenTokenLifetimeSec, altinn: demo.emu.knobs.altinnTokenLifetimeSec };
		demo.emu.knobs.maskinportenTokenLifetimeSec = SHORT_LIFETIME_SEC;
		demo.emu.knobs.altinnTokenLifetimeSec = SHORT_LIFETIME_SEC;
		const grants = () => demo.emu.maskinporten.acceptedGrants.filter((g) => g.clientId === LIFETIME_CLIENT_ID);
		try {
			// a steady trickle, two calls in flight, for several lifetimes: both workers meet each expired token
			const started = Date.now();
			let calls = 0;
			const post = async () => {
				while (Date.now() - started < LIFETIME_LOAD_SEC * 1000) {
					calls++;
					await callWebhook('queue-lifetime', {});
					await new Promise((r) => setTimeout(r, 250));
				}
			};
			await Promise.all([post(), post()]);
			await waitFor(() => countExecutions(LIFETIME_WF, 'success') + countExecutions(LIFETIME_WF, 'error') >= calls, 300_000, `${calls} finished executions`, 1000);

			const ids = executionIds(LIFETIME_WF);
			const regexTimeouts = regexTimeoutsAmong(ids);
			const perWorker = workers.map((w) => [...startedBy(w)].filter((id) => ids.has(id)).length);
			const times = grants().map((g) => g.receivedAt); // emulator seconds
			const first = Math.min(...times);
			// lifetimes the load lasted, counted from the first grant; each may cost one grant per worker at most
			// (each worker meets the expired token with a 401 on its own; n8n has no lock across processes)
			const lifetimes = Math.ceil((Math.floor(Date.now() / 1000) + demo.emu.knobs.clockOffsetSec - first) / SHORT_LIFETIME_SEC);
			Object.assign(figures, {
				lifetimes: {
					tokenLifetimeSec: SHORT_LIFETIME_SEC,
					loadSec: LIFETIME_LOAD_SEC,
					executions: calls,
					succeeded: countExecutions(LIFETIME_WF, 'success'),
					failedByN8nRegexTimeout: regexTimeouts,
					executionsPerWorker: Object.fromEntries(workers.map((w, i) => [w.name, perWorker[i]])),
					lifetimesSpanned: lifetimes,
					grants: times.length,
					grantsAtSecond: times.map((t) => t - first),
				},
			});
			expect(countExecutions(LIFETIME_WF)).toBe(calls);
			expect(countExecutions(LIFETIME_WF, 'success') + regexTimeouts).toBe(calls);
			expect(perWorker.every((n) => n > 0)).toBe(true);
			// a token was granted again after it expired, not once only ...
			expect(times.length).toBeGreaterThanOrEqual(lifetimes - 1);
			// ... and not per execution: at most one per worker per lifetime
			expect(times.length).toBeLessThanOrEqual(workers.length * lifetimes);
		} finally {
			demo.emu.knobs.maskinportenTokenLifetimeSec = saved.mp;
			demo.emu.knobs.altinnTokenLifetimeSec = saved.altinn;
		}
	}, 600_000);
});
