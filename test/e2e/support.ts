/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error */
/**
 * One real n8n for an e2e test file: the cached install and user folder prepared by globalSetup
 * (scripts/n8n/prepare-e2e.mjs), its CLI (`import:*`, `execute`, `publish:workflow`) and `n8n start` with
 * an owner logged in over the REST API.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rt = require('../../scripts/lib/n8n-runtime.cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { e2eWorkDir } = require('./workDir') as { e2eWorkDir: string };

export interface E2eContext {
	version: string;
	dir: string;
	bin: string;
	node: { binDir: string; nodeBin: string };
	userFolder: string;
}

export interface RestClient {
	url: string;
	call(method: string, p: string, body?: unknown): Promise<{ status: number; json: any; text: string }>; // eslint-disable-line @typescript-eslint/no-explicit-any
	ok(method: string, p: string, body?: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const repoRoot = path.resolve(__dirname, '..', '..');

export function readContext(): E2eContext {
	return JSON.parse(readFileSync(path.join(e2eWorkDir, 'context.json'), 'utf8')) as E2eContext;
}

/** `IRun` as `n8n execute --rawOutput` prints it (only what the tests read). */
export interface RunJson {
	finished?: boolean;
	status?: string;
	data: {
		resultData: {
			error?: { message: string; description?: string };
			lastNodeExecuted?: string;
			runData: Record<
				string,
				Array<{
					error?: { message: string; description?: string };
					data?: { main: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, Record<string, unknown>> }> | null> };
				}>
			>;
		};
	};
}

export class N8n {
	readonly ctx = readContext();
	readonly logFile = path.join(e2eWorkDir, 'n8n.log');
	env: Record<string, string> = {};
	server?: { url: string; stop(): Promise<void>; output(): string };
	rest?: RestClient;
	private tmp = mkdtempSync(path.join(tmpdir(), 'altinn-e2e-'));

	async init(): Promise<void> {
		const port = await rt.freePort();
		this.env = rt.n8nEnv({ node: this.ctx.node, userFolder: this.ctx.userFolder, port, brokerPort: await rt.freePort() });
	}

	async cli(args: string[], timeoutMs = 180_000): Promise<{ code: number; stdout: string; stderr: string }> {
		return await rt.runCli(this.ctx, this.env, args, { timeoutMs, logFile: this.logFile });
	}

	async importCredentials(creds: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>): Promise<void> {
		const file = path.join(this.tmp, 'credentials.json');
		writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
		const r = await this.cli(['import:credentials', `--input=${file}`]);
		writeFileSync(file, '[]');
		if (r.code !== 0) throw new Error(`import:credentials failed:\n${rt.tail(r.stdout + r.stderr)}`);
	}

	async importWorkflows(workflows: unknown[]): Promise<void> {
		const file = path.join(this.tmp, 'workflows.json');
		writeFileSync(file, JSON.stringify(workflows));
		const r = await this.cli(['import:workflow', `--input=${file}`]);
		if (r.code !== 0) throw new Error(`import:workflow failed:\n${rt.tail(r.stdout + r.stderr)}`);
	}

	/** `n8n execute --id=<id> --rawOutput`; returns the run (or throws with n8n's output). */
	async execute(id: string): Promise<{ run: RunJson; stdout: string; stderr: string; code: number }> {
		const r = await this.cli(['execute', `--id=${id}`, '--rawOutput']);
		let run: RunJson;
		try {
			run = rt.parseRawOutput(r.stdout) as RunJson;
		} catch {
			throw new Error(`n8n execute --id=${id} gave no run (exit ${r.code}):\n${rt.tail(r.stdout)}\n${rt.tail(r.stderr)}`);
		}
		return { run, ...r };
	}

	async start(): Promise<RestClient> {
		this.server = await rt.startServer(this.ctx, this.env, { logFile: this.logFile });
		const rest = new rt.Rest(this.server!.url);
		await rest.ownerLogin();
		this.rest = rest as RestClient;
		return this.rest;
	}

	async stop(): Promise<void> {
		await this.server?.stop();
		this.server = undefined;
	}
}

/** Items a node produced on its first output in its last run. */
export function nodeItems(run: RunJson, nodeName: string): Array<{ json: Record<string, unknown>; binary?: Record<string, Record<string, unknown>> }> {
	const runs = run.data.resultData.runData[nodeName];
	if (!runs?.length) {
		throw new Error(
			`node "${nodeName}" did not run; ran: ${Object.keys(run.data.resultData.runData).join(', ')}; error: ${run.data.resultData.error?.message ?? '-'}`,
		);
	}
	const last = runs[runs.length - 1];
	if (last.error) throw new Error(`node "${nodeName}" failed: ${last.error.message} ${last.error.description ?? ''}`);
	return last.data?.main?.[0] ?? [];
}

/**
 * A poll trigger's Poll Times for a poll every `seconds` (a divisor of 60): n8n allows at most one
 * poll a minute per entry, so it takes one cron entry per offset in the minute.
 */
export function pollEvery(seconds: number): { item: Array<{ mode: string; cronExpression: string }> } {
	return { item: Array.from({ length: 60 / seconds }, (_, i) => ({ mode: 'custom', cronExpression: `${i * seconds} * * * * *` })) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until fn returns a truthy value (or throw after timeoutMs). */
export async function waitFor<T>(
	fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
	timeoutMs: number,
	what: string,
	everyMs = 500,
): Promise<T> {
	const started = Date.now();
	for (;;) {
		const v = await fn();
		if (v) return v as T;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
		await sleep(everyMs);
	}
}
