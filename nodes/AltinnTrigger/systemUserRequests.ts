/**
 * The Altinn Trigger's "System user requests" source, for system vendors: emits each system user
 * request of a system once, when its status leaves `New` (Accepted, Rejected, Denied or Timedout), so that
 * onboarding continues when the customer has decided.
 *
 * Altinn has no event for a decision, so the source reads the vendor's requests of the system:
 * `GET /authentication/api/v1/systemuser/request/vendor[/agent]/bysystem/{systemId}` (paged through
 * `links.next`; RequestSystemUserController.GetAllRequestsForVendor, Altinn/altinn-authentication ad4f6f3,
 * scope altinn:authentication/systemuser.request.read), and keeps in the node's static data the ids of the
 * decided requests it has emitted. A request is emitted when it is decided and not in that set, and the set
 * is stored by the same poll that emits, so n8n saves both together: a restart neither loses nor repeats
 * a decision. Ids of requests Altinn no longer lists (deleted) are dropped from the set.
 */
import type { IDataObject, INodeExecutionData, INodeProperties, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { authenticationPages, resolveAltinnUrls } from '../Altinn/transport';
import { systemIdParameter } from '../Altinn/actions/systemUser/common';

export const SYSTEM_USER_REQUESTS = 'systemUserRequests';

/** The source's entry in the Source selector. */
export const sourceOption = {
	name: 'System User Requests',
	value: SYSTEM_USER_REQUESTS,
	description: 'For system vendors: each system user request once, when the customer has approved or rejected it',
};

const show = { source: [SYSTEM_USER_REQUESTS] };

export const sourceProperties: INodeProperties[] = [
	{ ...systemIdParameter, displayOptions: { show }, description: "The system whose requests to watch (its ID in Altinn's system register)" },
	{
		displayName: 'Request Kinds',
		name: 'requestKinds',
		type: 'multiOptions',
		displayOptions: { show },
		options: [
			{ name: 'Standard', value: 'standard', description: 'Requests made with Create Request' },
			{ name: 'Agent', value: 'agent', description: 'Requests made with Create Agent Request' },
		],
		default: ['standard'],
	},
];

/**
 * Adds the source to the trigger's properties without changing the others' meaning: its option in the
 * Source selector, its parameters after the selector, and the app parameters hidden for it.
 */
export function withSystemUserRequests(properties: INodeProperties[]): INodeProperties[] {
	const appOnly = new Set(['org', 'app', 'startFrom', 'startTime', 'fetchInstance', 'downloadData', 'options']);
	return properties.flatMap((p) => {
		if (p.name === 'source') return [{ ...p, options: [...(p.options ?? []), sourceOption] }, ...sourceProperties];
		if (!appOnly.has(p.name)) return [p];
		const hide = { ...(p.displayOptions?.hide ?? {}), source: [SYSTEM_USER_REQUESTS] };
		return [{ ...p, displayOptions: { ...p.displayOptions, hide } }];
	});
}

interface RequestRecord extends IDataObject {
	id: string;
	status: string;
	created?: string;
}

interface State {
	/** `systemId|kinds`: a state is only reused by a trigger watching the same requests. */
	scope: string;
	/** Ids of decided requests already emitted. */
	emitted: string[];
}

/** Pure: the decided requests not yet emitted (oldest first), and the state after emitting them. */
export function decisionsToEmit(requests: RequestRecord[], state: State): { emit: RequestRecord[]; next: State } {
	const emitted = new Set(state.emitted);
	const listed = new Set(requests.map((r) => r.id));
	const emit = requests
		.filter((r) => r.status !== 'New' && !emitted.has(r.id))
		.sort((a, b) => String(a.created ?? '').localeCompare(String(b.created ?? '')));
	const kept = state.emitted.filter((id) => listed.has(id));
	return { emit, next: { scope: state.scope, emitted: [...kept, ...emit.map((r) => r.id)] } };
}

/** Polls in flight, by workflow and node: two polls from the same state would emit twice. */
const inFlight = new Set<string>();

export async function pollSystemUserRequests(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const systemId = String(ctx.getNodeParameter('systemId', '') ?? '').trim();
	if (!/^\d{9}_\S+$/.test(systemId)) {
		throw new NodeOperationError(ctx.getNode(), `System ID "${systemId}" is not a system register ID`, {
			description: 'A system ID is your organisation number, an underscore and a name without spaces, e.g. 991825827_my_accounting_system.',
		});
	}
	const kinds = (ctx.getNodeParameter('requestKinds', ['standard']) as string[]).filter((k) => k === 'standard' || k === 'agent');
	if (kinds.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Request Kinds is empty', { description: 'Choose Standard, Agent or both.' });
	}
	const key = `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
	if (ctx.getMode() !== 'manual') {
		if (inFlight.has(key)) return null;
		inFlight.add(key);
	}
	try {
		const requests = await readRequests(ctx, systemId, kinds);
		if (ctx.getMode() === 'manual') {
			// "Fetch test event": the newest decided request (or the newest request), nothing stored.
			const newest = [...requests].sort((a, b) => String(b.created ?? '').localeCompare(String(a.created ?? '')));
			const pick = newest.find((r) => r.status !== 'New') ?? newest[0];
			return pick ? [[{ json: pick }]] : null;
		}
		const staticData = ctx.getWorkflowStaticData('node');
		const scope = `${systemId}|${[...kinds].sort().join(',')}`;
		const stored = staticData.systemUserRequests as State | undefined;
		const state: State = stored && stored.scope === scope && Array.isArray(stored.emitted) ? stored : { scope, emitted: [] };
		const { emit, next } = decisionsToEmit(requests, state);
		if (JSON.stringify(next) !== JSON.stringify(stored)) staticData.systemUserRequests = next as unknown as IDataObject;
		return emit.length ? [emit.map((json) => ({ json }))] : null;
	} finally {
		inFlight.delete(key);
	}
}

async function readRequests(ctx: IPollFunctions, systemId: string, kinds: string[]): Promise<RequestRecord[]> {
	const base = `${(await resolveAltinnUrls.call(ctx)).platform}/authentication/api/v1/systemuser/request`;
	const all: RequestRecord[] = [];
	// The transport turns every failure into a NodeApiError with a message for the user.
	for (const kind of kinds) {
		const url = `${base}/vendor${kind === 'agent' ? '/agent' : ''}/bysystem/${encodeURIComponent(systemId)}`;
		for await (const page of authenticationPages.call(ctx, { url, target: `${kind} system user requests of ${systemId}` })) {
			for (const r of page) all.push({ ...(r as RequestRecord), kind });
		}
	}
	return all;
}
