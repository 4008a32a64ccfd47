/**
 * The Altinn calls the trigger makes, as one small interface. `altinnTriggerApi` implements it on
 * the Altinn node's transport (the only code that speaks HTTP to Altinn); tests of the poll logic
 * may implement it directly.
 */
import type { IBinaryData, IDataObject } from 'n8n-workflow';

import type { AppEvent, StorageInstance } from './records';

export type Query = Record<string, string | number | boolean | string[]>;

export interface TriggerApi {
	/** Storage `GET /instances` pages, following `next` until it is absent. */
	instancePages(query: Query): AsyncIterable<StorageInstance[]>;
	/** Events `GET /app/{org}/{app}` pages, following the `next` header until a page is empty. */
	eventPages(org: string, app: string, query: Query): AsyncIterable<AppEvent[]>;
	/** Storage `GET /applications/{org}/{app}` (anonymous; 404 for an unknown app). */
	getApplication(org: string, app: string): Promise<IDataObject>;
	/** Storage `GET /instances/{partyId}/{instanceGuid}`. */
	getInstance(partyId: string, instanceGuid: string): Promise<StorageInstance>;
	/** Downloads one data element (its Storage `selfLinks.platform`) into n8n's binary store. */
	downloadDataElement(instance: StorageInstance, element: IDataObject): Promise<IBinaryData>;
	/** Where the calls go and as whom: the cursor belongs to this environment and client. */
	environment: { platform: string; clientId: string };
	/** Instance URLs for the output's links. */
	links: {
		storage(partyId: string, instanceGuid: string): string;
		app(org: string, app: string, partyId: string, instanceGuid: string): string;
	};
}

/** The HTTP status of a failure from the transport, if it was one. */
export function statusOf(error: unknown): number | undefined {
	const e = error as { httpCode?: unknown; statusCode?: unknown } | undefined;
	const code = Number(e?.httpCode ?? e?.statusCode);
	return Number.isInteger(code) && code > 0 ? code : undefined;
}

