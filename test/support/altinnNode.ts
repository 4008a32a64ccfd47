/**
 * Runs the Altinn action node through real n8n-core executions against the emulator, with the
 * real Maskinporten credential: `const env = await startAltinnEnv(); await env.run({ ... })`.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { MaskinportenApi } from '../../credentials/MaskinportenApi.credentials';
import { clearTokenCache } from '../../credentials/maskinporten';
import { Altinn } from '../../nodes/Altinn/Altinn.node';
import { startEmulator, type Emulator } from '../emulator';
import { seedDemo, type DemoSeed } from '../emulator/seed';
import { emulatorJwkCredential } from './credentials';
import { runWorkflow, TestCredentialsHelper, TestNodeTypes, type NodeErrorView, type WorkflowRunResult } from '../harness';
import { testKey } from './keys';

export const NODE = 'Altinn';
/** Customer organisations that have a system user for the test client's system. */
export const SYSTEM_USER_ORGS = ['310000002', '310000003'];
export const BOTH_SCOPES = 'altinn:serviceowner/instances.read altinn:serviceowner/instances.write';

export interface AltinnEnv {
	emu: Emulator;
	seed: DemoSeed;
	credentials: TestCredentialsHelper;
	nodeTypes: TestNodeTypes;
	/** Runs one Altinn node (`cred-1` unless told) over `items` (default one empty item). */
	run(parameters: INodeParameters, options?: RunOptions): Promise<AltinnRun>;
	close(): Promise<void>;
}

export interface RunOptions {
	items?: INodeExecutionData[];
	credential?: string;
	continueOnFail?: boolean;
}

export interface AltinnRun {
	result: WorkflowRunResult;
	items: INodeExecutionData[];
	json: IDataObject[];
	error?: NodeErrorView;
}

export async function startAltinnEnv(): Promise<AltinnEnv> {
	const emu = await startEmulator();
	const seed = seedDemo(emu);
	const key = testKey('altinn-node-key');
	const client = (clientId: string, scopes: string[]) =>
		emu.maskinporten.registerClient({
			clientId,
			orgNumber: seed.serviceOwner.orgNumber,
			scopes,
			jwks: [key.publicJwk],
			systemUsers: SYSTEM_USER_ORGS.map((orgNumber) => ({ orgNumber })),
		});
	client('node-client', BOTH_SCOPES.split(' '));
	client('write-only-client', ['altinn:serviceowner/instances.write']);
	const data = (clientId: string, scopes: string, extra: IDataObject = {}) =>
		emulatorJwkCredential(emu, key, clientId, scopes, { algorithm: 'RS256', exchangeToAltinn: true, ...extra });
	const credentials = new TestCredentialsHelper(
		[new MaskinportenApi()],
		[
			{ id: 'cred-1', name: 'Maskinporten', type: 'maskinportenApi', data: data('node-client', BOTH_SCOPES) },
			{ id: 'cred-write', name: 'Write only', type: 'maskinportenApi', data: data('write-only-client', 'altinn:serviceowner/instances.write') },
			{
				id: 'cred-production',
				name: 'Wrong environment',
				type: 'maskinportenApi',
				data: data('node-client', BOTH_SCOPES, { altinnPlatformUrl: 'http://127.0.0.1:1' }),
			},
		],
	);
	const nodeTypes = new TestNodeTypes([new Altinn()]);

	const run = async (parameters: INodeParameters, options: RunOptions = {}): Promise<AltinnRun> => {
		const result = await runWorkflow({
			nodes: [
				{
					name: NODE,
					type: 'n8n-nodes-altinn.altinn',
					parameters,
					credentials: { maskinportenApi: options.credential ?? 'cred-1' },
					...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
				},
			],
			nodeTypes,
			credentials,
			inputItems: options.items,
		});
		const error = result.error(NODE);
		const items = error ? [] : result.output(NODE);
		return { result, items, json: items.map((i) => i.json), error };
	};

	return {
		emu,
		seed,
		credentials,
		nodeTypes,
		run,
		close: async () => {
			clearTokenCache();
			(emu.world as { dispose?: () => void }).dispose?.();
			await emu.close();
		},
	};
}

/**
 * One environment for the whole test file: started in `beforeAll`, closed in `afterAll`. The
 * object returned is filled in when `beforeAll` has run, so read it inside tests and hooks.
 */
export function useAltinnEnv(): AltinnEnv {
	const env = {} as AltinnEnv;
	beforeAll(async () => {
		Object.assign(env, await startAltinnEnv());
	});
	afterAll(async () => {
		await env.close();
	});
	return env;
}

/** The App locator value for an app of org `ttd`, as the picker's list mode stores it. */
export const appValue = (app: string) => ({ __rl: true, mode: 'list', value: app });

/** Parameters of one operation of `resource` on an instance of ttd/demo-app, plus `extra`. */
export const instanceOperation =
	(resource: string) =>
	(operation: string, instanceId: string, extra: IDataObject = {}) => ({
		resource,
		operation,
		org: 'ttd',
		app: appValue('demo-app'),
		instanceId,
		...extra,
	});
