import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { appTitle, listApplications } from '../shared/applications';

/** The apps of the org in the Org parameter (Storage `GET /applications/{org}`), filtered by name or title. */
export async function searchApps(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const org = String(this.getCurrentNodeParameter('org') ?? '').trim().toLowerCase();
	if (!org || org.startsWith('=')) return { results: [] };
	const needle = (filter ?? '').trim().toLowerCase();
	const apps = await listApplications.call(this, org);
	const results = apps
		.map((application) => {
			const name = application.id.split('/')[1] ?? application.id;
			const title = appTitle(application);
			return { name: title === name ? name : `${title} (${name})`, value: name };
		})
		.filter((r) => !needle || r.name.toLowerCase().includes(needle))
		.sort((a, b) => a.name.localeCompare(b.name));
	return { results };
}
