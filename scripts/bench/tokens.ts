/* eslint-disable no-console */
/**
 * Case 1: tokens per 1,000 requests over 20 executions, with the credential's cache against a
 * grant + exchange per execution (what a hand-built Code node + HTTP Request flow does).
 */
import { forgetTokens, getInstance, instanceItems, runNode, type AltinnEnv } from './env';
import { expectCount, measure, ratio, table } from './measure';

const EXECUTIONS = 20;

export async function benchTokens(env: AltinnEnv, readsPerExecution: number, latencyMs = 0): Promise<void> {
	const requests = EXECUTIONS * readsPerExecution;
	console.log(`\n1. Tokens: ${EXECUTIONS} executions x ${readsPerExecution} instance reads (${requests} requests), ${latencyMs} ms latency, interleaved`);
	env.emu.knobs.latencyMs = latencyMs;
	await runNode(env, getInstance, instanceItems(env, 1)); // warm-up: module loading, JIT, the first token
	const modes = { cached: { ms: 0, grants: 0, exchanges: 0 }, fresh: { ms: 0, grants: 0, exchanges: 0 } };
	// Alternate the two modes execution by execution, so drifting machine load hits both alike.
	for (let e = 0; e < EXECUTIONS; e++) {
		for (const mode of ['cached', 'fresh'] as const) {
			if (mode === 'fresh') forgetTokens(env); // the cached mode keeps the token the last run stored
			env.emu.counters.reset();
			const { ms } = await measure(async () => await runNode(env, getInstance, instanceItems(env, readsPerExecution)));
			modes[mode].ms += ms;
			modes[mode].grants += env.emu.counters.get('maskinporten.grants');
			modes[mode].exchanges += env.emu.counters.get('authentication.exchanges');
		}
	}
	env.emu.knobs.latencyMs = 0;
	const per1000 = (n: number) => ((n * 1000) / requests).toFixed(1);
	table(
		['mode', 'grants per 1,000 requests', 'exchanges per 1,000 requests', 'time', 'ratio'],
		[
			['grant per execution (anchor)', per1000(modes.fresh.grants), per1000(modes.fresh.exchanges), `${modes.fresh.ms.toFixed(0)} ms`, '1.00x'],
			['credential cache', per1000(modes.cached.grants), per1000(modes.cached.exchanges), `${modes.cached.ms.toFixed(0)} ms`, ratio(modes.cached.ms, modes.fresh.ms)],
		],
	);
	// The cached token outlives the run (Maskinporten 120 s, Altinn 30 min in the emulator).
	expectCount('grants with the credential cache', modes.cached.grants, 0);
	expectCount('grants with a grant per execution', modes.fresh.grants, EXECUTIONS);
}
