/**
 * Application operations and the pickers that feed on them, through real n8n-core executions
 * (and the node's list search / load options) against the emulator.
 */
import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { Altinn } from '../nodes/Altinn/Altinn.node';
import { useAltinnEnv } from './support/altinnNode';

const env = useAltinnEnv();

afterEach(() => env.emu.faults.clear());

describe('Application > Get Metadata', () => {
	it("returns the app's data types, allowed content types and max sizes", async () => {
		const { json, items } = await env.run({ resource: 'application', operation: 'getMetadata', org: 'ttd', app: { __rl: true, mode: 'list', value: 'demo-app' } });
		expect(json).toHaveLength(1);
		expect(json[0].id).toBe('ttd/demo-app');
		const attachment = (json[0].dataTypes as Array<{ id: string; maxSize?: number; allowedContentTypes?: string[] }>).find((d) => d.id === 'attachment');
		expect(attachment?.maxSize).toBe(10);
		expect(attachment?.allowedContentTypes).toContain('application/pdf');
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('takes the app from a pasted URL', async () => {
		const { json } = await env.run({
			resource: 'application',
			operation: 'getMetadata',
			org: 'ttd',
			app: { __rl: true, mode: 'url', value: `${env.emu.url}/ttd/quiet-app` },
		});
		expect(json[0].id).toBe('ttd/quiet-app');
	});

	it('says which app was not found', async () => {
		const { error } = await env.run({ resource: 'application', operation: 'getMetadata', org: 'ttd', app: { __rl: true, mode: 'id', value: 'no-such-app' } });
		expect(error?.message).toMatch(/app ttd\/no-such-app/);
	});

	it('retries a 503 on metadata (safe to repeat)', async () => {
		env.emu.faults.add({ route: 'app.metadata', status: 503 });
		const { error } = await env.run({ resource: 'application', operation: 'getMetadata', org: 'ttd', app: { __rl: true, mode: 'id', value: 'demo-app' } });
		expect(error).toBeUndefined();
	});
});

describe('Application > List', () => {
	it("lists an org's apps, one item each", async () => {
		const { json, items } = await env.run({ resource: 'application', operation: 'list', org: 'ttd' });
		expect(json.map((j) => j.id)).toEqual(expect.arrayContaining(['ttd/demo-app', 'ttd/quiet-app', 'ttd/strict-app']));
		expect(items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('limits the result', async () => {
		const { json } = await env.run({ resource: 'application', operation: 'list', org: 'ttd', returnAll: false, limit: 2 });
		expect(json).toHaveLength(2);
	});
});

describe('pickers', () => {
	/** A minimal load-options context over the real credential and transport. */
	function loadOptionsContext(parameters: Record<string, unknown>): ILoadOptionsFunctions {
		const node = { id: 'n', name: 'Altinn', type: 'n8n-nodes-altinn.altinn', typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
		return {
			getNode: () => node,
			getCurrentNodeParameter: (name: string) => {
				const value = parameters[name];
				return value && typeof value === 'object' && 'value' in (value as object) ? (value as { value: unknown }).value : value;
			},
			getCredentials: async () => ({ environment: 'custom', ...env.emu.credentialUrls }),
			helpers: {
				httpRequestWithAuthentication: async (_type: string, options: { url: string; method: string; headers?: Record<string, string> }) => {
					const res = await fetch(options.url, { method: options.method, headers: options.headers });
					return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) };
				},
			},
		} as unknown as ILoadOptionsFunctions;
	}

	it('lists the apps of the org, filtered', async () => {
		const node = new Altinn();
		const all = await node.methods.listSearch.searchApps.call(loadOptionsContext({ org: 'ttd' }));
		expect(all.results.map((r) => r.value)).toEqual(['demo-app', 'legacy-app', 'quiet-app', 'strict-app']);
		expect(all.results[0].name).toBe('Demo app (demo-app)');
		const some = await node.methods.listSearch.searchApps.call(loadOptionsContext({ org: 'ttd' }), 'quiet');
		expect(some.results.map((r) => r.value)).toEqual(['quiet-app']);
		expect((await node.methods.listSearch.searchApps.call(loadOptionsContext({ org: '' }))).results).toEqual([]);
	});

	it('lists the data types of the app', async () => {
		const node = new Altinn();
		const options = await node.methods.loadOptions.getDataTypes.call(loadOptionsContext({ org: 'ttd', app: { value: 'demo-app' } }));
		expect(options.map((o) => o.value)).toEqual(['attachment', 'model']);
		expect(options[0].description).toBe('attachment · application/pdf, image/png, text/plain · max 10 MB · task Task_1');
		expect(options[1].description).toContain('form data');
	});
});
