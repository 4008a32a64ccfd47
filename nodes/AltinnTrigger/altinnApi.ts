/**
 * `TriggerApi` on the Altinn node's transport: every request goes through `altinnRequestFull`
 * (token, retries with backoff on 429/502/503/504 and resets, the single error mapper).
 */
import type { IBinaryData, IDataObject, IPollFunctions } from 'n8n-workflow';

import { altinnRequestFull, type AltinnResponse } from '../Altinn/transport/request';
import { resolveAltinnUrls } from '../Altinn/transport/urls';
import type { Query, TriggerApi } from './api';
import type { AppEvent, StorageInstance } from './records';

interface StoragePage {
	instances?: StorageInstance[];
	next?: string | null;
}

const headerOf = (headers: Record<string, unknown>, name: string): string | undefined => {
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
	const value = key === undefined ? undefined : headers[key];
	return Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
};

export async function altinnTriggerApi(ctx: IPollFunctions): Promise<TriggerApi> {
	const urls = await resolveAltinnUrls.call(ctx);
	const get = async <T>(url: string, target: string, qs?: Query) =>
		(await altinnRequestFull.call(ctx, { method: 'GET', url, qs, retry: 'safe', target, action: 'read' })) as AltinnResponse<T>;

	return {
		async *instancePages(query) {
			const target = `instances of ${String(query.appId ?? '')}`;
			let page = (await get<StoragePage>(`${urls.storage}/instances`, target, query)).body;
			while (true) {
				yield page.instances ?? [];
				// Storage sets `next` only on a full page; it already carries every other parameter.
				if (!page.next) return;
				page = (await get<StoragePage>(page.next, target)).body;
			}
		},

		async *eventPages(org, app, query) {
			const target = `events of ${org}/${app}`;
			let response = await get<AppEvent[] | string | undefined>(`${urls.events}/app/${org}/${app}`, target, query);
			while (true) {
				const events = Array.isArray(response.body) ? response.body : [];
				// Events sets the `next` header only on a non-empty page.
				if (events.length === 0) return;
				yield events;
				const next = headerOf(response.headers as Record<string, unknown>, 'next');
				if (!next) return;
				response = await get<AppEvent[] | string | undefined>(next, target);
			}
		},

		async getApplication(org, app) {
			return (await get<IDataObject>(`${urls.storage}/applications/${org}/${app}`, `app ${org}/${app}`)).body;
		},

		async getInstance(partyId, instanceGuid) {
			const url = `${urls.storage}/instances/${partyId}/${instanceGuid}`;
			return (await get<StorageInstance>(url, `instance ${partyId}/${instanceGuid}`)).body;
		},

		async downloadDataElement(instance: StorageInstance, element: IDataObject): Promise<IBinaryData> {
			const links = (element.selfLinks ?? {}) as IDataObject;
			const url = typeof links.platform === 'string' ? links.platform : `${urls.storage}/instances/${instance.id}/data/${String(element.id)}`;
			const response = await altinnRequestFull.call(ctx, {
				method: 'GET',
				url,
				binary: 'buffer',
				retry: 'safe',
				target: `data element ${String(element.id)} of instance ${instance.id}`,
				action: 'read',
			});
			const fileName = typeof element.filename === 'string' && element.filename ? element.filename : `${String(element.dataType ?? 'data')}-${String(element.id)}`;
			const mimeType = typeof element.contentType === 'string' ? element.contentType : headerOf(response.headers as Record<string, unknown>, 'content-type');
			return await ctx.helpers.prepareBinaryData(response.body as Buffer, fileName, mimeType);
		},

		links: {
			storage: (partyId, instanceGuid) => `${urls.storage}/instances/${partyId}/${instanceGuid}`,
			app: (org, app, partyId, instanceGuid) => `${urls.app(org, app)}/instances/${partyId}/${instanceGuid}`,
		},
	};
}
