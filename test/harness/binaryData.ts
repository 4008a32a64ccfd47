/* eslint-disable @n8n/community-nodes/no-restricted-imports */
import type { ErrorReporter } from 'n8n-core';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Container } from './n8nInternals';
import { removeWhenDone } from './runtime';

/**
 * Where `this.helpers.prepareBinaryData` puts bytes:
 * - `inline`: base64 in `binary.data` (a BinaryDataService that was never `init()`-ed, the way
 *   n8n's own node test harness keeps data inline);
 * - `filesystem`: n8n-core's real filesystem store (`N8N_DEFAULT_BINARY_DATA_MODE=filesystem`, the
 *   default of a regular n8n 2.x install): streams are written to disk, items carry
 *   `id: 'filesystem-v2:workflows/<wf>/executions/<exec>/binary_data/<uuid>'` and `data: 'filesystem-v2'`.
 */
export type BinaryDataMode = 'inline' | 'filesystem';

export interface BinaryDataSetup {
	mode: BinaryDataMode;
	/** The `N8N_BINARY_DATA_STORAGE_PATH` in use (filesystem mode only). */
	storagePath?: string;
	service: BinaryDataService;
	/** Restores inline mode and deletes the temporary storage directory. */
	cleanup(): Promise<void>;
}

const silentLogger = {
	error() {},
	warn() {},
	info() {},
	debug() {},
	scoped() {
		return silentLogger;
	},
};

/** ErrorReporter stand-in: rethrow nothing, report nothing (the real one needs Sentry setup). */
const silentErrorReporter = {
	error() {},
	warn() {},
	info() {},
} as unknown as ErrorReporter;

/**
 * A plain BinaryDataConfig object. Building the real class through DI would construct
 * InstanceSettings, which creates `~/.n8n/config` with an encryption key; we avoid touching $HOME.
 */
function binaryDataConfig(mode: 'default' | 'filesystem', localStoragePath: string): BinaryDataConfig {
	return {
		mode,
		availableModes: ['filesystem'],
		localStoragePath,
		signingSecret: 'test-binary-data-signing-secret',
		dbMaxFileSize: 512,
	} as unknown as BinaryDataConfig;
}

let current: InstalledSetup | undefined;

/**
 * Installs a BinaryDataService in n8n's DI container (the one n8n-core's binary helpers use via
 * `Container.get(BinaryDataService)`). Global: it stays in effect until the next call or `cleanup()`.
 * Filesystem mode uses a fresh temporary directory unless `storagePath` is given.
 */
export async function useBinaryDataMode(
	mode: BinaryDataMode,
	options: { storagePath?: string } = {},
): Promise<BinaryDataSetup> {
	if (current?.mode === mode && options.storagePath === undefined) return current;
	const previous = current;
	current = undefined;
	if (previous?.ownedDir) rmSync(previous.ownedDir, { recursive: true, force: true });

	const ownedDir =
		mode === 'filesystem' && options.storagePath === undefined
			? mkdtempSync(path.join(tmpdir(), 'altinn-n8n-binary-'))
			: undefined;
	// A test file that never calls cleanup() still leaves no files behind.
	if (ownedDir) removeWhenDone(ownedDir);
	const storagePath = mode === 'filesystem' ? (options.storagePath ?? ownedDir) : undefined;
	const config = binaryDataConfig(mode === 'filesystem' ? 'filesystem' : 'default', storagePath ?? '');
	const service = new BinaryDataService(
		config,
		silentErrorReporter,
		silentLogger as unknown as ConstructorParameters<typeof BinaryDataService>[2],
	);
	if (mode === 'filesystem') await service.init();
	// convertBinaryData (workflow setting binaryMode 'combined') reads the config from DI too.
	Container.set(BinaryDataConfig, config);
	Container.set(BinaryDataService, service);

	const setup: InstalledSetup = {
		mode,
		storagePath,
		service,
		ownedDir,
		async cleanup() {
			if (current === setup) await useBinaryDataMode('inline');
			else if (ownedDir) rmSync(ownedDir, { recursive: true, force: true });
		},
	};
	current = setup;
	return setup;
}

interface InstalledSetup extends BinaryDataSetup {
	ownedDir?: string;
}

/** The mode currently installed (inline until someone asks for filesystem). */
export function currentBinaryDataMode(): BinaryDataMode {
	return current?.mode ?? 'inline';
}
