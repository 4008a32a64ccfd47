/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Container, Logger } from './n8nInternals';
import { allowLoopbackRequests } from './network';

/** One log line n8n-core wrote through its Logger (Container.get(Logger)). */
export interface N8nLogEntry {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	meta?: unknown;
}

/**
 * What n8n-core logged (node-context `this.logger`, ErrorReporter, WorkflowExecute), kept in
 * memory instead of printed. E.g. 2.41's "was not retried after refreshing the credential" warning
 * for stream bodies. Set HARNESS_N8N_LOGS=1 to also print them (=debug: debug lines too).
 */
export const n8nLogs = {
	entries: [] as N8nLogEntry[],
	clear(): void {
		this.entries.length = 0;
	},
	messages(level?: N8nLogEntry['level']): string[] {
		return this.entries.filter((e) => !level || e.level === level).map((e) => e.message);
	},
};

class CapturingLogger {
	private record(level: N8nLogEntry['level'], message: string, meta?: unknown) {
		// n8n's default N8N_LOG_LEVEL is 'info': debug lines are dropped (and their metadata, which
		// can hold request options, is not retained) unless HARNESS_N8N_LOGS=debug.
		if (level === 'debug' && process.env.HARNESS_N8N_LOGS !== 'debug') return;
		n8nLogs.entries.push({ level, message, meta });
		if (process.env.HARNESS_N8N_LOGS) process.stderr.write(`[n8n ${level}] ${message}\n`);
	}
	error(message: string, meta?: unknown) {
		this.record('error', message, meta);
	}
	warn(message: string, meta?: unknown) {
		this.record('warn', message, meta);
	}
	info(message: string, meta?: unknown) {
		this.record('info', message, meta);
	}
	debug(message: string, meta?: unknown) {
		this.record('debug', message, meta);
	}
	scoped() {
		return this;
	}
}

const tempDirs = new Set<string>();

/** Deletes a temporary directory when the test file ends (or at process exit outside jest). */
export function removeWhenDone(dir: string): void {
	tempDirs.add(dir);
}

function removeTempDirs(): void {
	for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
	tempDirs.clear();
}

/**
 * jest `afterAll` registered while the harness is imported (listeners on jest's sandboxed
 * `process` never see the real exit); plain `exit` outside jest.
 */
function scheduleTempDirRemoval(): void {
	if (typeof afterAll === 'function') {
		try {
			afterAll(removeTempDirs);
			return;
		} catch {
			// imported inside a running test: fall through
		}
	}
	process.once('exit', removeTempDirs);
}

let prepared = false;

/**
 * Makes n8n-core usable in-process for tests. Idempotent; run on import of the harness.
 * - N8N_USER_FOLDER → a temporary directory (unless set), so n8n-core's InstanceSettings (built on
 *   first node execution) writes its `.n8n/config` there and not into $HOME;
 * - n8n-core's Logger → an in-memory capture (`n8nLogs`) instead of console output;
 * - outbound HTTP may reach 127.0.0.1 (see network.ts).
 */
export function prepareN8nRuntime(): void {
	if (prepared) return;
	prepared = true;
	scheduleTempDirRemoval();
	const ours = process.env.HARNESS_N8N_HOME;
	if (process.env.N8N_USER_FOLDER === undefined || process.env.N8N_USER_FOLDER === ours) {
		// (a folder from an earlier test file in the same worker is gone by now: make a new one)
		const home = mkdtempSync(path.join(tmpdir(), 'altinn-n8n-home-'));
		process.env.N8N_USER_FOLDER = home;
		process.env.HARNESS_N8N_HOME = home;
		removeWhenDone(home);
	}
	Container.set(Logger, new CapturingLogger() as unknown as InstanceType<typeof Logger>);
	allowLoopbackRequests();
}
