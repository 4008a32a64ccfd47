/**
 * The Altinn node as an AI agent's tool. n8n offers a `usableAsTool` node as a copy of its type
 * with `Tool` appended to the name (packages/cli/src/tool-generation/ai-tools.ts,
 * convertNodeToAiTool) and runs the node's own `execute`; here that copy runs in a real n8n-core
 * execution as `n8n-nodes-altinn.altinnTool`. Destructive operations are refused unless the
 * workflow's author allows them.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { Altinn } from '../nodes/Altinn/Altinn.node';
import { runWorkflow } from './harness';
import { instanceOperation, useAltinnEnv } from './support/altinnNode';

const env = useAltinnEnv();
const TOOL = 'Altinn Tool';

beforeAll(() => {
	const tool = new Altinn();
	tool.description = { ...tool.description, name: `${tool.description.name}Tool`, displayName: `${tool.description.displayName} Tool` };
	env.nodeTypes.add(tool);
});

async function runAsTool(parameters: INodeParameters) {
	const result = await runWorkflow({
		nodes: [{ name: TOOL, type: 'n8n-nodes-altinn.altinnTool', parameters, credentials: { maskinportenApi: 'cred-1' } }],
		nodeTypes: env.nodeTypes,
		credentials: env.credentials,
	});
	const error = result.error(TOOL);
	return { error, json: error ? [] : result.output(TOOL).map((i) => i.json) };
}

const freshInstance = () =>
	env.emu.world.createInstance({ appId: 'ttd/demo-app', partyId: env.seed.parties.org.partyId, formData: { Skjema: { Navn: 'Kari' } } }).instance.id as string;

describe('Altinn as an AI agent tool', () => {
	it('reads as usual', async () => {
		const { json, error } = await runAsTool({ resource: 'instance', operation: 'get', instanceId: env.seed.instances.active });
		expect(error).toBeUndefined();
		expect(json[0].id).toBe(env.seed.instances.active);
	});

	it.each([
		['Instance > Delete', instanceOperation('instance')('delete', '', { hard: true }), 'route.storage.instance.delete'],
		['Process > Next', instanceOperation('process')('next', ''), 'route.app.process.next'],
		['Process > Complete Process', instanceOperation('process')('completeProcess', ''), 'route.app.process.completeProcess'],
		['Data Element > Delete', instanceOperation('dataElement')('delete', '', { dataElementId: '00000000-0000-4000-8000-000000000000' }), 'route.app.data.delete'],
	])('refuses %s by default, before any request', async (label, parameters, route) => {
		const before = env.emu.counters.get(route);
		const { error } = await runAsTool({ ...(parameters as IDataObject), instanceId: freshInstance() } as INodeParameters);
		expect(error?.message).toBe(`${label} is not allowed when the Altinn node is used as an AI agent's tool`);
		expect(error?.description).toMatch(/Allow Destructive Operations as Tool/);
		expect(env.emu.counters.get(route)).toBe(before);
	});

	it('runs a destructive operation when the workflow allows it', async () => {
		const id = freshInstance();
		const model = (env.emu.world.instances.get(id)?.instance.data as IDataObject[])[0];
		const { json, error } = await runAsTool({
			...instanceOperation('dataElement')('delete', id, { dataElementId: model.id }),
			requestOptions: { allowDestructiveAsTool: true },
		} as INodeParameters);
		expect(error).toBeUndefined();
		expect(json[0]).toMatchObject({ deleted: true, id: model.id });
	});

	it('leaves the same operations alone when the node is not a tool', async () => {
		const id = freshInstance();
		const { error } = await env.run(instanceOperation('process')('next', id));
		expect(error).toBeUndefined();
	});
});
