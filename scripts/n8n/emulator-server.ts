/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports */
/**
 * The demo emulator as a long-running child process of `npm start` (run with ts-node --transpile-only).
 * Port from argv[2] (0 = free), demo key file from argv[3] (created if missing). Sends { url, info, credentialData } to the parent over the IPC channel
 * (the private key never goes to stdout), then serves until the parent goes away.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

import { simulateSubmission } from '../../test/emulator/seed';
import { generateDemoKey, startDemoEmulator, type DemoKey } from './demo';

/** The demo client's key, kept in the (git-ignored) cache so that later starts need no re-import. */
function demoKey(file: string | undefined): DemoKey | undefined {
	if (!file) return undefined;
	if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoKey;
	const key = generateDemoKey();
	writeFileSync(file, JSON.stringify(key), { mode: 0o600 });
	return key;
}

async function main(): Promise<void> {
	const port = Number(process.argv[2] ?? 0);
	const demo = await startDemoEmulator({ port, key: demoKey(process.argv[3]) });
	const message = { type: 'ready', url: demo.emu.url, info: demo.info, credentialData: demo.credentialData };
	// A new completed, unconfirmed submission every minute (ALTINN_DEMO_SUBMISSION_SECONDS, 0 = never), so the
	// download example and the trigger keep having work without restarting npm start.
	const every = Number(process.env.ALTINN_DEMO_SUBMISSION_SECONDS ?? 60);
	if (every > 0) setInterval(() => simulateSubmission(demo.emu.world, demo.info.partyId), every * 1000).unref();
	// The local n8n listens on plain http and a demo should not wait an hour: for the Altinn Events Trigger the demo
	// accepts http endpoints and does not cache subscriptions. Real Altinn does neither (see test/emulator/subscriptions.ts);
	// the tests keep the real defaults.
	demo.emu.knobs.allowHttpEndpoints = true;
	demo.emu.knobs.subscriptionCacheMs = 0;
	if (process.send) process.send(message);
	else process.stdout.write(`emulator ready at ${demo.emu.url}\n`);
	const stop = () => {
		void demo.emu.close().finally(() => process.exit(0));
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	process.on('disconnect', stop);
}

main().catch((error: Error) => {
	process.stderr.write(`emulator failed to start: ${error.message}\n`);
	process.exit(1);
});
