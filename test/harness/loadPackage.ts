/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals */
import { PackageDirectoryLoader } from 'n8n-core';
import type { ICredentialType } from 'n8n-workflow';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { TestCredentialsHelper } from './credentialsHelper';
import { TestNodeTypes } from './nodeTypes';

/** The repository root (where package.json is). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

export interface PackageBuildStatus {
	built: boolean;
	/** Files listed in package.json `n8n.nodes` / `n8n.credentials` that do not exist. */
	missing: string[];
	/** Why loading would be skipped, for a `describe.skip` title. */
	reason?: string;
}

/** Whether `npm run build` has produced every file package.json's `n8n` section points at. */
export function packageBuildStatus(root = PACKAGE_ROOT): PackageBuildStatus {
	const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const listed = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = listed.filter((file) => !existsSync(path.join(root, file)));
	const built = listed.length > 0 && missing.length === 0;
	return {
		built,
		missing,
		reason: built
			? undefined
			: `package not built (run \`npm run build\`); missing: ${missing.join(', ') || 'n8n entries'}`,
	};
}

export interface LoadedPackage {
	loader: PackageDirectoryLoader;
	packageName: string;
	/** The loaded node classes, ready for runWorkflow/runPoll (what n8n would run). */
	nodeTypes: TestNodeTypes;
	/** The loaded credential classes. */
	credentialTypes: ICredentialType[];
	/** A credentials helper over the loaded credential types. */
	credentialsHelper(): TestCredentialsHelper;
	/** The file behind an `iconUrl` the loader produced (`icons/<package>/<path>`). */
	iconFile(iconUrl: string): string;
}

/**
 * Loads the BUILT package with n8n-core's real PackageDirectoryLoader, exactly as n8n loads a
 * community package: package.json `n8n` paths, class names = file names, icons, codex (.node.json),
 * `supportedNodes` of credentials. Throws if the package is not built (check `packageBuildStatus`).
 */
export async function loadPackage(root = PACKAGE_ROOT): Promise<LoadedPackage> {
	const status = packageBuildStatus(root);
	if (!status.built) throw new Error(status.reason);
	const loader = new PackageDirectoryLoader(root);
	await loader.loadAll();
	const nodeTypes = new TestNodeTypes();
	for (const { type } of Object.values(loader.nodeTypes)) nodeTypes.add(type, { loaded: true });
	const credentialTypes = Object.values(loader.credentialTypes).map(({ type }) => type);
	return {
		loader,
		packageName: loader.packageName,
		nodeTypes,
		credentialTypes,
		credentialsHelper: () => new TestCredentialsHelper(credentialTypes),
		iconFile: (iconUrl: string) =>
			path.join(root, iconUrl.replace(`icons/${loader.packageName}/`, '')),
	};
}

/** `describe` when the package is built, else `describe.skip` with the reason in the title. */
export function describeIfBuilt(name: string, fn: () => void): void {
	const status = packageBuildStatus();
	if (status.built) describe(name, fn);
	else describe.skip(`${name} [skipped: ${status.reason}]`, fn);
}
