/* eslint-disable @n8n/community-nodes/no-restricted-imports */
import type { ServiceIdentifier } from '@n8n/di';
import type { SsrfProtectionConfig as SsrfConfigType } from '@n8n/config';
import { createRequire } from 'node:module';

/**
 * n8n-core 2.41.1 ships its OWN copies of @n8n/di, @n8n/config and @n8n/backend-network under
 * node_modules/n8n-core/node_modules (the hoisted @n8n/di is an older version). Anything that must
 * reach n8n-core's dependency-injection container (BinaryDataService, SsrfProtectionConfig, …)
 * has to use those copies, resolved here from n8n-core's own location.
 */
const coreRequire = createRequire(require.resolve('n8n-core'));

/** n8n-core's DI container. */
export interface CoreContainer {
	has<T>(type: ServiceIdentifier<T>): boolean;
	get<T>(type: ServiceIdentifier<T>): T;
	set<T>(type: ServiceIdentifier<T>, instance: T): void;
}
export const Container = (coreRequire('@n8n/di') as { Container: CoreContainer }).Container;

export const SsrfProtectionConfig = (
	coreRequire('@n8n/config') as { SsrfProtectionConfig: typeof SsrfConfigType }
).SsrfProtectionConfig;

/** `@n8n/backend-network/proxy` (an `exports` subpath that tsconfig's node10 resolution cannot type). */
export const { ensureHostsBypassProxy } = coreRequire('@n8n/backend-network/proxy') as {
	ensureHostsBypassProxy(hosts: string[]): () => void;
};

/** n8n-core's Logger class (its DI token). */
export const Logger = (coreRequire('@n8n/backend-common') as { Logger: LoggerClass }).Logger;
type LoggerClass = abstract new (...args: unknown[]) => {
	error(message: string, meta?: object): void;
	warn(message: string, meta?: object): void;
	info(message: string, meta?: object): void;
	debug(message: string, meta?: object): void;
};
