import type { IDataObject, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers, UnexpectedError } from 'n8n-workflow';
// Not re-exported from the n8n-core barrel; the loader prepends these to every polling node.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { commonPollingParameters } = require('n8n-core/dist/nodes-loader/constants') as {
	commonPollingParameters: INodeType['description']['properties'];
};

/** The package name n8n prefixes to our node type names (`n8n-nodes-altinn.altinn`). */
export const PACKAGE_NAME = 'n8n-nodes-altinn';

type AnyNodeType = INodeType | IVersionedNodeType;

/**
 * INodeTypes over a fixed set of node instances, keyed by `description.name`, reachable both as
 * `n8n-nodes-altinn.<name>` and as the plain `<name>`. Polling nodes get n8n's `pollTimes`
 * parameter prepended, as the n8n-core DirectoryLoader does when it loads a package.
 */
export class TestNodeTypes implements INodeTypes {
	private readonly byName = new Map<string, AnyNodeType>();

	constructor(nodeTypes: AnyNodeType[] = []) {
		for (const nodeType of nodeTypes) this.add(nodeType);
	}

	/** `loaded`: the instance came from n8n's loader, which already added its parameters. */
	add(nodeType: AnyNodeType, options: { loaded?: boolean } = {}): this {
		if (!options.loaded) {
			for (const version of allVersions(nodeType)) applyLoaderParameters(version);
		}
		const { name } = nodeType.description;
		this.byName.set(name, nodeType);
		this.byName.set(`${PACKAGE_NAME}.${name}`, nodeType);
		return this;
	}

	getByName(nodeType: string): AnyNodeType {
		const found = this.byName.get(nodeType);
		if (!found) {
			throw new UnexpectedError(`TestNodeTypes: unknown node type "${nodeType}"`, {
				extra: { known: [...this.byName.keys()] },
			});
		}
		return found;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		const known: IDataObject = {};
		for (const [name, nodeType] of this.byName) {
			if (name.includes('.')) known[name] = { className: nodeType.constructor.name, sourcePath: '' };
		}
		return known;
	}
}

function allVersions(nodeType: AnyNodeType): INodeType[] {
	return 'nodeVersions' in nodeType ? Object.values(nodeType.nodeVersions) : [nodeType];
}

function applyLoaderParameters(nodeType: INodeType): void {
	const { properties, polling } = nodeType.description;
	if (polling && !properties.some((p) => p.name === 'pollTimes')) {
		properties.unshift(...commonPollingParameters);
	}
}
