import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { properties, subtitleExpression } from './actions/description';
import { router } from './actions/router';
import { credentialTest, listSearch, loadOptions } from './methods';

/** Altinn 3 app instances, data elements, process and events, for service owners and system users. */
export class Altinn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Altinn',
		name: 'altinn',
		icon: { light: 'file:../../icons/altinn.svg', dark: 'file:../../icons/altinn.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitleExpression(),
		description: 'Read and write Altinn 3 app instances, data, process and events as a service owner or system user',
		defaults: { name: 'Altinn' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'maskinportenApi', required: true, testedBy: 'maskinportenApiTest' }],
		properties,
	};

	methods = { credentialTest, listSearch, loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
