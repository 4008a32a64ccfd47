/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console */
/**
 * Case 4: a large data element downloaded into n8n's binary store (filesystem mode) and uploaded
 * from it, against `curl` on the same emulator (curl writes to / reads from a file). Prints time,
 * ratio and RSS growth; checks the bytes arrive whole (counts, not times).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { IBinaryData, IDataObject } from 'n8n-workflow';

import { generatedStream } from '../../test/emulator/blobs';
import { useBinaryDataMode } from '../../test/harness';
import { storedToken, type AltinnEnv } from './env';
import { expectCount, ratio, table } from './measure';

const MB = 1024 * 1024;

/** Wall time and the growth of peak RSS over RSS at the start (sampled every 10 ms). */
async function measureRss<T>(fn: () => Promise<T>): Promise<{ ms: number; rssMb: number; value: T }> {
	const base = process.memoryUsage().rss;
	let peak = base;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
	const start = performance.now();
	try {
		const value = await fn();
		return { ms: performance.now() - start, rssMb: (Math.max(peak, process.memoryUsage().rss) - base) / MB, value };
	} finally {
		clearInterval(timer);
	}
}

/** curl in its own process; the emulator answers it from this process, as it answers the node. */
async function curl(args: string[]): Promise<number> {
	const start = performance.now();
	// spawnSync would block the emulator in this process: run curl asynchronously.
	const { spawn } = await import('node:child_process');
	await new Promise<void>((resolve, reject) => {
		const child = spawn('curl', ['-sS', '--fail', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl exited with ${code}`))));
	});
	return performance.now() - start;
}

export async function benchFiles(env: AltinnEnv, sizeMb: number): Promise<void> {
	const size = sizeMb * MB;
	console.log(`\n4. A ${sizeMb} MB data element, filesystem binary mode, against curl on the same emulator`);
	try {
		await curl(['--version', '-o', '/dev/null']);
	} catch {
		console.log('   skipped: curl is not installed');
		return;
	}
	const binaryData = await useBinaryDataMode('filesystem');
	const dir = mkdtempSync(path.join(tmpdir(), 'altinn-bench-'));
	try {
		env.emu.world.applications.get('ttd/demo-app')?.dataTypes.push({ id: 'large', allowedContentTypes: ['application/octet-stream'] });
		const rec = env.emu.world.createInstance({ appId: 'ttd/demo-app', partyId: env.seed.parties.org.partyId });
		const id = rec.instance.id as string;
		const { element } = env.emu.world.addGeneratedDataElement(rec, { dataType: 'large', size, seed: 3, filename: 'stor.bin' });
		await env.run({ resource: 'dataElement', operation: 'list', instanceId: id }); // warm-up and a stored token
		const token = storedToken(env);
		const auth = ['-H', `Authorization: Bearer ${token}`];

		const file = path.join(dir, 'curl.bin');
		const curlDown = await curl([...auth, '-o', file, `${env.emu.url}/storage/api/v1/instances/${id}/data/${element.id as string}`]);
		const curlBytes = statSync(file).size;
		const appUrl = `${env.emu.url}/ttd/demo-app/instances/${id}/data?dataType=large`;
		const curlUp = await curl([...auth, '-H', 'Content-Type: application/octet-stream', '-H', 'Content-Disposition: attachment; filename="curl.bin"', '-H', 'Expect:', '-X', 'POST', '-T', file, '-o', '/dev/null', appUrl]);
		// Deleting curl's file drops its unwritten pages, so the node's run does not pay for them.
		rmSync(file);
		const down = await measureRss(async () => {
			const run = await env.run({ resource: 'dataElement', operation: 'download', instanceId: id, dataElementId: element.id as string, binaryPropertyName: 'file' });
			if (run.error) throw new Error(`download failed: ${run.error.message}`);
			return run.items[0].binary?.file as IBinaryData;
		});
		const stored = await binaryData.service.store(
			{ type: 'execution', workflowId: 'bench', executionId: 'bench-upload' },
			generatedStream(size, 3),
			{ fileName: 'opp.bin', mimeType: 'application/octet-stream', data: '' } as IBinaryData,
		);
		const up = await measureRss(async () => {
			const run = await env.run(
				{ resource: 'dataElement', operation: 'upload', org: 'ttd', app: { __rl: true, mode: 'list', value: 'demo-app' }, instanceId: id, dataType: 'large' },
				{ items: [{ json: {}, binary: { data: stored } }] },
			);
			if (run.error) throw new Error(`upload failed: ${run.error.message}`);
			return run.json[0] as IDataObject;
		});
		table(
			['', 'curl (anchor)', 'Altinn node', 'ratio', 'RSS growth'],
			[
				['download into the binary store', `${curlDown.toFixed(0)} ms`, `${down.ms.toFixed(0)} ms`, ratio(down.ms, curlDown), `${down.rssMb.toFixed(0)} MB`],
				['upload from the binary store', `${curlUp.toFixed(0)} ms`, `${up.ms.toFixed(0)} ms`, ratio(up.ms, curlUp), `${up.rssMb.toFixed(0)} MB`],
			],
		);
		expectCount('bytes curl downloaded', curlBytes, size);
		expectCount('bytes in the binary store', Number(down.value.bytes ?? (await binaryData.service.getMetadata(down.value.id as string)).fileSize), size);
		expectCount('bytes the app received', Number(up.value.size), size);
	} finally {
		rmSync(dir, { recursive: true, force: true });
		await binaryData.cleanup();
	}
}
