/** The errors the trigger raises itself, and the wrapping of any other failure. */
import type { INode, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { statusOf, type TriggerApi } from './api';
import { appIdOf, type TriggerSettings } from './settings';

/** Errors from the transport are already NodeApiErrors with a message for the user; anything else is wrapped. */
export function asNodeError(ctx: { getNode(): INode }, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error);
}

/** Runs a read, turning its failure into the node error the user sees. */
export async function orFail<T>(ctx: IPollFunctions, read: () => Promise<T>): Promise<T> {
	let failure: unknown;
	try {
		return await read();
	} catch (error) {
		failure = error;
	}
	throw asNodeError(ctx, failure);
}

/** The first page of a listing, or undefined when it is empty. */
export async function firstPage<T>(ctx: IPollFunctions, pages: AsyncIterable<T[]>): Promise<T[] | undefined> {
	return await orFail(ctx, async () => {
		for await (const page of pages) return page;
		return undefined;
	});
}

/** The first record of a listing, or undefined when it is empty. */
export async function firstOrFail<T>(ctx: IPollFunctions, pages: AsyncIterable<T[]>): Promise<T | undefined> {
	return (await firstPage(ctx, pages))?.[0];
}

/** Storage answers 404 for an app it does not know; say so before polling an empty list forever. */
export async function checkAppExists(ctx: IPollFunctions, api: TriggerApi, s: TriggerSettings): Promise<void> {
	let failure: unknown;
	try {
		await api.getApplication(s.org, s.app);
		return;
	} catch (error) {
		failure = error;
	}
	if (statusOf(failure) === 404) {
		throw new NodeOperationError(ctx.getNode(), `Altinn has no app "${appIdOf(s)}" in this environment`, {
			description:
				'Check Org and App (the app ID is org/app, e.g. ttd/my-app) and that the credential points at the environment (TT02 or production) where the app is deployed.',
		});
	}
	throw asNodeError(ctx, failure);
}
