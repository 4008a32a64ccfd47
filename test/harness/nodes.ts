import type { INode, INodeCredentials, INodeCredentialsDetails, INodeParameters, INodeTypes } from 'n8n-workflow';

import type { TestCredentialsHelper } from './credentialsHelper';

/** An INode with everything but `name` and `type` optional. */
export type NodeSpec = Omit<INode, 'id' | 'position' | 'typeVersion' | 'parameters' | 'credentials'> & {
	id?: string;
	position?: [number, number];
	/** Defaults to the node type's `defaultVersion` (or its highest version). */
	typeVersion?: number;
	parameters?: INodeParameters;
	/** `{ maskinportenApi: 'cred-1' }` (an id in the credentials store) or `{ maskinportenApi: { id, name } }`. */
	credentials?: Record<string, string | INodeCredentialsDetails>;
};

/** Turns NodeSpecs into complete INodes, placed left to right. */
export function toNodes(
	specs: NodeSpec[],
	nodeTypes: INodeTypes,
	credentials?: TestCredentialsHelper,
): INode[] {
	return specs.map((spec, index) => {
		const { credentials: wanted, ...rest } = spec;
		const node: INode = {
			...rest,
			id: spec.id ?? `node-${index + 1}`,
			position: spec.position ?? [index * 220, 0],
			typeVersion: spec.typeVersion ?? defaultVersion(nodeTypes, spec.type),
			parameters: spec.parameters ?? {},
		};
		if (wanted) node.credentials = toNodeCredentials(wanted, credentials);
		return node;
	});
}

function toNodeCredentials(
	wanted: Record<string, string | INodeCredentialsDetails>,
	credentials?: TestCredentialsHelper,
): INodeCredentials {
	const result: INodeCredentials = {};
	for (const [type, ref] of Object.entries(wanted)) {
		if (typeof ref !== 'string') {
			result[type] = ref;
			continue;
		}
		result[type] = { id: ref, name: credentials?.store.get(ref)?.name ?? ref };
	}
	return result;
}

function defaultVersion(nodeTypes: INodeTypes, type: string): number {
	const nodeType = nodeTypes.getByName(type);
	const description = nodeType.description as { defaultVersion?: number; version?: number | number[] };
	if (description.defaultVersion !== undefined) return description.defaultVersion;
	const { version } = description;
	if (Array.isArray(version)) return Math.max(...version);
	if (typeof version === 'number') return version;
	if ('nodeVersions' in nodeType) return Math.max(...Object.keys(nodeType.nodeVersions).map(Number));
	return 1;
}
