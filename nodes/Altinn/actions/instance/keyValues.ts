import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { keyValues, storageInstanceCall } from './common';

/** A `{ pairs: [{ key, value }] }` fixedCollection. */
export function keyValueParameter(name: string, displayName: string, valueLabel: string, description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: `Add ${valueLabel}`,
		default: { pairs: [] },
		description,
		options: [
			{
				displayName: 'Pair',
				name: 'pairs',
				values: [
					{ displayName: 'Key', name: 'key', type: 'string', default: '', description: 'The name (for prefill: the path in the data model, e.g. Skjema.Kontakt.Navn)' },
					{ displayName: valueLabel, name: 'value', type: 'string', default: '', description: 'The value to set for the key' },
				],
			},
		],
	};
}

/** PUT the key/value pairs of `parameter` as `{ [field]: {...} }` to the instance's `path`. */
export async function updateKeyValues(
	this: IExecuteFunctions,
	itemIndex: number,
	spec: { parameter: string; label: string; path: string; field: string },
): Promise<INodeExecutionData[]> {
	const pairs = keyValues(this.getNodeParameter(spec.parameter, itemIndex, {}));
	if (Object.keys(pairs).length === 0) {
		throw new NodeOperationError(this.getNode(), `${spec.label} has no keys`, { itemIndex, description: `Add at least one key to ${spec.label}.` });
	}
	const instance = await storageInstanceCall.call(this, itemIndex, { method: 'PUT', path: spec.path, body: { [spec.field]: pairs }, action: 'write' });
	return [{ json: instance, pairedItem: { item: itemIndex } }];
}
