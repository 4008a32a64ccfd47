/**
 * Process operations of the Altinn node (get state, next, complete process) through real n8n-core
 * executions against the emulator, including the app's validation issues on a 409.
 */
import type { IDataObject } from 'n8n-workflow';

import { appValue, instanceOperation, useAltinnEnv } from './support/altinnNode';

const env = useAltinnEnv();

const strictApp = appValue('strict-app');
const processParams = instanceOperation('process');
const currentTask = (json: IDataObject) => (json.currentTask as IDataObject | undefined)?.elementId;

/** A fresh demo-app instance at Task_1 (form data filled in). */
function freshDemoInstance(): string {
	const party = env.seed.parties.org.partyId;
	return env.emu.world.createInstance({ appId: 'ttd/demo-app', partyId: party, formData: { Skjema: { Navn: 'Kari' } } }).instance.id as string;
}

describe('Process > Get State', () => {
	it("returns the current task and what the service owner may do in it", async () => {
		const { json, items } = await env.run(processParams('getState', env.seed.instances.active));
		expect(json).toHaveLength(1);
		expect(currentTask(json[0])).toBe('Task_1');
		expect((json[0].currentTask as IDataObject).actions).toEqual({ write: true });
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});
});

describe('Process > Next', () => {
	it('moves a data task on to the next task', async () => {
		const id = freshDemoInstance();
		const { json } = await env.run(processParams('next', id));
		expect(currentTask(json[0])).toBe('Task_2');
		expect(env.emu.world.instances.get(id)?.instance.process.currentTask.elementId).toBe('Task_2');
	});

	it('sends the given action', async () => {
		const id = freshDemoInstance();
		const { json } = await env.run(processParams('next', id, { action: 'write' }));
		expect(currentTask(json[0])).toBe('Task_2');
	});

	it("shows the app's validation issues readably on a 409, and sends it only once", async () => {
		const before = env.emu.counters.get('route.app.process.next');
		const { error } = await env.run(processParams('next', env.seed.instances.strict, { app: strictApp }));
		expect(error?.httpCode).toBe('409');
		expect(error?.message).toBe(
			`Altinn refused the change to the process of instance ${env.seed.instances.strict} because of its state (409 Conflict): Validation failed for task: 2 validation errors found for task Task_1`,
		);
		expect(error?.description).toContain('Validation issues:');
		expect(error?.description).toContain('- Error: TooFewDataElementsOfType (field attachment, code TooFewDataElementsOfType)');
		expect(error?.description).toMatch(/- Error: Field Skjema\.Navn is required \(field Skjema\.Navn, code required, data element [0-9a-f-]{36}\)/);
		expect(env.emu.counters.get('route.app.process.next')).toBe(before + 1);
		expect(env.emu.world.instances.get(env.seed.instances.strict)?.instance.process.currentTask.elementId).toBe('Task_1');
	});

	it('explains a 403 on a task the service owner may not move (confirmation)', async () => {
		const { error } = await env.run(processParams('next', env.seed.instances.awaitingConfirmation));
		expect(error?.httpCode).toBe('403');
		expect(error?.message).toBe(`Altinn refused access to the process of instance ${env.seed.instances.awaitingConfirmation} (403 Forbidden)`);
		expect(error?.description).toContain('User is not authorized to perform process next');
		expect(error?.description).toContain('Action: confirm.');
		expect(error?.description).toContain("the app's authorization policy does not grant the service owner this action");
	});

	it('gives one error item per failed input with continueOnFail', async () => {
		const ok = freshDemoInstance();
		const { json, items } = await env.run(processParams('next', '={{ $json.id }}'), {
			items: [{ json: { id: ok } }, { json: { id: 'not-an-instance' } }],
			continueOnFail: true,
		});
		expect(currentTask(json[0])).toBe('Task_2');
		expect(json[1].error).toBe('Instance ID "not-an-instance" is not an instance ID');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});

describe('Process > Complete Process', () => {
	it('ends the process of an instance whose tasks the service owner may complete', async () => {
		env.emu.world.applications.get('ttd/demo-app')!.extraOrgActions = ['confirm'];
		try {
			const id = freshDemoInstance();
			const { json } = await env.run(processParams('completeProcess', id));
			expect(json[0].ended).toBeTruthy();
			expect(json[0].currentTask).toBeUndefined();
			expect(env.emu.world.instances.get(id)?.instance.status.isArchived).toBe(true);
		} finally {
			delete env.emu.world.applications.get('ttd/demo-app')!.extraOrgActions;
		}
	});

	it('says a process that has ended cannot be completed again', async () => {
		const { error } = await env.run(processParams('completeProcess', env.seed.instances.archived));
		expect(error?.httpCode).toBe('409');
		expect(error?.message).toContain('Process is ended. It cannot be restarted.');
	});
});
