/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
import { mkdtempSync } from 'node:fs';
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
 * for stream bodies. Set HARNESS_N8N_LOGS=1 to also print them.
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
	process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'altinn-n8n-home-'));
	Container.set(Logger, new CapturingLogger() as unknown as InstanceType<typeof Logger>);
	allowLoopbackRequests();
}
