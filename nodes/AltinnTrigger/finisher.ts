/**
 * Turns trigger records into finished items: the output JSON, the full instance, the downloaded
 * files. Shared by the polling Altinn Trigger and the Altinn Events Trigger.
 */
import type { IBinaryData, IDataObject, INodeExecutionData, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';

import { isDeleted } from '../Altinn/actions/dataElement/elements';
import { statusOf, type TriggerApi } from './api';
import type { Delivery } from './delivery';
import { asNodeError } from './problems';
import { type AppEvent, eventItem, instanceItem, type StorageInstance } from './records';
import { appIdOf } from './settings';

/** The n8n contexts a trigger finishes items in. */
export type TriggerContext = IPollFunctions | IWebhookFunctions;

/** What finishing needs from a trigger's settings. */
export interface FinishSettings {
	org: string;
	app: string;
	fetchInstance: boolean;
	downloadData: boolean;
	dataTypes: string[];
	binaryPrefix: string;
}

export class ItemFinisher {
	/** `marksDeliveries`: the polling trigger redelivers until confirmed, so items say which delivery they are. */
	constructor(
		private readonly ctx: TriggerContext,
		private readonly api: TriggerApi,
		private readonly s: FinishSettings,
		private readonly marksDeliveries = false,
	) {}

	/** An instance change. With redelivery on, it says which delivery this is. */
	async instance(instance: StorageInstance, delivery: Delivery = { attempt: 1, redelivered: false }): Promise<INodeExecutionData> {
		const json = instanceItem(instance, this.api.links);
		if (this.marksDeliveries) {
			json.redelivered = delivery.redelivered;
			json.attempt = delivery.attempt;
			if (delivery.gaveUp) {
				json.gaveUp = true;
				json.problem = `Not confirmed after ${delivery.attempt} deliveries: the workflow did not reach Confirm Download for this instance. The trigger emits it no more unless it changes.`;
			}
		}
		if (this.s.fetchInstance) json.instance = instance as IDataObject;
		return await this.withFiles(json, instance);
	}

	async event(event: AppEvent): Promise<INodeExecutionData> {
		const json = eventItem(event, appIdOf(this.s), this.api.links);
		if (!(this.s.fetchInstance || this.s.downloadData) || !json.instanceId) return { json };
		const instance = await this.fetchInstance(String(json.partyId), String(json.instanceGuid));
		if (!instance) {
			json.instance = null;
			json.instanceGone = true;
			return { json };
		}
		if (this.s.fetchInstance) json.instance = instance as IDataObject;
		return await this.withFiles(json, instance);
	}

	/** The instance, or undefined when Storage no longer has it (deleted since the event). */
	private async fetchInstance(partyId: string, instanceGuid: string): Promise<StorageInstance | undefined> {
		return await this.unlessGone(async () => await this.api.getInstance(partyId, instanceGuid));
	}

	/** What `read` gives, or undefined when Altinn answers 404 (deleted in the meantime); any other failure as a node error. */
	private async unlessGone<T>(read: () => Promise<T>): Promise<T | undefined> {
		try {
			return await read();
		} catch (error) {
			if (statusOf(error) === 404) return undefined;
			throw asNodeError(this.ctx, error);
		}
	}

	/** Downloads the wanted data elements; hard-deleted ones (Storage still lists them to service owners) are left out. */
	private async withFiles(json: IDataObject, instance: StorageInstance): Promise<INodeExecutionData> {
		if (!this.s.downloadData) return { json };
		const elements = ((instance.data ?? []) as IDataObject[]).filter(
			(e) => !isDeleted(e) && (this.s.dataTypes.length === 0 || this.s.dataTypes.includes(String(e.dataType))),
		);
		const binary: Record<string, IBinaryData> = {};
		const described: IDataObject[] = [];
		for (const element of elements) {
			const field = `${this.s.binaryPrefix}${described.length}`;
			const file = await this.download(instance, element);
			const summary: IDataObject = {
				id: element.id,
				dataType: element.dataType,
				filename: element.filename ?? null,
				contentType: element.contentType ?? null,
				size: element.size ?? null,
			};
			if (file) {
				binary[field] = file;
				summary.binaryProperty = field;
			} else summary.downloaded = false;
			described.push(summary);
		}
		json.dataElements = described;
		return Object.keys(binary).length > 0 ? { json, binary } : { json };
	}

	/** One file, or undefined when it was deleted after the instance was read. */
	private async download(instance: StorageInstance, element: IDataObject): Promise<IBinaryData | undefined> {
		return await this.unlessGone(async () => await this.api.downloadDataElement(instance, element));
	}
}
