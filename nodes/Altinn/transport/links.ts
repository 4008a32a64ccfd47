/**
 * Links that Altinn hands back (Storage's `next`, the Events `next` header, `selfLinks`) are
 * followed with the Altinn token attached. Before that, their host is checked: the token goes
 * only to the credential's own Altinn platform or apps host, never to a host a link names.
 */
import type { AltinnUrls } from './urls';

/** Why a URL may not carry the token, or undefined when it may. Pure. */
export function foreignHost(url: string, urls: Pick<AltinnUrls, 'platform' | 'appsPattern'>): string | undefined {
	let target: URL;
	try {
		target = new URL(url);
	} catch {
		return url.length > 80 ? `${url.slice(0, 80)}…` : url;
	}
	const platform = new URL(urls.platform);
	if (target.protocol === platform.protocol && target.host === platform.host) return undefined;
	// `https://{org}.apps.tt02.altinn.no`: any service owner code in place of {org}.
	const apps = new URL(urls.appsPattern.replace('{org}', 'org-placeholder'));
	const hostPattern = new RegExp(`^${apps.host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('org-placeholder', '[a-z0-9][a-z0-9-]*')}$`, 'i');
	if (target.protocol === apps.protocol && hostPattern.test(target.host)) return undefined;
	return target.host || url;
}
