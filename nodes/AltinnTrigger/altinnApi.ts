/**
 * `TriggerApi` on the Altinn node's transport, the only code that speaks HTTP to Altinn: token,
 * retries with backoff on 429/502/503/504 and resets, paging by `next`, downloads into n8n's
 * binary store, and the single error mapper.
 */
import type { IDataObject } from 'n8n-workflow';

import { altinnRequestFull, eventPages, resolveAltinnUrls, storageInstancePages } from '../Altinn/transport';
import { downloadToBinary } from '../Altinn/transport/binary';
import type { TriggerApi } from './api';
import type { TriggerContext } from './finisher';
import type { AppEvent, StorageInstance } from './records';

/** `onHeaders` sees every answer's headers (the trigger reads Altinn's clock from `Date`). */
export async function altinnTriggerApi(ctx: TriggerContext, onHeaders: (headers: Record<string, unknown>) => void = () => undefined): Promise<TriggerApi> {
	const urls = await resolveAltinnUrls.call(ctx);
	const get = async <T>(url: string, target: string) => {
		const res = await altinnRequestFull.call(ctx, { method: 'GET', url, retry: 'safe', target, action: 'read' });
		onHeaders(res.headers);
		return res.body as T;
	};

	return {
		instancePages: (qs) =>
			storageInstancePages.call(ctx, {
				url: `${urls.storage}/instances`,
				qs,
				target: `instances of ${String(qs.appId ?? '')}`,
				onHeaders,
			}) as AsyncIterable<StorageInstance[]>,

		eventPages: (org, app, qs) =>
			eventPages.call(ctx, {
				url: `${urls.events}/app/${org}/${app}`,
				qs,
				target: `events of ${org}/${app}`,
				onHeaders,
			}) as AsyncIterable<AppEvent[]>,

		getApplication: async (org, app) => await get<IDataObject>(`${urls.storage}/applications/${org}/${app}`, `app ${org}/${app}`),

		getInstance: async (partyId, instanceGuid) =>
			await get<StorageInstance>(`${urls.storage}/instances/${partyId}/${instanceGuid}`, `instance ${partyId}/${instanceGuid}`),

		downloadDataElement: async (instance, element) => {
			const links = (element.selfLinks ?? {}) as IDataObject;
			const id = String(element.id);
			return await downloadToBinary.call(ctx, {
				url: typeof links.platform === 'string' ? links.platform : `${urls.storage}/instances/${instance.id}/data/${id}`,
				target: `data element ${id} of instance ${instance.id}`,
				fileName: typeof element.filename === 'string' ? element.filename : undefined,
				mimeType: typeof element.contentType === 'string' ? element.contentType : undefined,
				fallbackFileName: `${String(element.dataType ?? 'data')}-${id}`,
			});
		},

		environment: { platform: urls.storage, clientId: urls.clientId },

		links: {
			storage: (partyId, instanceGuid) => `${urls.storage}/instances/${partyId}/${instanceGuid}`,
			app: (org, app, partyId, instanceGuid) => `${urls.app(org, app)}/instances/${partyId}/${instanceGuid}`,
		},
	};
}
