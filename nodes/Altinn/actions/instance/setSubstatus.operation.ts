import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { appInstanceUrl, appLocator, instanceIdParameter, instanceTarget, orgParameter } from '../../shared/descriptions';
import { altinnRequest } from '../../transport';
import { storageInstanceCall } from './common';

const THROUGH_APP =
	'With Org and App (or an app URL as Instance ID) the substatus is set through the app, which publishes the app.instance.substatus.changed event; without them it is set in Storage, which publishes no event';

const properties: INodeProperties[] = [
	{ ...orgParameter, required: false, description: `Service owner code of the app owner, e.g. ttd. ${THROUGH_APP}.` },
	{ ...appLocator, required: false, description: `The app of the org. ${THROUGH_APP}.` },
	instanceIdParameter,
	{
		displayName: 'Label',
		name: 'label',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'substatus.approved',
		description: 'The substatus label (a text key of the app, or plain text) shown to the instance owner',
	},
	{
		displayName: 'Description',
		name: 'substatusDescription',
		type: 'string',
		default: '',
		description: 'Optional longer text (or text key) shown with the label',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['instance'], operation: ['setSubstatus'] } }, properties);

/**
 * `PUT …/substatus` with `{ label, description }`: through the app when its org and app are
 * known, else through Storage. Only the app's route publishes `app.instance.substatus.changed`
 * (app-lib-dotnet `InstancesController.UpdateSubstatus` calls `RegisterEvent`); Storage's route
 * writes the status and its audit log only (altinn-storage `InstancesController.UpdateSubstatus`).
 * Setting the same substatus again is harmless, so both are retried on transient failures.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const label = String(this.getNodeParameter('label', itemIndex, '')).trim();
	if (!label) throw new NodeOperationError(this.getNode(), 'Label is empty', { itemIndex, description: 'A substatus needs a label.' });
	const text = String(this.getNodeParameter('substatusDescription', itemIndex, '')).trim();
	const body = { label, ...(text ? { description: text } : {}) };
	const target = instanceTarget.call(this, itemIndex);
	const instance: IDataObject =
		target.org && target.app
			? await altinnRequest.call(
					this,
					{ method: 'PUT', url: `${await appInstanceUrl.call(this, target, itemIndex)}/substatus`, body, retry: 'safe', action: 'write', target: target.label },
					itemIndex,
				)
			: await storageInstanceCall.call(this, itemIndex, { method: 'PUT', path: '/substatus', body, action: 'write' });
	return [{ json: instance, pairedItem: { item: itemIndex } }];
}
