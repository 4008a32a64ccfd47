import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as credentialTest from '../Altinn/methods/credentialTest';
import { altinnTriggerApi } from './altinnApi';
import { AltinnClock } from './clock';
import { triggerHints, triggerProperties } from './description';
import { pollTrigger, readSettings } from './poll';
import { pollSystemUserRequests, SYSTEM_USER_REQUESTS, withSystemUserRequests } from './systemUserRequests';

/**
 * Starts a workflow for every new app event or instance change of one Altinn app. The position is
 * kept in the workflow's static data and moves only past what was emitted; with "Not Yet Confirmed
 * by Us" an instance is emitted again until the org confirms it (at least once until confirmed).
 */
export class AltinnTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Altinn Trigger',
		name: 'altinnTrigger',
		icon: { light: 'file:../../icons/altinn.svg', dark: 'file:../../icons/altinn.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["source"] === "appEvents" ? "App events" : "Instance changes"}}: {{$parameter["org"]}}/{{$parameter["app"]}}',
		description: 'Starts the workflow when an Altinn app has new events or changed instances',
		defaults: { name: 'Altinn Trigger' },
		polling: true,
		// No usableAsTool: a trigger cannot be an AI tool (lint rule node-usable-as-tool forbids `true` here).
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'maskinportenApi', required: true, testedBy: 'maskinportenApiTest' }],
		properties: withSystemUserRequests(triggerProperties),
		hints: triggerHints,
	};

	// The same credential test as the Altinn node: n8n may find the credential through either node.
	methods = { credentialTest };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		if (this.getNodeParameter('source', 'instanceChanges') === SYSTEM_USER_REQUESTS) return await pollSystemUserRequests(this);
		const settings = readSettings(this);
		// Manual mode ("Fetch Test Event") leaves static data alone, so it does not even read it.
		const kept = this.getMode() === 'manual' ? NaN : Number(this.getWorkflowStaticData('node').clockOffsetMs);
		const clock = new AltinnClock(Number.isFinite(kept) ? kept : undefined);
		const api = await altinnTriggerApi(this, (headers) => clock.observe(headers));
		return await pollTrigger(this, api, settings, clock);
	}
}
