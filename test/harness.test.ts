/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
import { NodeApiError } from 'n8n-workflow';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import {
	Poller,
	TestCredentialsHelper,
	TestNodeTypes,
	loadPackage,
	n8nLogs,
	packageBuildStatus,
	runPoll,
	runWorkflow,
	useBinaryDataMode,
} from './harness';
import { Container, SsrfProtectionConfig } from './harness/n8nInternals';
import type { TokenServer } from './harness/selfTest/tokenServer';
import { startTokenServer } from './harness/selfTest/tokenServer';
import {
	HarnessFnTokenApi,
	HarnessNode,
	HarnessPoll,
	HarnessTokenApi,
	checksum,
	patternStream,
	streamProbe,
} from './harness/selfTest/types';

let server: TokenServer;
const nodeTypes = new TestNodeTypes([new HarnessNode(), new HarnessPoll()]);

beforeAll(async () => {
	// Run this whole file with n8n's SSRF protection ON (N8N_SSRF_PROTECTION_ENABLED=true): the
	// harness must still reach 127.0.0.1.
	Container.get(SsrfProtectionConfig).enabled = true;
	server = await startTokenServer();
});
afterAll(async () => {
	await server.close();
});

function credentialsFor(extra: Record<string, unknown> = {}) {
	const helper = new TestCredentialsHelper([new HarnessTokenApi(), new HarnessFnTokenApi()]);
	helper.add({ id: 'cred-1', name: 'Harness', type: 'harnessTokenApi', data: { baseUrl: server.url, ...extra } });
	helper.add({ id: 'cred-fn', name: 'Harness fn', type: 'harnessFnTokenApi', data: { baseUrl: server.url } });
	return helper;
}

const getNode = (id: string, extra: Record<string, unknown> = {}) => ({
	name: 'Harness',
	type: 'n8n-nodes-altinn.harness',
	parameters: { operation: 'get', id, ...extra },
	credentials: { harnessTokenApi: 'cred-1', harnessFnTokenApi: 'cred-fn' },
});

describe('runWorkflow + TestCredentialsHelper (CLI preAuthentication rules)', () => {
	beforeEach(() => {
		server.revokeAll();
		server.alwaysUnauthorized = false;
	});

	it('runs preAuthentication once on first use, persists the token and reuses it next execution', async () => {
		const credentials = credentialsFor();
		const grantsBefore = server.grants;

		const first = await runWorkflow({ nodes: [getNode('a')], nodeTypes, credentials });
		expect(first.status).toBe('success');
		const token = credentials.getStoredData('cred-1').accessToken as string;
		expect(token).toMatch(/^tok-\d+$/);
		expect(first.json()).toEqual([{ id: 'a', token }]);
		expect(server.grants - grantsBefore).toBe(1);
		expect(credentials.counters.preAuthenticationRuns).toBe(1);
		expect(credentials.counters.updates).toBe(1);

		const second = await runWorkflow({ nodes: [getNode('b')], nodeTypes, credentials });
		expect(second.json()).toEqual([{ id: 'b', token }]);
		expect(server.grants - grantsBefore).toBe(1);
		expect(credentials.counters.preAuthenticationRuns).toBe(1);
		expect(credentials.counters.preAuthenticationCalls).toBe(2);
	});

	it('on 401 runs preAuthentication(expired) once and retries exactly once', async () => {
		const credentials = credentialsFor({ accessToken: 'stale-token' });
		const dataBefore = server.dataRequests;

		const result = await runWorkflow({ nodes: [getNode('c')], nodeTypes, credentials });

		const fresh = credentials.getStoredData('cred-1').accessToken as string;
		expect(fresh).toMatch(/^tok-\d+$/);
		expect(result.json()).toEqual([{ id: 'c', token: fresh }]);
		expect(server.dataRequests - dataBefore).toBe(2);
		expect(server.seenTokens.slice(-2)).toEqual(['stale-token', fresh]);
		expect(credentials.counters.preAuthenticationRuns).toBe(1);
		expect(credentials.counters.preAuthenticationExpiredRuns).toBe(1);
	});

	it('a 401 that persists fails the node with NodeApiError after one retry', async () => {
		server.alwaysUnauthorized = true;
		const credentials = credentialsFor();
		const dataBefore = server.dataRequests;

		const result = await runWorkflow({ nodes: [getNode('d')], nodeTypes, credentials });

		expect(result.status).toBe('error');
		expect(server.dataRequests - dataBefore).toBe(2);
		expect(credentials.counters.preAuthenticationRuns).toBe(2); // empty token, then expired
		const error = result.error();
		expect(error?.name).toBe('NodeApiError');
		expect(error?.httpCode).toBe('401');
		expect(error?.message).toMatch(/Authorization failed/);
		expect(() => result.output()).toThrow(/has no output/);
	});

	it('retries a Buffer upload after a 401, but not a stream upload (n8n-core 2.41 logs a warning)', async () => {
		const credentials = credentialsFor({ accessToken: 'stale-token' });
		const upload = (id: string, stream: boolean) =>
			runWorkflow({
				nodes: [getNode(id, { operation: 'upload', size: 1000, stream })],
				nodeTypes,
				credentials,
			});

		const buffered = await upload('buf', false);
		expect(buffered.json()).toEqual([
			{ id: 'buf', bytes: 1000, token: credentials.getStoredData('cred-1').accessToken },
		]);

		credentials.patchStoredData('cred-1', { accessToken: 'stale-again' });
		n8nLogs.clear();
		const streamed = await upload('str', true);
		expect(streamed.error()?.httpCode).toBe('401');
		expect(n8nLogs.messages('warn').join('\n')).toMatch(/was not retried after refreshing the credential/);
		expect(credentials.getStoredData('cred-1').accessToken).toMatch(/^tok-/); // refreshed anyway
	});

	it('keeps n8n SSRF protection in force for other addresses', async () => {
		const credentials = credentialsFor({ baseUrl: server.url.replace('127.0.0.1', '127.0.0.2') });
		const result = await runWorkflow({ nodes: [getNode('ssrf')], nodeTypes, credentials });
		expect(result.status).toBe('error');
		expect(JSON.stringify(result.error())).toMatch(/SSRF|blocked|not allowed/i);
	});

	it('supports the function form of authenticate', async () => {
		const credentials = credentialsFor();
		const result = await runWorkflow({
			nodes: [getNode('f', { credentialType: 'harnessFnTokenApi' })],
			nodeTypes,
			credentials,
		});
		const token = credentials.getStoredData('cred-fn').accessToken;
		expect(result.json()).toEqual([{ id: 'f', token }]);
	});

	it('continueRegularOutput gives error items with pairedItem', async () => {
		const credentials = credentialsFor();
		const result = await runWorkflow({
			nodes: [{ ...getNode('={{ $json.id }}'), onError: 'continueRegularOutput' }],
			nodeTypes,
			credentials,
			inputItems: [{ json: { id: 'ok' } }, { json: { id: 'missing' } }],
		});
		expect(result.status).toBe('success');
		const items = result.output();
		expect(items[0].json).toMatchObject({ id: 'ok' });
		expect(items[1].json.error).toBe('The resource you are requesting could not be found');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('getDecrypted applies defaults and drops fields hidden by displayOptions; raw does not', async () => {
		const credentials = credentialsFor({ onlyForB: 'stored-b' });
		const result = await runWorkflow({ nodes: [getNode('g')], nodeTypes, credentials });
		expect(result.status).toBe('success');
		const decrypted = await credentials.getDecrypted(
			{} as never,
			{ id: 'cred-1', name: 'Harness' },
			'harnessTokenApi',
			'manual',
		);
		expect(decrypted.clientId).toBe('client-default');
		credentials.patchStoredData('cred-1', { clientId: '={{ "client-" + (40 + 2) }}' });
		const resolved = await credentials.getDecrypted(
			{} as never,
			{ id: 'cred-1', name: 'Harness' },
			'harnessTokenApi',
			'manual',
		);
		expect(resolved.clientId).toBe('client-42');
		credentials.patchStoredData('cred-1', { clientId: undefined as never });
		expect(decrypted.mode).toBe('a');
		expect(decrypted).not.toHaveProperty('onlyForB');
		const raw = await credentials.getDecrypted(
			{} as never,
			{ id: 'cred-1', name: 'Harness' },
			'harnessTokenApi',
			'manual',
			undefined,
			true,
		);
		expect(raw.onlyForB).toBe('stored-b');
	});

	it('runs preAuthentication for the credential-test noOp node even with a cached token', async () => {
		const credentials = credentialsFor({ accessToken: 'cached' });
		const httpRequest = jest.fn().mockResolvedValue({ access_token: 'from-test' });
		const output = await credentials.preAuthentication(
			{ helpers: { httpRequest } } as never,
			{ baseUrl: server.url, accessToken: 'cached' },
			'harnessTokenApi',
			{
				id: 'x',
				name: 'Temp-Node',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [0, 0],
				parameters: { temp: '' },
				credentials: { harnessTokenApi: { id: 'cred-1', name: 'Harness' } },
			},
			false,
		);
		expect(output?.accessToken).toBe('from-test');
		expect(credentials.getStoredData('cred-1').accessToken).toBe('from-test');
	});

	it('never overwrites a field stored as an expression, except the expirable one', async () => {
		const credentials = credentialsFor({ clientId: '={{ "expr-client" }}' });
		const type = new HarnessTokenApi();
		type.preAuthentication = async () => ({ accessToken: 'new', clientId: 'resolved' });
		credentials.types.set(type.name, type);
		await credentials.preAuthentication(
			{ helpers: { httpRequest: jest.fn() } } as never,
			{ accessToken: '' },
			'harnessTokenApi',
			{ ...getNode('x'), id: 'n', typeVersion: 1, position: [0, 0], credentials: { harnessTokenApi: { id: 'cred-1', name: 'Harness' } } },
			false,
		);
		expect(credentials.getStoredData('cred-1')).toMatchObject({
			accessToken: 'new',
			clientId: '={{ "expr-client" }}',
		});
	});
});

describe('binary data', () => {
	afterAll(async () => {
		await useBinaryDataMode('inline');
	});

	it('inline mode keeps base64 in the item', async () => {
		await useBinaryDataMode('inline');
		const result = await runWorkflow({
			nodes: [
				{ name: 'Make', type: 'harness', parameters: { operation: 'makeBinary', size: 1000 } },
				{ name: 'Read', type: 'harness', parameters: { operation: 'readBinary' } },
			],
			nodeTypes,
		});
		const [made] = result.output('Make');
		expect(made.binary?.data.id).toBeUndefined();
		expect(Buffer.from(made.binary!.data.data, 'base64')).toHaveLength(1000);
		expect(result.json('Read')).toEqual([{ bufferLength: 1000, streamed: 0, checksum: expect.any(Number) }]);
	});

	it('filesystem mode streams a 50 MB body to disk without buffering it', async () => {
		const setup = await useBinaryDataMode('filesystem');
		const size = 50 * 1024 * 1024;
		// When 90% has been produced, most of it must already be on disk: nothing buffers the body.
		let onDiskAt90 = -1;
		streamProbe.onChunk = (sent) => {
			if (onDiskAt90 < 0 && sent >= size * 0.9) onDiskAt90 = bytesUnder(setup.storagePath!);
		};
		collectGarbage();
		const before = process.memoryUsage();
		const result = await runWorkflow({
			nodes: [{ name: 'Make', type: 'harness', parameters: { operation: 'makeBinary', size } }],
			nodeTypes,
			binaryMode: 'filesystem',
		});
		streamProbe.onChunk = undefined;
		collectGarbage();
		const after = process.memoryUsage();
		expect(onDiskAt90).toBeGreaterThan(size * 0.8);
		const [made] = result.output('Make');
		const binary = made.binary!.data;
		expect(binary.id).toMatch(/^filesystem-v2:workflows\/test-workflow\/executions\/.+\/binary_data\//);
		expect(binary.data).toBe('filesystem-v2');
		expect(binary.bytes).toBe(size);
		// Buffers live outside the JS heap, and their release after GC is not prompt enough to
		// assert on rss/arrayBuffers reliably; the on-disk progress above is the real proof.
		expect(after.heapUsed - before.heapUsed).toBeLessThan(20 * 1024 * 1024);
		const file = setup.service.getPath(binary.id!);
		expect(file.startsWith(setup.storagePath!)).toBe(true);
		expect(existsSync(file)).toBe(true);

	});

	it('filesystem mode: a later node reads the stored file with getBinaryStream and getBinaryDataBuffer', async () => {
		const size = 3 * 1024 * 1024 + 17;
		const result = await runWorkflow({
			nodes: [
				{ name: 'Make', type: 'harness', parameters: { operation: 'makeBinary', size } },
				{ name: 'Read', type: 'harness', parameters: { operation: 'readBinary' } },
			],
			nodeTypes,
			binaryMode: 'filesystem',
		});
		expect(result.output('Make')[0].binary?.data.id).toMatch(/^filesystem-v2:/);
		const expected = checksum(await streamToBuffer(patternStream(size)));
		expect(result.json('Read')).toEqual([{ bufferLength: size, streamed: size, checksum: expected }]);
	});
});

describe('runPoll', () => {
	const pollNode = {
		name: 'Harness Poll',
		type: 'n8n-nodes-altinn.harnessPoll',
		parameters: {},
		credentials: { harnessTokenApi: 'cred-1' },
	};

	beforeEach(() => {
		server.events = [
			{ id: 1, name: 'one' },
			{ id: 2, name: 'two' },
		];
	});

	it('emits new items, persists the cursor only when it emits, and survives a restart', async () => {
		const credentials = credentialsFor();
		const poller = new Poller({ node: pollNode, nodeType: nodeTypes, credentials });

		const first = await poller.poll();
		expect(first.emitted).toBe(true);
		expect(first.json.map((e) => e.id)).toEqual([1, 2]);
		expect(first.nodeStaticData).toEqual({ lastId: 2, polls: 1 });

		const second = await poller.poll();
		expect(second.items).toBeNull();
		expect(second.liveStaticData['node:Harness Poll']).toEqual({ lastId: 2, polls: 2 });
		expect(second.nodeStaticData).toEqual({ lastId: 2, polls: 1 }); // not saved: nothing emitted

		server.events.push({ id: 3, name: 'three' });
		const restarted = await runPoll({
			node: pollNode,
			nodeType: nodeTypes,
			credentials,
			staticData: JSON.parse(JSON.stringify(second.staticData)),
		});
		expect(restarted.json.map((e) => e.id)).toEqual([3]);
		expect(restarted.nodeStaticData).toEqual({ lastId: 3, polls: 2 });
	});

	it('durableCursor commits a cursor-only advance when the poll returns null', async () => {
		const credentials = credentialsFor();
		const node = { ...pollNode, parameters: { advanceOnly: true } };
		const legacy = await runPoll({ node, nodeType: nodeTypes, credentials });
		expect(legacy.items).toBeNull();
		expect(legacy.staticData).toEqual({});

		const durable = await runPoll({ node, nodeType: nodeTypes, credentials, durableCursor: true });
		expect(durable.nodeStaticData).toEqual({ lastId: 2, polls: 1 });
	});

	it('the activation poll (testingTrigger) emits like a scheduled one but commits no cursor-only advance', async () => {
		const credentials = credentialsFor();
		const node = { ...pollNode, parameters: { advanceOnly: true } };
		const poller = new Poller({ node, nodeType: nodeTypes, credentials, durableCursor: true });
		const activation = await poller.poll({ testingTrigger: true });
		expect(activation.items).toBeNull();
		expect(activation.staticData).toEqual({});
		const scheduled = await poller.poll();
		expect(scheduled.nodeStaticData).toEqual({ lastId: 2, polls: 1 });
	});

	it('returns the error of a failing poll and persists nothing', async () => {
		server.alwaysUnauthorized = true;
		try {
			const result = await runPoll({
				node: pollNode,
				nodeType: nodeTypes,
				credentials: credentialsFor(),
				staticData: { 'node:Harness Poll': { lastId: 1 } },
			});
			expect(result.error).toBeInstanceOf(NodeApiError);
			expect(result.nodeStaticData).toEqual({ lastId: 1 });
		} finally {
			server.alwaysUnauthorized = false;
		}
	});

	it('manual mode (Fetch Test Event) returns items and persists nothing', async () => {
		const result = await runPoll({
			node: pollNode,
			nodeType: nodeTypes,
			credentials: credentialsFor(),
			mode: 'manual',
		});
		expect(result.json).toEqual([{ id: 2, name: 'two' }]);
		expect(result.staticData).toEqual({});
	});

	it('a poll node also runs as the start node of a manual runWorkflow', async () => {
		const result = await runWorkflow({ nodes: [pollNode], nodeTypes, credentials: credentialsFor() });
		expect(result.json()).toEqual([{ id: 2, name: 'two' }]);
	});
});

describe('loadPackage', () => {
	it('refuses, naming the missing files, when the package is not built', async () => {
		const root = mkdtempSync(path.join(tmpdir(), 'unbuilt-'));
		writeFileSync(
			path.join(root, 'package.json'),
			JSON.stringify({ name: 'x', n8n: { credentials: ['dist/credentials/X.credentials.js'] } }),
		);
		expect(packageBuildStatus(root)).toMatchObject({ built: false, missing: ['dist/credentials/X.credentials.js'] });
		await expect(loadPackage(root)).rejects.toThrow(/npm run build.*X\.credentials\.js/);
	});

	const status = packageBuildStatus();
	(status.built ? it : it.skip)(
		`loads the built package with n8n's PackageDirectoryLoader${status.built ? '' : ` [skipped: ${status.reason}]`}`,
		async () => {
			const pkg = await loadPackage();
			expect(pkg.packageName).toBe('n8n-nodes-altinn');
			expect(Object.keys(pkg.loader.known.nodes).sort()).toEqual(['altinn', 'altinnEventsTrigger', 'altinnTrigger']);
			expect(pkg.loader.known.credentials.maskinportenApi.supportedNodes?.sort()).toEqual([
				'altinn',
				'altinnEventsTrigger',
				'altinnTrigger',
			]);
			for (const description of pkg.loader.types.nodes) {
				const iconUrl = description.iconUrl as { light: string; dark: string } | string;
				for (const url of typeof iconUrl === 'string' ? [iconUrl] : Object.values(iconUrl)) {
					expect(existsSync(pkg.iconFile(url))).toBe(true);
				}
				expect(description.codex?.categories?.length).toBeGreaterThan(0);
			}
			const trigger = pkg.nodeTypes.getByNameAndVersion('n8n-nodes-altinn.altinnTrigger');
			expect(trigger.description.properties[0].name).toBe('pollTimes'); // added by the loader
		},
	);
});

function bytesUnder(dir: string): number {
	let total = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
		if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
	}
	return total;
}

/** A full GC without --expose-gc (V8 flag + a fresh context exposes `gc`). */
function collectGarbage(): void {
	setFlagsFromString('--expose-gc');
	(runInNewContext('gc') as () => void)();
}

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}
