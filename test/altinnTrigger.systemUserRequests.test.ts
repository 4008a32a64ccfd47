/**
 * The Altinn Trigger's "System user requests" source through n8n-core's real PollContext (harness
 * `Poller`) against the emulator: each customer decision is emitted exactly once, across polls,
 * restarts (static data as n8n saved it) and failed polls.
 */
import type { IDataObject } from 'n8n-workflow';

import { AltinnTrigger } from '../nodes/AltinnTrigger/AltinnTrigger.node';
import { Poller } from './harness';
import { createRequest, CUSTOMERS, registerSystem, SYSTEM_ID, useVendorEnv } from './support/vendor';

const env = useVendorEnv();

const poller = (opts: { staticData?: IDataObject; durable?: boolean; mode?: 'trigger' | 'manual'; kinds?: string[] } = {}) =>
	new Poller({
		node: {
			name: 'Altinn Trigger',
			type: 'n8n-nodes-altinn.altinnTrigger',
			parameters: { source: 'systemUserRequests', systemId: SYSTEM_ID, requestKinds: opts.kinds ?? ['standard'] },
			credentials: { maskinportenApi: 'cred-vendor' },
		},
		nodeType: new AltinnTrigger(),
		credentials: env.credentials,
		staticData: opts.staticData,
		mode: opts.mode ?? 'trigger',
		durableCursor: opts.durable,
	});

/** How often each request id was emitted over the whole run. */
const emitted = new Map<string, number>();
const record = (json: IDataObject[]) => {
	for (const item of json) emitted.set(String(item.id), (emitted.get(String(item.id)) ?? 0) + 1);
	return json;
};
const requestIds: Record<string, string> = {};

beforeAll(async () => {
	expect((await env.vendor(registerSystem())).error).toBeUndefined();
	for (const customer of CUSTOMERS.slice(0, 5)) {
		const { json, error } = await env.vendor(createRequest(customer));
		expect(error).toBeUndefined();
		requestIds[customer] = String(json[0].id);
	}
});

describe('System user requests source', () => {
	it('emits each decision exactly once, across polls, a restart and a failed poll', async () => {
		const [c1, c2, c3, c4] = CUSTOMERS;
		const first = poller();
		// Nothing decided yet.
		expect((await first.poll()).emitted).toBe(false);

		await env.decide(requestIds[c1], 'approve');
		await env.decide(requestIds[c2], 'reject');
		const decided = await first.poll();
		expect(decided.error).toBeUndefined();
		expect(record(decided.json).map((j) => [j.partyOrgNo, j.status]).sort()).toEqual([
			[c1, 'Accepted'],
			[c2, 'Rejected'],
		]);
		expect(decided.json[0]).toHaveProperty('confirmUrl');
		expect((await first.poll()).emitted).toBe(false);

		// Restart: a new workflow from the static data n8n saved.
		const restarted = poller({ staticData: first.persistedStaticData });
		expect((await restarted.poll()).emitted).toBe(false);
		await env.decide(requestIds[c3], 'approve');
		const third = await restarted.poll();
		expect(record(third.json).map((j) => j.partyOrgNo)).toEqual([c3]);

		// A failed poll emits nothing and loses nothing. (A status the transport does not retry: a 500 to a
		// GET is retried inside the request and would not fail the poll.)
		await env.decide(requestIds[c4], 'reject');
		env.emu.faults.add({ route: 'systemuser.request.bysystem', status: 403, times: 1 });
		const failed = await restarted.poll();
		expect(failed.error?.message).toContain('system user requests of');
		expect(failed.emitted).toBe(false);
		const fourth = await restarted.poll();
		expect(record(fourth.json).map((j) => j.partyOrgNo)).toEqual([c4]);

		// Another restart from what was saved last: nothing again.
		expect((await poller({ staticData: restarted.persistedStaticData }).poll()).emitted).toBe(false);
		expect([...emitted.entries()].sort()).toEqual([c1, c2, c3, c4].map((c) => [requestIds[c], 1]).sort());
	});

	it("with n8n 2.41's durable cursor: a restart after emitting neither repeats nor loses", async () => {
		const c5 = CUSTOMERS[4];
		const durable = poller({ durable: true });
		const seen = await durable.poll();
		// A fresh state (no static data): earlier decisions are emitted once, as they were never emitted by this trigger.
		expect(seen.json.map((j) => j.status).every((s) => s !== 'New')).toBe(true);
		expect(seen.json).toHaveLength(4);
		await env.decide(requestIds[c5], 'approve');
		const again = poller({ durable: true, staticData: durable.persistedStaticData });
		const next = await again.poll();
		expect(next.json.map((j) => j.partyOrgNo)).toEqual([c5]);
		expect((await poller({ durable: true, staticData: again.persistedStaticData }).poll()).emitted).toBe(false);
	});

	it('Fetch Test Event shows the newest decided request and stores nothing', async () => {
		const manual = poller({ mode: 'manual' });
		const result = await manual.poll();
		expect(result.json).toHaveLength(1);
		expect(result.json[0].status).not.toBe('New');
		expect(result.nodeStaticData).toEqual({});
	});

	it('names a malformed System ID', async () => {
		const bad = new Poller({
			node: { name: 'Altinn Trigger', type: 'n8n-nodes-altinn.altinnTrigger', parameters: { source: 'systemUserRequests', systemId: 'nope' }, credentials: { maskinportenApi: 'cred-vendor' } },
			nodeType: new AltinnTrigger(),
			credentials: env.credentials,
		});
		expect((await bad.poll()).error?.message).toBe('System ID "nope" is not a system register ID');
	});
});
