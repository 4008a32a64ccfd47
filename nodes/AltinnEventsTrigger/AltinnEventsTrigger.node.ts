import type { IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as credentialTest from '../Altinn/methods/credentialTest';
import { eventsTriggerProperties } from './description';
import { receive } from './receive';
import { readSettings } from './settings';
import { createSubscription, deleteSubscription, SECRET_PARAM, subscriptionExists } from './subscription';

/**
 * Starts the workflow when Altinn Events pushes an event of one app: an Events subscription is
 * created on activation and deleted on deactivation; each event starts the workflow once.
 */
export class AltinnEventsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Altinn Events Trigger',
		name: 'altinnEventsTrigger',
		icon: { light: 'file:../../icons/altinn.svg', dark: 'file:../../icons/altinn.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["org"]}}/{{$parameter["app"]}}',
		description: 'Starts the workflow when Altinn pushes an event of an app (Events subscription)',
		defaults: { name: 'Altinn Events Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'maskinportenApi', required: true, testedBy: 'maskinportenApiTest' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// The last segment is a secret made per subscription (see subscription.ts). n8n serves a
				// dynamic path at {webhookId}/{path}; with isFullPath it stores just `:secret`, so its
				// lookup by webhookId + path length matches (n8n WebhookService.findDynamicWebhook).
				path: `:${SECRET_PARAM}`,
				isFullPath: true,
			},
		],
		properties: eventsTriggerProperties,
	};

	// The same credential test as the Altinn node: n8n may find the credential through any of the nodes.
	methods = { credentialTest };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await subscriptionExists(this, readSettings(this));
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await createSubscription(this, readSettings(this));
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				await deleteSubscription(this);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receive(this, readSettings(this));
	}
}
