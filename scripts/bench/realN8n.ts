/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @typescript-eslint/no-require-imports */
/**
 * A real n8n for the bench: the e2e suite's cached n8n (scripts/n8n/ensure-n8n.mjs, the pinned 2.41.1)
 * with this package installed into the bench's own user folder, started once with `n8n start`.
 * Workflows run through their production webhooks; what each node took is read back from the
 * execution n8n stored (`executionTime` of the node's run data: n8n's own per-node timing), over
 * the REST API the editor uses. So n8n's start-up, the import and the webhook call are not timed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface N8nInstall {
	dir: string;
	bin: string;
	node: { binDir: string; nodeBin: string };
}

// The e2e suite's own scripts (ES modules; Node >= 22 loads them with require).
const { ensureN8n, installDirFor, PINNED_N8N_VERSION } = require('../n8n/ensure-n8n.mjs') as {
	ensureN8n(): Promise<N8nInstall>;
	installDirFor(version: string): string;
	PINNED_N8N_VERSION: string;
};
const { installPackage } = require('../lib/package.mjs') as { installPackage(node: N8nInstall['node'], userFolder: string): unknown };
const rt = require('../lib/n8n-runtime.cjs');

/** One node's run in an execution, as n8n stores it. */
export interface NodeRun {
	executionTime: number;
	error?: { message: string; description?: string };
	data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
}

export interface ExecutionResult {
	status: string;
	runData: Record<string, NodeRun[]>;
}

export interface BenchN8n {
	/** POSTs `body` to the workflow's webhook, then returns the execution n8n stored for that call. */
	run(workflowId: string, webhookPath: string, body: unknown): Promise<ExecutionResult>;
	logFile: string;
	stop(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '..', '..');
/** Outside the repository, as the e2e suite's folder (n8n writes thousands of files there that lint must not see). */
const workDir = path.join(tmpdir(), `n8n-nodes-altinn-bench-${createHash('sha1').update(repoRoot).digest('hex').slice(0, 10)}`);

/** Whether the pinned n8n is in the cache already (installing it takes minutes). */
export function n8nInstalled(): boolean {
	const version = process.env.N8N_VERSION || PINNED_N8N_VERSION;
	return existsSync(path.join(installDirFor(version), '.ready'));
}

/**
 * Installs the pinned n8n when missing, the package into the bench's user folder (rebuilt only
 * when the sources changed), imports the credentials and workflows with n8n's CLI, publishes the
 * workflows and starts n8n. A fresh database each time: nothing from an earlier run is reused.
 */
export async function startBenchN8n(input: {
	credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>;
	workflows: Array<{ id: string }>;
}): Promise<BenchN8n> {
	const n8n = await ensureN8n();
	const userFolder = path.join(workDir, 'n8n-user');
	mkdirSync(userFolder, { recursive: true });
	for (const file of ['database.sqlite', 'database.sqlite-shm', 'database.sqlite-wal']) rmSync(path.join(userFolder, '.n8n', file), { force: true });
	installPackage(n8n.node, userFolder);
	const logFile = path.join(workDir, 'n8n.log');
	rmSync(logFile, { force: true });
	const env = rt.n8nEnv({ node: n8n.node, userFolder, port: await rt.freePort(), brokerPort: await rt.freePort(), extra: { N8N_LOG_LEVEL: 'warn' } });

	const credFile = path.join(workDir, 'credentials.json');
	writeFileSync(credFile, JSON.stringify(input.credentials), { mode: 0o600 });
	try {
		await rt.cli(n8n, env, ['import:credentials', `--input=${credFile}`], { logFile });
	} finally {
		writeFileSync(credFile, '[]'); // the private key stays in n8n's (encrypted) database only
	}
	const wfFile = path.join(workDir, 'workflows.json');
	writeFileSync(wfFile, JSON.stringify(input.workflows));
	await rt.cli(n8n, env, ['import:workflow', `--input=${wfFile}`], { logFile });
	for (const { id } of input.workflows) await rt.cli(n8n, env, ['publish:workflow', `--id=${id}`], { logFile });

	// BENCH_N8N_CPU_PROF=<dir>: n8n writes a CPU profile of its server process there when it stops.
	const profileDir = process.env.BENCH_N8N_CPU_PROF;
	const serverEnv = profileDir ? { ...env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(profileDir)}` } : env;
	const server = await rt.startServer(n8n, serverEnv, { logFile });
	const rest = await new rt.Rest(server.url).ownerLogin();
	// n8n's REST API sends an execution's data in `flatted` form (the editor parses it the same way).
	const flatted = createRequire(path.join(n8n.dir, 'node_modules', 'n8n', 'package.json'))('flatted') as { parse(text: string): unknown };
	const lastExecutionId = async (workflowId: string): Promise<number> => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const list = (await rest.ok('GET', `/rest/executions?filter=${filter}&limit=1`)) as { results: Array<{ id: string; status: string }> };
		return Number(list.results[0]?.id ?? 0);
	};

	return {
		logFile,
		async run(workflowId, webhookPath, body) {
			const before = await lastExecutionId(workflowId);
			// responseMode "lastNode": n8n answers when the execution has finished
			// a connection per call (see the REST client in n8n-runtime.cjs): rounds leave it idle for seconds
			const res = await fetch(`${server.url}/webhook/${webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(body) });
			await res.arrayBuffer();
			if (res.status !== 200) throw new Error(`webhook ${webhookPath} answered ${res.status} (n8n log: ${logFile})`);
			// the execution is saved as it ends, which may be just after the answer
			for (let waited = 0; waited < 60_000; waited += 200) {
				const id = await lastExecutionId(workflowId);
				if (id > before) {
					const execution = (await rest.ok('GET', `/rest/executions/${id}`)) as { status: string; data: string };
					if (['success', 'error', 'crashed'].includes(execution.status)) {
						const data = flatted.parse(execution.data) as { resultData: { runData: Record<string, NodeRun[]> } };
						return { status: execution.status, runData: data.resultData.runData };
					}
				}
				await new Promise((r) => setTimeout(r, 200));
			}
			throw new Error(`no finished execution of ${workflowId} within 60 s (n8n log: ${logFile})`);
		},
		stop: async () => await server.stop(),
	};
}
