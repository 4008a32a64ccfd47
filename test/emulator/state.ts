/**
 * The emulated Altinn world shared by Storage, the apps and Events: service owners,
 * parties, applications, instances, data blobs and app events. Maskinporten clients live
 * in `maskinporten.ts`, which owns them.
 */

export interface ServiceOwner {
	/** Org code, e.g. `ttd`. */
	code: string;
	orgNumber: string;
	name: string;
}

export interface Party {
	partyId: number;
	orgNumber?: string;
	ssn?: string;
	name: string;
}

export interface DataTypeDef {
	id: string;
	allowedContentTypes?: string[] | null;
	/** Maximum size in MB, as in Altinn application metadata. */
	maxSize?: number | null;
	maxCount?: number;
	minCount?: number;
	taskId?: string;
	/** Present for form data (a data model); absent for attachments. */
	appLogic?: { classRef: string; autoCreate?: boolean } | null;
}

export interface Application {
	id: string; // org/app
	org: string;
	title: Record<string, string>;
	dataTypes: DataTypeDef[];
	partyTypesAllowed?: Record<string, boolean>;
	/** Whether the app publishes events to the Events component (RegisterEventsWithEventsComponent). */
	publishesEvents: boolean;
	/** Ordered task ids of the app's process, e.g. ['Task_1', 'Task_2']. */
	processTasks: Array<{ id: string; altinnTaskType: 'data' | 'confirmation' | 'signing' | 'feedback' }>;
	/** Whether the app's policy grants the service owner `delete`. The default app policy does not. */
	orgMayDelete?: boolean;
	[key: string]: unknown;
}

/** Where a data element's bytes are: memory, a file on disk, or generated on the fly (for huge files). */
export type Blob =
	| { kind: 'buffer'; data: Buffer }
	| { kind: 'file'; path: string; size: number }
	| { kind: 'generated'; size: number; seed: number };

export interface CloudEvent {
	specversion: '1.0';
	id: string;
	time: string;
	source: string;
	subject: string;
	type: string;
	alternativesubject?: string;
	resource: string;
	resourceinstance: string;
}

/** Storage's Instance and DataElement as JSON objects (camelCase, nulls omitted). */
export type InstanceJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type DataElementJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class AltinnWorld {
	readonly serviceOwners = new Map<string, ServiceOwner>();
	readonly parties = new Map<number, Party>();
	readonly applications = new Map<string, Application>();
	/** Keyed by `partyId/instanceGuid`. */
	readonly instances = new Map<string, InstanceJson>();
	/** Keyed by data element id. */
	readonly blobs = new Map<string, Blob>();
	/** App events per app id, in publication order. */
	readonly appEvents = new Map<string, CloudEvent[]>();
	/** Storage instance events (audit log) per instance id. */
	readonly instanceEvents = new Map<string, Array<Record<string, unknown>>>();
	private nextPartyId = 50000000;

	addServiceOwner(owner: ServiceOwner): void {
		this.serviceOwners.set(owner.code, owner);
	}

	serviceOwnerByOrgNumber(orgNumber: string): ServiceOwner | undefined {
		return [...this.serviceOwners.values()].find((o) => o.orgNumber === orgNumber);
	}

	addParty(party: Omit<Party, 'partyId'> & { partyId?: number }): Party {
		const full = { ...party, partyId: party.partyId ?? this.nextPartyId++ } as Party;
		this.parties.set(full.partyId, full);
		return full;
	}

	findParty(by: { partyId?: number; orgNumber?: string; ssn?: string }): Party | undefined {
		if (by.partyId !== undefined) return this.parties.get(by.partyId);
		return [...this.parties.values()].find(
			(p) => (by.orgNumber && p.orgNumber === by.orgNumber) || (by.ssn && p.ssn === by.ssn),
		);
	}

	addApplication(app: Application): void {
		this.applications.set(app.id, app);
	}
}
