/* eslint-disable no-console */
/**
 * Case 5: the Altinn Trigger catching up on a backlog of instance changes: polls, requests,
 * time, and that each instance is emitted exactly once.
 */
import { AltinnTrigger } from '../../nodes/AltinnTrigger/AltinnTrigger.node';
import { Poller } from '../../test/harness';
import type { AltinnEnv } from './env';
import { expectCount, measure, table } from './measure';

const APP = 'ttd/quiet-app';

export async function benchTriggerCatchUp(env: AltinnEnv, count: number): Promise<void> {
	console.log(`\n5. Trigger catch-up: a backlog of ${count} changed instances, default settings`);
	for (const [id, rec] of env.emu.world.instances) if (rec.instance.appId === APP) env.emu.world.instances.delete(id);
	const base = Date.now() - 86_400_000;
	env.emu.world.createInstances(count, { appId: APP, partyId: env.seed.parties.org.partyId, lastChanged: (i) => base + Math.floor(i / 3) });
	const poller = new Poller({
		node: {
			name: 'Altinn Trigger',
			type: 'n8n-nodes-altinn.altinnTrigger',
			parameters: { source: 'instanceChanges', org: 'ttd', app: 'quiet-app', startFrom: 'time', startTime: new Date(base - 1000).toISOString(), onlyCompleted: false, notConfirmed: false },
			credentials: { maskinportenApi: 'cred-1' },
		},
		nodeType: new AltinnTrigger(),
		credentials: env.credentials,
		mode: 'trigger',
	});
	env.emu.counters.reset();
	const seen = new Set<string>();
	let duplicates = 0;
	let polls = 0;
	const { ms } = await measure(async () => {
		for (;;) {
			const result = await poller.poll();
			polls++;
			if (result.error) throw result.error;
			for (const json of result.json) {
				const key = String(json.instanceId);
				if (seen.has(key)) duplicates++;
				seen.add(key);
			}
			if (!result.emitted || polls > count) return;
		}
	});
	table(
		['backlog', 'polls', 'requests', 'time', 'instances emitted', 'duplicates'],
		[[count, polls, env.emu.counters.get('requests'), `${ms.toFixed(0)} ms`, seen.size, duplicates]],
	);
	expectCount('instances emitted', seen.size, count);
	expectCount('instances emitted twice', duplicates, 0);
}
