/**
 * The bench's one environment: the emulator, the real credential and the Altinn node through
 * n8n-core (test/support/altinnNode), plus the inputs the cases share.
 */
import type { INodeExecutionData } from 'n8n-workflow';

// The test environment first: it loads the node before the credential domain, in the order n8n does.
import { startAltinnEnv, type AltinnEnv } from '../../test/support/altinnNode';
import { clearTokenCache } from '../../credentials/maskinporten';

export type { AltinnEnv };
export { startAltinnEnv };

export const getInstance = { resource: 'instance', operation: 'get', instanceId: '={{ $json.id }}' };

export function instanceItems(env: AltinnEnv, count: number): INodeExecutionData[] {
	return Array.from({ length: count }, () => ({ json: { id: env.seed.instances.active } }));
}

/** Forgets every token: the credential row's and the in-process cache's. */
export function forgetTokens(env: AltinnEnv): void {
	env.credentials.clearExpirable('cred-1');
	clearTokenCache();
}

/** The credential's stored Altinn token (run the node once before). */
export function storedToken(env: AltinnEnv): string {
	return String(env.credentials.getStoredData('cred-1').accessToken);
}

/** Runs the node; throws when it fails or returns another number of items than `expected`. */
export async function runNode(env: AltinnEnv, parameters: Parameters<AltinnEnv['run']>[0], items: INodeExecutionData[], expected = items.length) {
	const run = await env.run(parameters, { items });
	if (run.error || run.items.length !== expected) throw new Error(`execution failed: ${run.error?.message ?? `${run.items.length} items`}`);
	return run;
}
