/**
 * Applications: an org's apps (Storage `GET /applications/{org}`, anonymous) and one app's
 * metadata (app API `GET /api/v1/applicationmetadata`). Used by the Application operations,
 * the pickers, and checks before uploads (data types, content types, max sizes).
 */
import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

import { altinnRequest, resolveAltinnUrls, type AltinnContext } from '../transport';

export interface DataTypeJson extends IDataObject {
	id: string;
	description?: string | null;
	allowedContentTypes?: string[] | null;
	maxSize?: number | null;
	maxCount?: number;
	minCount?: number;
	taskId?: string | null;
	appLogic?: { classRef?: string; autoCreate?: boolean } | null;
}

export interface ApplicationJson extends IDataObject {
	id: string;
	org: string;
	title?: Record<string, string>;
	dataTypes?: DataTypeJson[];
}

/** Storage `GET /applications/{org}`: every app of a service owner. */
export async function listApplications(this: AltinnContext, org: string, itemIndex?: number): Promise<ApplicationJson[]> {
	const urls = await resolveAltinnUrls.call(this);
	const body = await altinnRequest.call(
		this,
		{ method: 'GET', url: `${urls.storage}/applications/${encodeURIComponent(org)}`, retry: 'safe', target: `the apps of org ${org}` },
		itemIndex,
	);
	return ((body as { applications?: ApplicationJson[] } | undefined)?.applications ?? []) as ApplicationJson[];
}

/** The app's own `GET /api/v1/applicationmetadata` (data types, allowed content types, max sizes). */
export async function getApplicationMetadata(
	this: AltinnContext,
	org: string,
	app: string,
	itemIndex?: number,
): Promise<ApplicationJson> {
	const urls = await resolveAltinnUrls.call(this);
	return (await altinnRequest.call(
		this,
		{ method: 'GET', url: `${urls.app(org, app)}/api/v1/applicationmetadata`, retry: 'safe', target: `app ${org}/${app}` },
		itemIndex,
	)) as ApplicationJson;
}

/** Pure: the display title of an app (English, else Bokmål, else Nynorsk, else its name). */
export function appTitle(application: ApplicationJson): string {
	const name = application.id.split('/')[1] ?? application.id;
	const title = application.title ?? {};
	return title.en || title.nb || title.nn || name;
}

/** Pure: whether a data type is form data (a data model) rather than an attachment. */
export function isFormData(dataType: DataTypeJson): boolean {
	return !!dataType.appLogic?.classRef;
}

/** Pure: data types as picker options, with what they accept. */
export function dataTypeOptions(application: ApplicationJson): INodePropertyOptions[] {
	return (application.dataTypes ?? [])
		.filter((d) => d.id !== 'ref-data-as-pdf')
		.map((d) => {
			const facts = [
				isFormData(d) ? 'form data' : 'attachment',
				d.allowedContentTypes?.length ? d.allowedContentTypes.join(', ') : undefined,
				d.maxSize ? `max ${d.maxSize} MB` : undefined,
				d.taskId ? `task ${d.taskId}` : undefined,
			].filter(Boolean);
			return { name: d.id, value: d.id, description: facts.join(' · ') };
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}
